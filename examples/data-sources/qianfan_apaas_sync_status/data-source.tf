data "qianfan_apaas_sync_status" "demo" {
  tenant_id  = qianfan_apaas_hr_connector.hr.tenant_id
  depends_on = [qianfan_apaas_sync_schedule.nightly]
}

# A failed organisation sync is a warning in plan and apply, never a change.
check "demo_sync" {
  assert {
    condition     = data.qianfan_apaas_sync_status.demo.last_run_status != "failed"
    error_message = "The latest organisation sync failed: ${coalesce(data.qianfan_apaas_sync_status.demo.last_run_error, "no error message")}"
  }
}
