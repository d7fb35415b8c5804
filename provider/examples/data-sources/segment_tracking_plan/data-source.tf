# Reads a tracking plan and its rules.
data "segment_tracking_plan" "checkout" {
  id = "tp_2Uqzv4gwbJbAjMvIMFxbcAxMYXH"
}

output "planned_events" {
  value = [for r in data.segment_tracking_plan.checkout.rules : r.key if r.type == "TRACK"]
}
