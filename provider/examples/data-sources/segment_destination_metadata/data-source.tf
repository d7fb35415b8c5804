# Finds the id of the "send" action of Webhooks (Actions), for a
# segment_destination_subscription.
data "segment_destination_metadata" "webhooks" {
  name = "Webhooks (Actions)"
}

output "send_action_id" {
  value = one([for a in data.segment_destination_metadata.webhooks.actions : a.id if a.slug == "send"])
}
