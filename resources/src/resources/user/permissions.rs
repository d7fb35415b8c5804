//! The permission shape (`permissions`) of `segment_user`, shared with
//! `segment_user_group`: its type, its checks, and how the API's
//! permissions read back into state.

use segment_api::models::{Label, Permission, PermissionInput, PermissionResource};

use crate::engine::{Failure, Obj};
use crate::resources::common;
use crate::value::{Type, Value};

/// The most permissions (and resources per permission) the API takes.
pub(in crate::resources) const MAX_PERMISSIONS: usize = 200;

/// `permissions = [{ role_id = "...", resources = [{ id, type, labels = [] }] }]`.
pub(in crate::resources) fn permissions_type() -> Type {
    let resource = Type::object([
        ("id", Type::String),
        ("type", Type::String),
        ("labels", common::label_set()),
    ]);
    Type::set(
        Type::object([
            ("role_id", Type::String),
            ("resources", Type::set(resource)),
        ])
        .with_optional(["resources"]),
    )
}

/// What every permissions attribute says about its elements, as a literal
/// for `concat!` (descriptions are `&'static str`).
macro_rules! permissions_shape {
    () => {
        "Each permission is `{ role_id, resources }`: `role_id` is the id of a role (see the \
         `segment_role` data source); `resources` (optional, at most 200) are \
         `{ id, type, labels }`, where `type` is upper case such as `WORKSPACE` or `SOURCE`, and \
         `labels` (`{ key, value }`, at most 200; write `labels = []` for none) further refine \
         access, on workspace-level permissions only."
    };
}
pub(crate) use permissions_shape;

/// Checks the known parts of a permissions attribute.
pub(in crate::resources) fn check_permissions(config: &Obj, at_least_one: bool) -> Vec<Failure> {
    let Some(perms) = config.get("permissions").as_elements() else {
        return Vec::new();
    };
    // A known role on a type it cannot be granted on, as the workspace refuses.
    let mut out = super::iam_checks::role_scope_failures(perms);
    let mut fail = |m: String| out.push(Failure::invalid("permissions", m));
    if perms.len() > MAX_PERMISSIONS {
        fail(format!(
            "`permissions` holds {}; at most {MAX_PERMISSIONS}.",
            perms.len()
        ));
    }
    if at_least_one && perms.is_empty() {
        fail("`permissions` must hold at least one permission.".into());
    }
    for p in perms {
        let role = p.get("role_id").and_then(Value::as_str);
        if role.is_some_and(|r| r.trim().is_empty()) {
            fail("a permission has an empty `role_id`.".into());
        }
        let resources = p.get("resources").and_then(Value::as_elements);
        let resources = resources.unwrap_or_default();
        if resources.len() > MAX_PERMISSIONS {
            fail(format!(
                "the permission of role {:?} names {} resources; at most {MAX_PERMISSIONS}.",
                role.unwrap_or("?"),
                resources.len()
            ));
        }
        for kind in resources.iter().filter_map(|r| r.get("type")?.as_str()) {
            if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                fail(format!(
                    "resource type {kind:?} must be in all uppercase, such as \"WORKSPACE\" or \
                     \"SOURCE\"."
                ));
            }
        }
    }
    out
}

/// The configured permissions as the API takes them.
pub(in crate::resources) fn permissions_of(obj: &Obj) -> Result<Vec<PermissionInput>, Failure> {
    obj.model("permissions")
}

fn labels_value(labels: &[Label]) -> Value {
    Value::Set(
        labels
            .iter()
            .map(|l| {
                Value::object([
                    ("key", l.key.as_str().into()),
                    ("value", l.value.as_str().into()),
                ])
            })
            .collect(),
    )
}

fn resource_value(r: &PermissionResource) -> Value {
    Value::object([
        ("id", r.id.as_str().into()),
        ("type", r.kind.as_str().into()),
        (
            "labels",
            labels_value(r.labels.as_deref().unwrap_or_default()),
        ),
    ])
}

/// Permissions as state holds them. A permission without resources reads
/// as `resources = null` unless the prior state wrote `resources = []`.
pub(in crate::resources) fn permissions_value(perms: &[Permission], prior: &Value) -> Value {
    let wrote_empty = |role: &str| {
        prior.as_elements().unwrap_or_default().iter().any(|p| {
            p.get("role_id").and_then(Value::as_str) == Some(role)
                && p.get("resources")
                    .and_then(Value::as_elements)
                    .is_some_and(<[Value]>::is_empty)
        })
    };
    Value::Set(
        perms
            .iter()
            .map(|p| {
                let resources = if p.resources.is_empty() && !wrote_empty(&p.role_id) {
                    Value::Null
                } else {
                    Value::Set(p.resources.iter().map(resource_value).collect())
                };
                Value::object([
                    ("role_id", p.role_id.as_str().into()),
                    ("resources", resources),
                ])
            })
            .collect(),
    )
}

/// Invites take resources as `{id, type}` and labels on the permission
/// itself (upstream's InvitePermissionV1): labels move up.
pub(super) fn invite_permissions(perms: &[PermissionInput]) -> Vec<PermissionInput> {
    perms
        .iter()
        .map(|p| {
            let labels: Vec<Label> = p
                .resources
                .iter()
                .flat_map(|r| r.labels.iter().flatten().cloned())
                .collect();
            PermissionInput {
                role_id: p.role_id.clone(),
                resources: p
                    .resources
                    .iter()
                    .map(|r| PermissionResource {
                        labels: None,
                        ..r.clone()
                    })
                    .collect(),
                labels: (!labels.is_empty()).then_some(labels),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(kind: &str, labels: Option<Vec<Label>>) -> PermissionResource {
        PermissionResource {
            id: "w1".into(),
            kind: kind.into(),
            labels,
        }
    }

    #[test]
    fn invites_carry_labels_on_the_permission() {
        let env = Label {
            key: "env".into(),
            value: "prod".into(),
            description: None,
        };
        let perms = [PermissionInput {
            role_id: "r".into(),
            resources: vec![resource("WORKSPACE", Some(vec![env.clone()]))],
            labels: None,
        }];
        let out = invite_permissions(&perms);
        assert_eq!(out[0].resources, vec![resource("WORKSPACE", None)]);
        assert_eq!(out[0].labels, Some(vec![env]));
    }

    #[test]
    fn permissions_without_resources_read_as_configured() {
        let perm = Permission {
            role_id: "r".into(),
            role_name: "R".into(),
            resources: vec![],
            labels: None,
        };
        let v = permissions_value(std::slice::from_ref(&perm), &Value::Null);
        assert_eq!(
            v.as_elements().and_then(|e| e[0].get("resources")),
            Some(&Value::Null)
        );
        let prior = Value::Set(vec![Value::object([
            ("role_id", "r".into()),
            ("resources", Value::Set(vec![])),
        ])]);
        let v = permissions_value(&[perm], &prior);
        assert_eq!(v, prior);
    }
}
