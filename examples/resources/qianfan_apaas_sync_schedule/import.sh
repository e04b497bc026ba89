# Import by aPaaS tenant id.
terraform import qianfan_apaas_sync_schedule.nightly demo-tenant-001
