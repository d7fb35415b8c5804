# A Postgres warehouse. The API never returns the password: Terraform keeps
# the configured one.
variable "warehouse_password" {
  type      = string
  sensitive = true
}

resource "segment_warehouse" "postgres" {
  name    = "Analytics warehouse"
  enabled = true
  metadata = {
    id = "55d3d3aea3c" # Postgres, in the catalog
  }
  settings = jsonencode({
    hostname = "warehouse.internal.example.com"
    port     = 5432
    database = "warehouse"
    username = "loader"
    password = var.warehouse_password
  })
}
