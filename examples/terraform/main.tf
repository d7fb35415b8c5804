# A small workspace, end to end: every resource type the provider offers,
# and data sources where they save copying ids around. Catalog ids are the
# real Segment catalog's (the local workspace serves the same ones).

terraform {
  required_version = ">= 1.6"
  required_providers {
    segment = {
      source = "segment-gitops/segment"
    }
  }
}

# No literals: the URL and token come from PUBLIC_API_URL and PUBLIC_API_TOKEN.
provider "segment" {}

data "segment_workspace" "current" {}

# The Webhooks (Actions) destination in the catalog: its "send" action is
# what the subscription below triggers.
data "segment_destination_metadata" "webhooks" {
  id = "614a3c7d791c91c41bae7599"
}

data "segment_role" "source_reader" {
  id = var.source_reader_role_id
}

locals {
  webhook_send_action = one([
    for a in data.segment_destination_metadata.webhooks.actions : a.id if a.slug == "send"
  ])
}

resource "segment_label" "managed" {
  key         = "managed-by"
  value       = "terraform-${var.environment}"
  description = "Created by examples/terraform"
}

# --- Sources -----------------------------------------------------------------

resource "segment_source" "website" {
  slug    = "${var.environment}_website"
  name    = "Website (${var.environment})"
  enabled = true
  metadata = {
    id = "IqDTy1TpoU" # Javascript
  }
  settings = jsonencode({})
  labels = [
    { key = segment_label.managed.key, value = segment_label.managed.value },
  ]
}

resource "segment_source" "stripe" {
  slug    = "${var.environment}_stripe"
  name    = "Stripe (${var.environment})"
  enabled = true
  metadata = {
    id = "1bow82lmk" # Stripe
  }
  settings = jsonencode({
    apiKey          = var.stripe_api_key
    includeTestData = false
  })
}

# A warehouse source: Reverse ETL models read from it.
resource "segment_source" "postgres" {
  slug    = "${var.environment}_postgres"
  name    = "Postgres (${var.environment})"
  enabled = true
  metadata = {
    id = "WvlvcGEJsT" # Postgres
  }
  settings = jsonencode({
    hostname = "db.internal.example.com"
    database = "analytics"
    username = "segment"
    password = var.database_password
  })
}

# --- Destinations ------------------------------------------------------------

resource "segment_destination" "webhooks" {
  name      = "Order webhooks (${var.environment})"
  enabled   = true
  source_id = segment_source.website.id
  metadata = {
    id = data.segment_destination_metadata.webhooks.id
  }
  settings = jsonencode({})
}

resource "segment_destination_subscription" "orders" {
  destination_id = segment_destination.webhooks.id
  name           = "Send completed orders"
  enabled        = true
  action_id      = local.webhook_send_action
  trigger        = "type = \"track\" and event = \"Order Completed\""
  settings = jsonencode({
    url    = "https://hooks.example.com/orders"
    method = "POST"
    data   = { "@path" = "$.properties" }
  })
}

resource "segment_destination_filter" "drop_tests" {
  destination_id = segment_destination.webhooks.id
  source_id      = segment_source.website.id
  title          = "Drop test orders"
  description    = "Orders placed by the QA team never reach the webhook."
  if             = "event = \"Order Completed\" and properties.test = true"
  enabled        = true
  actions = [
    { type = "DROP" },
  ]
}

# --- Warehouses --------------------------------------------------------------

resource "segment_warehouse" "postgres" {
  name    = "Analytics warehouse (${var.environment})"
  enabled = true
  metadata = {
    id = "55d3d3aea3c" # Postgres
  }
  settings = jsonencode({
    hostname = "warehouse.internal.example.com"
    port     = 5432
    database = "warehouse"
    username = "loader"
    password = var.database_password
  })
}

resource "segment_source_warehouse_connection" "website" {
  source_id    = segment_source.website.id
  warehouse_id = segment_warehouse.postgres.id
}

resource "segment_profiles_warehouse" "profiles" {
  space_id    = var.space_id
  metadata_id = "55d3d3aea3c" # Postgres
  name        = "Profiles (${var.environment})"
  enabled     = true
  schema_name = "profiles_${var.environment}"
  settings = jsonencode({
    hostname = "warehouse.internal.example.com"
    port     = 5432
    database = "profiles"
    username = "loader"
    password = var.database_password
  })
}

# --- Protocols ---------------------------------------------------------------

resource "segment_tracking_plan" "checkout" {
  name        = "Checkout (${var.environment})"
  type        = "LIVE"
  description = "The events of the checkout flow."
  rules = [
    {
      type    = "TRACK"
      key     = "Order Completed"
      version = 1
      json_schema = jsonencode({
        properties = {
          properties = {
            type     = "object"
            required = ["order_id", "total"]
            properties = {
              order_id = { type = "string" }
              total    = { type = "number" }
            }
          }
        }
      })
    },
  ]
}

resource "segment_source_tracking_plan_connection" "website" {
  source_id        = segment_source.website.id
  tracking_plan_id = segment_tracking_plan.checkout.id
}

resource "segment_transformation" "rename_purchase" {
  source_id      = segment_source.website.id
  name           = "Purchase is Order Completed"
  enabled        = true
  if             = "event = 'Purchase'"
  new_event_name = "Order Completed"
  property_renames = [
    { old_name = "amount", new_name = "total" },
  ]
  property_value_transformations = []
  fql_defined_properties         = []
}

# --- Functions and Reverse ETL -------------------------------------------------

resource "segment_function" "enrich" {
  display_name  = "Enrich orders (${var.environment})"
  description   = "Adds the customer tier to every order before it leaves Segment."
  resource_type = "INSERT_DESTINATION"
  code          = <<-JS
    async function onTrack(event, settings) {
      event.properties.tier = 'gold'
      return event
    }
  JS
  settings = [
    {
      name        = "apiKey"
      label       = "API key"
      description = "The enrichment service's API key."
      type        = "STRING"
      required    = true
      sensitive   = true
    },
  ]
}

resource "segment_insert_function_instance" "enrich_webhooks" {
  function_id    = segment_function.enrich.id
  integration_id = segment_destination.webhooks.id
  name           = "Enrich before the webhook"
  enabled        = true
  settings = jsonencode({
    apiKey = var.enrichment_api_key
  })
}

resource "segment_reverse_etl_model" "high_value_customers" {
  source_id               = segment_source.postgres.id
  name                    = "High-value customers"
  description             = "Customers whose lifetime value is over 1,000."
  enabled                 = true
  query                   = "SELECT customer_id, email FROM customers WHERE lifetime_value > 1000"
  query_identifier_column = "customer_id"
}

# --- People ------------------------------------------------------------------

resource "segment_user" "analyst" {
  email = var.analyst_email
  permissions = [
    {
      role_id = data.segment_role.source_reader.id
      resources = [
        { id = segment_source.website.id, type = "SOURCE", labels = [] },
      ]
    },
  ]
}

resource "segment_user_group" "data_team" {
  name    = "Data team (${var.environment})"
  members = var.data_team_emails
  permissions = [
    {
      role_id = var.tracking_plan_reader_role_id
      resources = [
        { id = data.segment_workspace.current.id, type = "WORKSPACE", labels = [] },
      ]
    },
  ]
}

# Engage: a space made in the Segment app (`seed --engage` makes
# "marketing" in a local workspace), an audience and a computed trait in it.
data "segment_space" "marketing" {
  slug = "marketing"
}

resource "segment_audience" "repeat_buyers" {
  space_id    = data.segment_space.marketing.id
  name        = "Repeat Buyers (${var.environment})"
  description = "Ordered three times or more"
  definition = {
    query = "event('Order Completed').count() >= 3"
  }
}

resource "segment_computed_trait" "recent_orders" {
  space_id = data.segment_space.marketing.id
  name     = "Orders Last 30 Days (${var.environment})"
  definition = {
    query = "event('Order Completed').within(30 days).count()"
    type  = "users"
  }
}

output "workspace" {
  description = "The workspace these objects live in."
  value       = data.segment_workspace.current.slug
}

output "website_write_key" {
  description = "The write key the website's analytics.js sends events with."
  value       = one(segment_source.website.write_keys)
}
