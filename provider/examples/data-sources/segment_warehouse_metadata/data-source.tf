# Lists the settings a Postgres warehouse takes.
data "segment_warehouse_metadata" "postgres" {
  id = "55d3d3aea3c" # or: slug = "postgres", or: name = "Postgres"
}

output "postgres_settings" {
  value = [for o in data.segment_warehouse_metadata.postgres.options : o.name]
}
