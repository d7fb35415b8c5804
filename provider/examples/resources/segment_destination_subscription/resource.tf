# Sends track calls to a webhook through the "send" action of a
# Webhooks (Actions) destination.
resource "segment_destination_subscription" "send_to_webhook" {
  destination_id = "fP7qoQw2HTWt9WdMr718gn"
  name           = "Send track calls"
  enabled        = true
  action_id      = "nFPnRozhz1mh4Gbx4MLvT5" # "send", from segment_destination_metadata
  trigger        = "type = \"track\""
  settings = jsonencode({
    url             = "https://hooks.example.com/segment"
    method          = "POST"
    data            = { "@path" = "$.properties" }
    enable_batching = false
  })
}
