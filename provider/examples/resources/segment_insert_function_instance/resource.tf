# Runs an insert function in front of a destination.
variable "enrichment_api_key" {
  type      = string
  sensitive = true
}

resource "segment_insert_function_instance" "enrich_amplitude" {
  function_id    = "ifnd_2Uqzv9XSxhPzjHmdUKmBbLjGkbf"
  integration_id = "fP7qoQw2HTWt9WdMr718gn"
  name           = "Enrich before Amplitude"
  enabled        = true
  settings = jsonencode({
    apiKey = var.enrichment_api_key
  })
}
