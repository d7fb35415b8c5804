# A group whose members may read the workspace's production sources.
data "segment_workspace" "current" {}

resource "segment_user_group" "data_team" {
  name    = "Data team"
  members = ["ada@example.com", "grace@example.com"]
  permissions = [
    {
      role_id = "sgw_role_source_read_only"
      resources = [
        {
          id     = data.segment_workspace.current.id
          type   = "WORKSPACE"
          labels = [{ key = "environment", value = "production" }]
        },
      ]
    },
  ]
}
