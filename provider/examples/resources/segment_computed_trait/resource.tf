# How many orders each profile of a space placed in the last 30 days.
data "segment_space" "marketing" {
  slug = "marketing"
}

resource "segment_computed_trait" "recent_orders" {
  space_id    = data.segment_space.marketing.id
  name        = "Orders Last 30 Days"
  description = "Order count over a rolling 30 days"
  definition = {
    query = "event('Order Completed').within(30 days).count()"
    type  = "users"
  }
  options = {
    include_anonymous_users = false
  }
}
