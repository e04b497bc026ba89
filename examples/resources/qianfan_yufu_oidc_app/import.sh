# Import by the application id shown in the Yufu console (app_…).
terraform import qianfan_yufu_oidc_app.apaas app_0123456789abcdef01234567
