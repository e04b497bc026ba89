# Import by aPaaS tenant id. Nothing is sent: the provider compares the secret aPaaS holds
# with the Yufu app's by digest, and reads the rotation trigger from the app.
terraform import qianfan_apaas_hr_connector.hr demo-tenant-001
