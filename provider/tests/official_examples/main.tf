# One configuration in the shape of each example in the official
# segmentio/segment provider's `examples/` (v1.6.0): the same attributes,
# nesting and kinds of values, with catalog ids the local workspace serves.
# Only `required_providers` differs from what a user of that provider writes.
# tests/official_examples.rs applies it and then plans it clean.

terraform {
  required_providers {
    segment = {
      source = "segment-gitops/segment"
    }
  }
}

provider "segment" {}

variable "user_id" {
  type = string
}

# examples/resources/segment_label
resource "segment_label" "dev" {
  key         = "environment"
  value       = "dev"
  description = "dev environment"
}

# examples/resources/segment_source
resource "segment_source" "my_source" {
  slug    = "my_source_slug"
  name    = "My Source"
  enabled = true
  metadata = {
    id = "IqDTy1TpoU" # Javascript
  }
  settings = jsonencode({
    "token" : "xyz321",
  })
  labels = [
    {
      key   = segment_label.dev.key
      value = segment_label.dev.value
    },
  ]
}

# examples/resources/segment_destination, with the catalog details that the
# official provider's `-generate-config-out` writes inside `metadata`.
resource "segment_destination" "my_destination" {
  name      = "My Destination"
  enabled   = true
  source_id = segment_source.my_source.id
  metadata = {
    id             = "54521fd525e721e32a72ee91" # Amplitude
    name           = "Amplitude"
    slug           = "amplitude"
    description    = "Product analytics"
    status         = "PUBLIC"
    website        = "http://amplitude.com"
    partner_owned  = false
    categories     = ["Analytics"]
    previous_names = ["Amplitude"]
    logos = {
      default = "https://d3hotuclm6if1r.cloudfront.net/logos/amplitude-default.svg"
      mark    = "https://cdn-devcenter.segment.com/12fe2a6f-e40b-40d7-82fc-480e9e13782a.svg"
      alt     = null
    }
    options = [
      {
        name          = "apiKey"
        type          = "string"
        required      = true
        description   = "Your Amplitude API key."
        default_value = null
        label         = "API Key"
      },
    ]
    components = [
      {
        code  = "https://github.com/segmentio/analytics.js-integrations"
        owner = "SEGMENT"
        type  = "BROWSER"
      },
    ]
    contacts = []
    actions = [
      {
        id              = "example-action"
        slug            = "logEvent"
        name            = "Log Event"
        description     = "Send an event."
        platform        = "CLOUD"
        hidden          = false
        default_trigger = "type = \"track\""
        fields = [
          {
            id            = "example-field"
            sort_order    = 0
            field_key     = "user_id"
            label         = "User ID"
            type          = "STRING"
            description   = "The user."
            placeholder   = null
            default_value = jsonencode({ "@path" : "$.userId" })
            choices       = null
            required      = false
            multiple      = false
            dynamic       = false
            allow_null    = true
          },
        ]
      },
    ]
    presets           = []
    region_endpoints  = []
    supported_regions = ["us-west-2"]
    supported_features = {
      browser_unbundling        = true
      browser_unbundling_public = true
      cloud_mode_instances      = "MULTIPLE"
      device_mode_instances     = "SINGLE"
      replay                    = false
    }
    supported_methods = {
      alias    = false
      group    = true
      identify = true
      pageview = true
      track    = true
    }
    supported_platforms = {
      browser = true
      mobile  = true
      server  = true
    }
  }
  settings = jsonencode({
    "apiKey" : "xyz123"
  })
}

# examples/resources/segment_destination_filter: a SAMPLE with no path.
resource "segment_destination_filter" "sample" {
  if             = "type = \"identify\""
  destination_id = segment_destination.my_destination.id
  source_id      = segment_source.my_source.id
  title          = "Identify event sampling filter"
  enabled        = true
  description    = "Samples identify events at 5%"
  actions = [
    {
      type    = "SAMPLE"
      percent = 0.05
    },
  ]
}

resource "segment_destination" "webhook" {
  name      = "Webhook"
  enabled   = true
  source_id = segment_source.my_source.id
  metadata = {
    id = "614a3c7d791c91c41bae7599" # Webhooks (Actions)
  }
  settings = jsonencode({})
}

# examples/resources/segment_destination_subscription
resource "segment_destination_subscription" "send_to_webhook" {
  destination_id = segment_destination.webhook.id
  name           = "Webhook send subscription"
  enabled        = true
  action_id      = "nFPnRozhz1mh4Gbx4MLvT5" # send
  trigger        = "type = \"track\""
  settings = jsonencode({
    "url" : "https://webhook.example.com/abc-123",
    "data" : {
      "@path" : "$.context.app"
    },
    "enable_batching" : false,
    "method" : "POST"
  })
}

# examples/resources/segment_function
resource "segment_function" "example" {
  code          = "// A source function: onRequest turns webhooks into events."
  display_name  = "My source function"
  logo_url      = "https://example.com/logo.png"
  resource_type = "SOURCE"
  description   = "This is a source function."
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

# examples/resources/segment_insert_function_instance (on a destination:
# source insert functions are another branch's work in the local workspace).
resource "segment_function" "insert" {
  code          = "async function onTrack(event) { return event }"
  display_name  = "My insert function"
  resource_type = "INSERT_DESTINATION"
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

resource "segment_insert_function_instance" "example" {
  integration_id = segment_destination.webhook.id
  function_id    = segment_function.insert.id
  name           = "My insert function instance"
  enabled        = true
  settings = jsonencode({
    "apiKey" : "abc123"
  })
}

# examples/resources/segment_warehouse
resource "segment_warehouse" "example" {
  metadata = {
    id = "55d3d3aea3c" # Postgres
  }
  enabled = true
  settings = jsonencode({
    hostname : "warehouse.example.com"
    database : "analytics"
    username : "loader"
    password : "zyx321"
  })
  name = "My Terraform Warehouse!"
}

# examples/resources/segment_source_warehouse_connection
resource "segment_source_warehouse_connection" "example" {
  source_id    = segment_source.my_source.id
  warehouse_id = segment_warehouse.example.id
}

# examples/resources/segment_profiles_warehouse
resource "segment_profiles_warehouse" "example" {
  space_id    = "spa_example"
  metadata_id = "55d3d3aea3c" # Postgres
  enabled     = true
  settings = jsonencode({
    hostname : "profiles.example.com"
    database : "profiles"
    username : "loader"
    password : "zyx321"
  })
  name = "My Terraform Warehouse!"
}

# examples/resources/segment_reverse_etl_model, on a warehouse source.
resource "segment_source" "postgres" {
  slug    = "postgres_source"
  enabled = true
  metadata = {
    id = "WvlvcGEJsT" # Postgres
  }
  settings = jsonencode({
    hostname : "db.example.com"
    database : "analytics"
    username : "segment"
    password : "zyx321"
  })
}

resource "segment_reverse_etl_model" "example" {
  source_id               = segment_source.postgres.id
  name                    = "Example Reverse ETL model"
  enabled                 = true
  description             = "Example Reverse ETL model"
  schedule_strategy       = "SPECIFIC_DAYS"
  query                   = "SELECT good_stuff FROM stuff"
  query_identifier_column = "good_stuff"
  schedule_config = jsonencode({
    "days" : [0, 1, 2, 3],
    "hours" : [0, 1, 3],
    "timezone" : "America/Los_Angeles"
  })
}

# examples/resources/segment_tracking_plan
resource "segment_tracking_plan" "my_tracking_plan" {
  name        = "my-tracking-plan"
  type        = "LIVE"
  description = "My Tracking Plan Description"
  rules = [
    {
      key     = "Add Rule"
      type    = "TRACK"
      version = 1
      json_schema = jsonencode({
        "properties" : {
          "context" : {},
          "traits" : {},
          "properties" : {}
        }
      })
    }
  ]
}

# examples/resources/segment_source_tracking_plan_connection (its
# schema_settings are planned in the test: the local workspace serves
# source settings on another branch).
resource "segment_source_tracking_plan_connection" "example" {
  source_id        = segment_source.my_source.id
  tracking_plan_id = segment_tracking_plan.my_tracking_plan.id
}

# examples/resources/segment_transformation
resource "segment_transformation" "example" {
  source_id      = segment_source.my_source.id
  name           = "My transformation name"
  enabled        = true
  if             = "event = 'Bad Event'"
  new_event_name = "Good Event"
  property_renames = [
    {
      old_name = "old-name"
      new_name = "new-name"
    }
  ]
  property_value_transformations = [
    {
      property_paths = ["properties.some-property", "context.some-property"],
      property_value = "some property value"
    },
  ]
  fql_defined_properties = []
}

# examples/resources/segment_user
resource "segment_user" "example" {
  email = "example@example.com"
  permissions = [
    {
      role_id = "sgw_role_source_admin"
      resources = [
        {
          id   = data.segment_workspace.example.id
          type = "WORKSPACE"
          labels = [
            {
              key   = segment_label.dev.key
              value = segment_label.dev.value
            }
          ]
        }
      ]
    }
  ]
}

# examples/resources/segment_user_group
resource "segment_user_group" "example" {
  name = "My user group"
  permissions = [
    {
      role_id = "sgw_role_source_read_only"
      resources = [
        {
          id   = data.segment_workspace.example.id
          type = "WORKSPACE"
          labels = [
            {
              key   = segment_label.dev.key
              value = segment_label.dev.value
            }
          ]
        }
      ]
    }
  ]
  # Not the segment_user's email: both would invite it at once.
  members = ["team@example.com"]
}

# examples/data-sources/*
data "segment_workspace" "example" {}

data "segment_source" "my_source" {
  id = segment_source.my_source.id
}

data "segment_source_metadata" "my_source_metadata" {
  id = "IqDTy1TpoU"
}

data "segment_destination" "my_destination" {
  id = segment_destination.my_destination.id
}

data "segment_destination_metadata" "my_destination_metadata" {
  id = "614a3c7d791c91c41bae7599"
}

data "segment_warehouse" "my_warehouse" {
  id = segment_warehouse.example.id
}

data "segment_warehouse_metadata" "my_warehouse_metadata" {
  id = "55d3d3aea3c"
}

data "segment_tracking_plan" "example" {
  id = segment_tracking_plan.my_tracking_plan.id
}

data "segment_role" "my_role" {
  id = "sgw_role_source_admin"
}

data "segment_user" "me" {
  id = var.user_id
}

# Every data source is read in full.
output "reads" {
  value = {
    workspace            = data.segment_workspace.example.id
    source               = data.segment_source.my_source.slug
    source_metadata      = data.segment_source_metadata.my_source_metadata.slug
    destination          = data.segment_destination.my_destination.metadata.slug
    destination_metadata = one(data.segment_destination_metadata.my_destination_metadata.actions[*].slug)
    warehouse            = data.segment_warehouse.my_warehouse.metadata.slug
    warehouse_metadata   = data.segment_warehouse_metadata.my_warehouse_metadata.slug
    tracking_plan        = one(data.segment_tracking_plan.example.rules[*].key)
    role                 = data.segment_role.my_role.name
    user                 = data.segment_user.me.email
  }
}
