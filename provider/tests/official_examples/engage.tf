# Engage, applied in a space the test makes (spaces are made in the app).
# The audience is in the shape of the official provider's open audience
# pull request (its acceptance test's configuration); the space and the
# computed trait have no official shape, and are ours.
data "segment_space" "test" {
  slug = "marketing"
}

resource "segment_audience" "test" {
  space_id    = data.segment_space.test.id
  name        = "Test Audience"
  description = "Created by Terraform acceptance test"
  definition = {
    query = "event('Shoes Bought').count() >= 1"
  }
}

resource "segment_computed_trait" "test" {
  space_id = data.segment_space.test.id
  name     = "Shoes Bought"
  definition = {
    query = "event('Shoes Bought').count()"
    type  = "users"
  }
}
