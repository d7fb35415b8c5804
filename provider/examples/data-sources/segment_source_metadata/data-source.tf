# Lists the settings a Stripe source takes.
data "segment_source_metadata" "stripe" {
  id = "1bow82lmk"
}

output "stripe_required_settings" {
  value = [for o in data.segment_source_metadata.stripe.options : o.name if o.required]
}
