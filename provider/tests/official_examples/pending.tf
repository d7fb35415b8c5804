# Official example shapes the test applies and then removes again (source
# insert functions, source schema settings), beside main.tf.

# examples/resources/segment_insert_function_instance, on a source.
resource "segment_function" "source_insert" {
  code          = "async function onTrack(event) { return event }"
  display_name  = "My source insert function"
  resource_type = "INSERT_SOURCE"
  settings = [
    {
      name        = "apiKey"
      label       = "api key"
      type        = "STRING"
      description = "api key"
      required    = false
      sensitive   = false
    },
  ]
}

resource "segment_insert_function_instance" "on_source" {
  integration_id = segment_source.my_source.id
  function_id    = segment_function.source_insert.id
  name           = "My insert function instance"
  enabled        = true
  settings = jsonencode({
    "apiKey" : "abc123"
  })
}

# examples/resources/segment_source_tracking_plan_connection
resource "segment_source_tracking_plan_connection" "with_schema_settings" {
  source_id        = segment_source.postgres.id
  tracking_plan_id = segment_tracking_plan.my_tracking_plan.id
  schema_settings = {
    forwarding_blocked_events_to = segment_source.my_source.id
    track = {
      allow_unplanned_events           = true
      allow_unplanned_event_properties = true
      allow_event_on_violations        = false
      allow_properties_on_violations   = true
      common_event_on_violations       = "ALLOW"
    }
    identify = {
      allow_traits_on_violations = false
      allow_unplanned_traits     = false
      common_event_on_violations = "ALLOW"
    }
    group = {
      allow_traits_on_violations = true
      allow_unplanned_traits     = true
      common_event_on_violations = "ALLOW"
    }
  }
}
