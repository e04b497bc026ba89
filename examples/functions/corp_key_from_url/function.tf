output "corp_key" {
  # "apaas"
  value = provider::qianfan::corp_key_from_url("https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation")
}
