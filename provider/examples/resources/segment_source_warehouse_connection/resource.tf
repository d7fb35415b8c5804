# Syncs a source's events into a warehouse.
resource "segment_source_warehouse_connection" "website" {
  source_id    = "qQEHquLrjRDN9j1ByrChyn"
  warehouse_id = "2uXhJTgTKbMpBGsTDwcpT1"
}
