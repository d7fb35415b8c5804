# Invites a user who may read one source.
data "segment_role" "source_reader" {
  id = "sgw_role_source_read_only" # GET /roles lists your workspace's ids
}

resource "segment_user" "analyst" {
  email = "analyst@example.com"
  permissions = [
    {
      role_id = data.segment_role.source_reader.id
      resources = [
        { id = "qQEHquLrjRDN9j1ByrChyn", type = "SOURCE", labels = [] },
      ]
    },
  ]
}
