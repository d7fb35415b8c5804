terraform {
  required_providers {
    segment = {
      source  = "segment-gitops/segment"
      version = "~> 0.1"
    }
  }
}

# With no arguments, the URL and token come from PUBLIC_API_URL and
# PUBLIC_API_TOKEN (the URL defaults to https://api.segmentapis.com).
# Keep the token out of configuration files.
provider "segment" {}

# The workspace the token belongs to.
data "segment_workspace" "current" {}

output "workspace" {
  value = data.segment_workspace.current.name
}
