# Keeps 5% of identify calls on their way to a destination.
resource "segment_destination_filter" "sample_identifies" {
  destination_id = "fP7qoQw2HTWt9WdMr718gn"
  source_id      = "qQEHquLrjRDN9j1ByrChyn"
  title          = "Sample identify calls"
  description    = "Identify calls are sampled at 5%."
  if             = "type = \"identify\""
  enabled        = true
  actions = [
    { type = "SAMPLE", percent = 0.05, path = "userId" },
  ]
}
