# The profiles of a space that ordered three times or more.
data "segment_space" "marketing" {
  slug = "marketing"
}

resource "segment_audience" "repeat_buyers" {
  space_id    = data.segment_space.marketing.id
  name        = "Repeat Buyers"
  description = "Ordered three times or more"
  enabled     = true
  definition = {
    query = "event('Order Completed').count() >= 3"
  }
  options = {
    include_historical_data = true
  }
}
