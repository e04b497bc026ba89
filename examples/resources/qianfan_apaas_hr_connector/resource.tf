resource "qianfan_apaas_hr_connector" "hr" {
  tenant_id      = "demo-tenant-001"
  corp_key       = provider::qianfan::corp_key_from_url("https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation")
  well_known_url = qianfan_yufu_oidc_app.apaas.well_known_url
  client_id      = qianfan_yufu_oidc_app.apaas.client_id

  # Terraform >= 1.11: the secret never lands in state.
  client_secret_wo         = qianfan_yufu_oidc_app.apaas.client_secret
  client_secret_wo_version = qianfan_yufu_oidc_app.apaas.client_secret_version
}
