# A Reverse ETL model reading from a warehouse source.
resource "segment_reverse_etl_model" "high_value_customers" {
  source_id               = "rETLsrc9aQ1Lj62S4bomZKLF4D"
  name                    = "High-value customers"
  description             = "Customers whose lifetime value is over 1,000."
  enabled                 = true
  query                   = "SELECT customer_id, email FROM customers WHERE lifetime_value > 1000"
  query_identifier_column = "customer_id"
}
