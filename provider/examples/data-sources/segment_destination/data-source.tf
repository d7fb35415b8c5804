# Reads a destination and the catalog entry it is an instance of.
data "segment_destination" "amplitude" {
  id = "fP7qoQw2HTWt9WdMr718gn"
}

output "amplitude_catalog_name" {
  value = data.segment_destination.amplitude.metadata.name
}
