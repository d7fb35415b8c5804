# An Amplitude destination of a source.
variable "amplitude_api_key" {
  type      = string
  sensitive = true
}

resource "segment_destination" "amplitude" {
  name      = "Amplitude"
  enabled   = true
  source_id = "qQEHquLrjRDN9j1ByrChyn"
  metadata = {
    id = "54521fd525e721e32a72ee91" # Amplitude, in the catalog
  }
  settings = jsonencode({
    apiKey        = var.amplitude_api_key
    trackAllPages = true
  })
}
