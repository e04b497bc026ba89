resource "qianfan_apaas_hr_connector" "hr" {
  tenant_id      = "demo-tenant-001"
  corp_key       = "apaas" # or provider::qianfan::corp_key_from_url("https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation") (Terraform >= 1.8)
  well_known_url = qianfan_yufu_oidc_app.apaas.well_known_url
  client_id      = qianfan_yufu_oidc_app.apaas.client_id

  # No secret here: the provider reads the app's secret from Yufu and sends it to aPaaS
  # itself, so it is in no state, plan or output. Following the app's version makes a
  # rotation reach aPaaS in the same apply.
  client_secret_version = qianfan_yufu_oidc_app.apaas.client_secret_version
}
