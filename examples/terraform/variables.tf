variable "environment" {
  description = "Tells this workspace's objects apart from others': a prefix for slugs and the value of the `managed-by` label."
  type        = string
  default     = "demo"
}

variable "stripe_api_key" {
  description = "The Stripe secret key the Stripe source reads payments with."
  type        = string
  sensitive   = true
}

variable "database_password" {
  description = "The password of the Postgres database that is both the warehouse and the Reverse ETL source."
  type        = string
  sensitive   = true
}

variable "enrichment_api_key" {
  description = "The API key the insert function's instance calls the enrichment service with."
  type        = string
  sensitive   = true
}

variable "space_id" {
  description = "The Unify space whose profiles sync into the profiles warehouse. The local workspace takes any id."
  type        = string
  default     = "spa_demo"
}

variable "source_reader_role_id" {
  description = "The id of the Source Read-only role (`GET /roles` lists them; the local workspace's is sgw_role_source_read_only)."
  type        = string
  default     = "sgw_role_source_read_only"
}

variable "tracking_plan_reader_role_id" {
  description = "The id of the Tracking Plan Read-only role (the local workspace's is sgw_role_tracking_plan_read_only)."
  type        = string
  default     = "sgw_role_tracking_plan_read_only"
}

variable "analyst_email" {
  description = "Who is invited to read the website source."
  type        = string
  default     = "analyst@example.com"
}

variable "data_team_emails" {
  description = "The members of the data team group (emails not yet in the workspace are invited)."
  type        = set(string)
  default     = ["data-team@example.com"]
}
