# An insert function that declares one secret setting.
resource "segment_function" "enrich" {
  display_name  = "Enrich orders"
  description   = "Adds the customer tier to every order."
  resource_type = "INSERT_DESTINATION"
  code          = <<-JS
    async function onTrack(event, settings) {
      event.properties.tier = 'gold'
      return event
    }
  JS
  settings = [
    {
      name        = "apiKey"
      label       = "API key"
      description = "The enrichment service's API key."
      type        = "STRING"
      required    = true
      sensitive   = true
    },
  ]
}
