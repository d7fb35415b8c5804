# A tracking plan with one track event.
resource "segment_tracking_plan" "checkout" {
  name        = "Checkout"
  type        = "LIVE"
  description = "The events of the checkout flow."
  rules = [
    {
      type    = "TRACK"
      key     = "Order Completed"
      version = 1
      json_schema = jsonencode({
        properties = {
          properties = {
            type     = "object"
            required = ["order_id"]
            properties = {
              order_id = { type = "string" }
              total    = { type = "number" }
            }
          }
        }
      })
    },
  ]
}
