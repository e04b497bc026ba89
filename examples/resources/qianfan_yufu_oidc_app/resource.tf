resource "qianfan_yufu_oidc_app" "apaas" {
  name                      = "aPaaS demo tenant SSO"
  description               = "Single sign-on for aPaaS tenant demo-tenant-001"
  redirect_uris             = ["https://apaas.weworkpro.tencent-cloud.com/demo-tenant-001/"]
  post_logout_redirect_uris = ["https://apaas.weworkpro.tencent-cloud.com/demo-tenant-001/"]
  grant_types               = ["authorization_code", "refresh_token"]
  scopes                    = ["openid", "profile", "email", "offline_access"]
  client_secret_version     = 1 # change to rotate the secret
}
