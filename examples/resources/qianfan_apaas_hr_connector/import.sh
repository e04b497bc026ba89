# Import by aPaaS tenant id. The secret cannot be read back: the next apply sends it once.
terraform import qianfan_apaas_hr_connector.hr demo-tenant-001
