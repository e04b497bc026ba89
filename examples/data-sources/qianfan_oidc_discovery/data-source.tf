data "qianfan_oidc_discovery" "apaas" {
  well_known_url = qianfan_yufu_oidc_app.apaas.well_known_url
}

output "token_endpoint" {
  value = data.qianfan_oidc_discovery.apaas.token_endpoint
}
