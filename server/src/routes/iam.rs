//! Identity and access: roles, and the query helpers the IAM paths share.
//! Users and invites are in `iam_users.rs`, groups in `iam_groups.rs`, the
//! permissions both hold in `iam_permissions.rs`.

use axum::http::Uri;
use axum::routing::get;
use axum::Router;
use segment_api::models::Role;

use super::answer::{self, List};
use crate::error::{AppError, AppResult};
use crate::pagination::{self, PageRequest};
use crate::store::Page;
use crate::AppState;

#[path = "iam_groups.rs"]
mod groups;
#[path = "iam_permissions.rs"]
mod permissions;
#[path = "iam_users.rs"]
mod users;

use permissions::{add_permissions, checked, render, replace_permissions};
use segment_api::models::{RoleDef, ROLES};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/roles", get(list_roles))
        .merge(users::routes())
        .merge(groups::routes())
}

pub fn role(id: &str) -> Option<&'static RoleDef> {
    segment_api::models::known_role(id)
}

async fn list_roles(uri: Uri) -> AppResult<List<Role>> {
    let items = ROLES
        .iter()
        .map(|r| Role {
            id: r.id.to_string(),
            name: r.name.to_string(),
            description: r.description.to_string(),
        })
        .collect();
    listed("roles", items, &uri)
}

/// A list answer of items computed in memory, paged as the store pages.
pub fn listed<T>(key: &'static str, items: Vec<T>, uri: &Uri) -> AppResult<List<T>> {
    let (req, mut page) = page_values(items, uri)?;
    Ok(answer::list(
        key,
        std::mem::take(&mut page.items),
        req,
        &page,
    ))
}

/// Pages a list computed in memory the way the store pages documents.
pub fn page_values<T>(items: Vec<T>, uri: &Uri) -> AppResult<(PageRequest, Page<T>)> {
    let request = pagination::parse(uri.query())?;
    let start = usize::try_from(request.after).unwrap_or(0).min(items.len());
    let end = (start + request.count as usize).min(items.len());
    let total = items.len() as u64;
    let next = (end < items.len()).then_some(end as i64);
    let items = items.into_iter().skip(start).take(end - start).collect();
    Ok((request, Page { items, next, total }))
}

/// An array query parameter in every form clients send it: `name=a,b`
/// (segment-api), `name.0=a&name.1=b` (the Go SDK the official provider
/// uses), `name[0]=a` / `name[]=a` (the TypeScript SDK) and `name=a&name=b`.
pub fn list_param(uri: &Uri, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        let index = k.strip_prefix(name).unwrap_or("-");
        let matches = index.is_empty()
            || index
                .strip_prefix('.')
                .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
            || index
                .strip_prefix('[')
                .and_then(|i| i.strip_suffix(']'))
                .is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit()));
        if matches {
            out.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
    }
    out
}

/// A required array query parameter.
pub fn required_list(uri: &Uri, name: &str, example: &str) -> AppResult<Vec<String>> {
    let values = list_param(uri, name);
    if values.is_empty() {
        return Err(AppError::bad_request(
            name,
            format!("{name} is required: add ?{name}={example}"),
        ));
    }
    Ok(values)
}

/// An email must at least look like one.
pub fn check_email(field: &str, email: &str) -> AppResult<()> {
    let ok = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty() && !host.contains('@'))
        && !email.chars().any(char::is_whitespace);
    crate::values::plain_text(field, email)?;
    if !ok {
        return Err(AppError::invalid(
            field,
            format!("{field}: {email:?} is not an email address such as ada@example.com"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_parameters_in_every_client_style() {
        let cases = [
            "/users?userIds=a,b",
            "/users?userIds=a&userIds=b",
            "/users?userIds.0=a&userIds.1=b",
            "/users?userIds%5B0%5D=a&userIds%5B1%5D=b",
            "/users?userIds[]=a&userIds[]=b&userIdsX=c&pagination.count=2",
        ];
        for uri in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(list_param(&uri, "userIds"), ["a", "b"], "{uri}");
        }
        let e = required_list(&"/users".parse().unwrap(), "userIds", "x").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("userIds"));
    }

    #[test]
    fn static_lists_page_like_the_store() {
        let items: Vec<u32> = (0..5).collect();
        let uri: Uri = "/roles?pagination.count=2".parse().unwrap();
        let (_, page) = page_values(items.clone(), &uri).unwrap();
        assert_eq!((page.items.len(), page.next, page.total), (2, Some(2), 5));
        let last = format!("/roles?pagination.cursor={}", pagination::encode_cursor(4));
        let (_, page) = page_values(items, &last.parse().unwrap()).unwrap();
        assert_eq!((page.items, page.next), (vec![4], None));
    }

    #[test]
    fn role_ids_are_unique() {
        for (i, r) in ROLES.iter().enumerate() {
            assert!(ROLES[..i].iter().all(|o| o.id != r.id && o.name != r.name));
        }
    }

    #[test]
    fn emails_are_checked() {
        assert!(check_email("email", "ada@example.com").is_ok());
        for bad in ["ada", "ada@", "@example.com", "a b@example.com", "a@b@c"] {
            assert!(check_email("email", bad).is_err(), "{bad}");
        }
    }
}
