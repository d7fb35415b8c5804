# A label to scope sources and permissions by.
resource "segment_label" "production" {
  key         = "environment"
  value       = "production"
  description = "Live traffic"
}
