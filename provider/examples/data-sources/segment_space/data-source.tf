# An Engage space, made in the Segment app, by its slug (or `name`, or `id`).
data "segment_space" "marketing" {
  slug = "marketing"
}
