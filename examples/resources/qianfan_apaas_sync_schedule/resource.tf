resource "qianfan_apaas_sync_schedule" "nightly" {
  tenant_id  = qianfan_apaas_hr_connector.hr.tenant_id
  cron       = "0 2 * * *"
  time_zone  = "Asia/Shanghai"
  mode       = "incremental"
  enabled    = true
  depends_on = [qianfan_apaas_hr_connector.hr]
}
