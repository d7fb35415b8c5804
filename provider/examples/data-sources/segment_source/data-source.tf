# Reads a source, for its write key.
data "segment_source" "website" {
  id = "qQEHquLrjRDN9j1ByrChyn"
}

output "website_write_key" {
  value = one(data.segment_source.website.write_keys)
}
