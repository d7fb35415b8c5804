# The URL and token come from PUBLIC_API_URL and PUBLIC_API_TOKEN when not
# set here; keep the token out of configuration files.
provider "segment" {
  url = "https://api.segmentapis.com"
}
