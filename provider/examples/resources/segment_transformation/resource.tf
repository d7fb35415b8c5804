# Renames an event and one of its properties on the way in.
resource "segment_transformation" "rename_purchase" {
  source_id      = "qQEHquLrjRDN9j1ByrChyn"
  name           = "Purchase is Order Completed"
  enabled        = true
  if             = "event = 'Purchase'"
  new_event_name = "Order Completed"
  property_renames = [
    { old_name = "amount", new_name = "total" },
  ]
  property_value_transformations = [
    {
      property_paths = ["properties.currency"]
      property_value = "USD"
    },
  ]
  fql_defined_properties = []
}
