# Terraform >= 1.10: the secret for another system's write-only argument, opened when
# needed and never stored in state or a plan.
ephemeral "qianfan_yufu_oidc_app_secret" "apaas" {
  client_id = qianfan_yufu_oidc_app.apaas.client_id
}

# For instance, bringing the secret to the connector yourself (Terraform >= 1.11):
#   client_secret_wo         = ephemeral.qianfan_yufu_oidc_app_secret.apaas.client_secret
#   client_secret_wo_version = qianfan_yufu_oidc_app.apaas.client_secret_version
