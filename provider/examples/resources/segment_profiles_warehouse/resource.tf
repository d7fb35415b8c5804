# A warehouse a Unify space syncs its profiles into.
variable "warehouse_password" {
  type      = string
  sensitive = true
}

resource "segment_profiles_warehouse" "profiles" {
  space_id    = "spa_9aQ1Lj62S4bomZKLF4DPqW"
  metadata_id = "55d3d3aea3c" # Postgres, in the catalog
  name        = "Profiles"
  enabled     = true
  schema_name = "profiles"
  settings = jsonencode({
    hostname = "warehouse.internal.example.com"
    port     = 5432
    database = "profiles"
    username = "loader"
    password = var.warehouse_password
  })
}
