# Reads a role, to grant it in segment_user or segment_user_group.
data "segment_role" "source_reader" {
  id = "sgw_role_source_read_only" # GET /roles lists your workspace's ids
}
