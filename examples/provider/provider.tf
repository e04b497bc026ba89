terraform {
  required_providers {
    qianfan = {
      source  = "registry.qianfan.local/qianfan/qianfan"
      version = "~> 0.1"
    }
  }
}

# Endpoints and credentials come from the environment:
#   QIANFAN_YUFU_ADMIN_URL (or QIANFAN_YUFU_DOMAIN), QIANFAN_YUFU_SERVICE_ACCOUNT_FILE,
#   QIANFAN_APAAS_URL, QIANFAN_APAAS_SECRET_ID + QIANFAN_APAAS_SECRET_KEY.
provider "qianfan" {
  yufu_domain     = "qianfan-demo"
  request_timeout = "30s"
  max_retries     = 5
}
