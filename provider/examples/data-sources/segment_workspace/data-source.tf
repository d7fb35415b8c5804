# The workspace the token belongs to.
data "segment_workspace" "current" {}

output "workspace_slug" {
  value = data.segment_workspace.current.slug
}
