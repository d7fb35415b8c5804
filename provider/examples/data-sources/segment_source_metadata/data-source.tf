# Lists the settings a Stripe source takes. An entry is found by exactly
# one of id, name or slug.
data "segment_source_metadata" "stripe" {
  slug = "stripe"
}

output "stripe_required_settings" {
  value = [for o in data.segment_source_metadata.stripe.options : o.name if o.required]
}
