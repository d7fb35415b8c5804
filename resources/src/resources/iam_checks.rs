//! Plan-time checks the IAM resources share: what the workspace would
//! refuse at apply, found before anything is written.

use segment_api::models::{known_role, PERMISSION_RESOURCE_TYPES};

use crate::engine::Failure;
use crate::value::Value;

/// Why `email` is not an email address, if it is not. The rule is the
/// workspace's: one `@` with text on both sides and no whitespace.
pub fn email_problem(email: &str) -> Option<String> {
    let looks_right = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty() && !host.contains('@'))
        && !email.chars().any(char::is_whitespace);
    (!looks_right).then(|| format!("{email:?} is not an email address such as ada@example.com"))
}

/// Grants of a known role on a resource type it cannot be granted on.
///
/// Only roles whose scopes are known are checked (the built-in table the
/// workspace server enforces); any other role id, such as one from a real
/// workspace, is left for the API to judge, so this is never stricter
/// than the API.
pub fn role_scope_failures(permissions: &[Value]) -> Vec<Failure> {
    let mut out = Vec::new();
    for p in permissions {
        let Some(role) = p
            .get("role_id")
            .and_then(Value::as_str)
            .and_then(known_role)
        else {
            continue;
        };
        let resources = p.get("resources").and_then(Value::as_elements);
        for kind in resources
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.get("type")?.as_str())
            // A misspelled type has its own message.
            .filter(|kind| PERMISSION_RESOURCE_TYPES.contains(kind))
        {
            if !role.scopes.contains(&kind) {
                out.push(Failure::invalid(
                    "permissions",
                    format!(
                        "the role {} ({:?}) cannot be granted on a {kind} resource; it is \
                         granted on {} only. Grant it on one of those, or pick a role for \
                         {kind} resources (see the `segment_role` data source).",
                        role.name,
                        role.id,
                        role.scopes.join(" or ")
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: &str, kind: &str) -> Value {
        Value::object([
            ("role_id", role.into()),
            (
                "resources",
                Value::Set(vec![Value::object([
                    ("id", "x".into()),
                    ("type", kind.into()),
                    ("labels", Value::Set(vec![])),
                ])]),
            ),
        ])
    }

    #[test]
    fn known_roles_are_checked_and_others_left_to_the_api() {
        let wrong = role_scope_failures(&[grant("sgw_role_warehouse_admin", "SOURCE")]);
        assert_eq!(wrong.len(), 1);
        assert!(role_scope_failures(&[grant("sgw_role_warehouse_admin", "WAREHOUSE")]).is_empty());
        assert!(role_scope_failures(&[grant("role-from-elsewhere", "SOURCE")]).is_empty());
        assert!(role_scope_failures(&[grant("sgw_role_warehouse_admin", "source")]).is_empty());
    }

    #[test]
    fn emails_follow_the_workspace_rule() {
        assert_eq!(email_problem("ada@example.com"), None);
        for bad in ["ada", "ada@", "@example.com", "a b@example.com", "a@b@c"] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}
