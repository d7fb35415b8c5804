//! Reading what a `terraform plan` says.

use super::process::Finished;

/// The exit code (`-detailed-exitcode`: 0 no changes, 2 changes).
pub fn exit_code(f: &Finished) -> i32 {
    f.status.code().unwrap_or(-1)
}

/// Top-level attributes a plan changes (their lines sit at six spaces,
/// nested content deeper), after the actions header, sorted.
pub fn changed_attributes(plan: &str) -> Vec<String> {
    let actions = plan
        .split("Terraform will perform the following actions:")
        .nth(1)
        .unwrap_or_default();
    let mut names: Vec<String> = actions
        .lines()
        .filter(|l| l.len() - l.trim_start().len() == 6)
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix(['~', '+', '-'])?.trim_start();
            Some(rest.split([' ', '=']).next()?.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
