# A Stripe source; its API key is a sensitive variable.
variable "stripe_api_key" {
  type      = string
  sensitive = true
}

resource "segment_source" "stripe" {
  slug    = "stripe_billing"
  name    = "Stripe – Billing"
  enabled = true
  metadata = {
    id = "1bow82lmk" # Stripe, in the catalog
  }
  settings = jsonencode({
    apiKey          = var.stripe_api_key
    includeTestData = false
  })
  labels = [
    { key = "environment", value = "production" },
  ]
}
