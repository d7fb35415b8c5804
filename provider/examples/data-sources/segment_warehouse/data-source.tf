# Reads a warehouse (its password is never returned).
data "segment_warehouse" "analytics" {
  id = "2uXhJTgTKbMpBGsTDwcpT1"
}

output "warehouse_host" {
  value = jsondecode(data.segment_warehouse.analytics.settings).hostname
}
