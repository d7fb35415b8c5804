# Validates a source's events against a tracking plan, blocking unplanned
# track events.
resource "segment_source_tracking_plan_connection" "website" {
  source_id        = "qQEHquLrjRDN9j1ByrChyn"
  tracking_plan_id = "tp_2Uqzv4gwbJbAjMvIMFxbcAxMYXH"
  schema_settings = {
    track = {
      allow_unplanned_events           = false
      allow_unplanned_event_properties = true
      allow_event_on_violations        = true
      allow_properties_on_violations   = true
      common_event_on_violations       = "ALLOW"
    }
  }
}
