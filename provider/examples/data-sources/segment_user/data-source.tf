# Reads a user and the roles they hold.
data "segment_user" "ada" {
  id = "8Ld6ZYgsRpkhhLvEGfWQTx"
}

output "ada_roles" {
  value = [for p in data.segment_user.ada.permissions : p.role_id]
}
