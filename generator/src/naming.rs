//! Addresses for new resources, references between exported resources, and
//! sensitive variables for masked secrets.

use std::collections::{BTreeSet, HashMap};

use crate::hcl::Hv;
use crate::kinds;
use segment_resources::engine::json_attr::is_mask;

/// `Plan: Web (EU)` → `plan_web_eu`; `None` when nothing usable is left.
pub fn identifier(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    if out.is_empty() {
        return None;
    }
    // Terraform names start with a letter or an underscore.
    Some(if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out.to_string()
    })
}

/// `apiKey` → `api_Key`, so [`identifier`] gives `api_key`.
fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for c in key.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// Every address in use, and which object each exported id is.
#[derive(Default)]
pub struct Addresses {
    taken: HashMap<String, BTreeSet<String>>,
    by_id: HashMap<String, String>,
    by_address: HashMap<String, String>,
}

impl Addresses {
    /// Records `type.name` as holding object `id` (if known).
    pub fn claim(&mut self, type_name: &str, name: &str, id: Option<&str>) {
        self.taken
            .entry(type_name.to_string())
            .or_default()
            .insert(name.to_string());
        if let Some(id) = id {
            let address = format!("{type_name}.{name}");
            self.by_id.insert(id.to_string(), address.clone());
            self.by_address.insert(address, id.to_string());
        }
    }

    pub fn address_of(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// A free name for a new object of `type_name`, made of `parts`.
    pub fn fresh(&self, type_name: &str, parts: &[String], fallback_id: &str) -> String {
        let joined = parts.join("_");
        let base = identifier(&joined)
            .or_else(|| identifier(&format!("{}_{fallback_id}", kinds::short(type_name))))
            .unwrap_or_else(|| kinds::short(type_name).to_string());
        let taken = self.taken.get(type_name);
        let free = |n: &str| !taken.is_some_and(|t| t.contains(n));
        if free(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base}_{i}"))
            .find(|n| free(n))
            .unwrap_or(base)
    }

    /// The name of the resource holding `id`, for names of its children.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        self.address_of(id)
            .and_then(|a| a.split_once('.'))
            .map(|(_, n)| n)
    }
}

impl crate::hcl::eval::Addresses for Addresses {
    fn id_of(&self, address: &str) -> Option<String> {
        self.by_address.get(address).cloned()
    }
}

/// Strings that hold the id of another exported object become references:
/// attributes named `*_id` or `id` inside nested objects, never inside JSON.
pub fn link(attributes: &mut [(String, Hv)], own_id: &str, addresses: &Addresses) {
    fn walk(key: &str, v: &mut Hv, own_id: &str, addresses: &Addresses) {
        match v {
            Hv::String(s) if (key == "id" || key.ends_with("_id")) && s != own_id => {
                if let Some(address) = addresses.address_of(s) {
                    *v = Hv::Ref(format!("{address}.id"));
                }
            }
            Hv::List(items) => items
                .iter_mut()
                .for_each(|i| walk(key, i, own_id, addresses)),
            Hv::Object(entries) => entries
                .iter_mut()
                .for_each(|(k, v)| walk(k, v, own_id, addresses)),
            _ => {}
        }
    }
    for (name, v) in attributes.iter_mut() {
        walk(name, v, own_id, addresses);
    }
}

/// Masked secrets inside JSON become sensitive variables named after the
/// resource and the key. Returns the variables' names.
pub fn hide_secrets(attributes: &mut [(String, Hv)], prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (_, v) in attributes.iter_mut() {
        if let Hv::Json(inner) = v {
            inner.for_each_mut(&mut |key, leaf| {
                let Hv::String(s) = leaf else { return };
                if !is_mask(s) {
                    return;
                }
                let base = format!(
                    "{prefix}_{}",
                    identifier(&snake(key.unwrap_or("secret"))).unwrap_or_default()
                );
                let base = base.trim_end_matches('_').to_string();
                let mut name = base.clone();
                let mut i = 2;
                while names.contains(&name) {
                    name = format!("{base}_{i}");
                    i += 1;
                }
                names.push(name.clone());
                *leaf = Hv::Var(name);
            });
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid_terraform_names() {
        assert_eq!(identifier("Web (EU)").as_deref(), Some("web_eu"));
        assert_eq!(identifier("1st source").as_deref(), Some("_1st_source"));
        assert_eq!(identifier("${x} \"q\"\nnew").as_deref(), Some("x_q_new"));
        assert_eq!(identifier("☃☃"), None);
        assert_eq!(identifier("café au lait").as_deref(), Some("caf_au_lait"));
    }

    #[test]
    fn fresh_names_never_collide() {
        let mut a = Addresses::default();
        a.claim("segment_source", "web", Some("s1"));
        assert_eq!(a.fresh("segment_source", &["Web".into()], "x"), "web_2");
        assert_eq!(a.fresh("segment_destination", &["Web".into()], "x"), "web");
        assert_eq!(
            a.fresh("segment_source", &["☃".into()], "Ab9"),
            "source_ab9"
        );
    }

    #[test]
    fn ids_become_references_but_not_inside_json() {
        let mut a = Addresses::default();
        a.claim("segment_source", "web", Some("s1"));
        let mut attrs = vec![
            ("source_id".to_string(), Hv::String("s1".into())),
            ("name".to_string(), Hv::String("s1".into())),
            (
                "settings".to_string(),
                Hv::Json(Box::new(Hv::Object(vec![
                    ("source_id".into(), Hv::String("s1".into())),
                    ("apiKey".into(), Hv::String("••••••••".into())),
                ]))),
            ),
        ];
        link(&mut attrs, "d1", &a);
        assert_eq!(attrs[0].1, Hv::Ref("segment_source.web.id".into()));
        assert_eq!(attrs[1].1, Hv::String("s1".into()));
        let vars = hide_secrets(&mut attrs, "destination_web");
        assert_eq!(vars, vec!["destination_web_api_key".to_string()]);
    }

    /// What broke: any string holding a bullet was taken for a masked
    /// secret, so a plain setting left Git for a variable.
    #[test]
    fn only_masked_values_become_variables() {
        let plain = Hv::String("Price • Tax".into());
        let mut attrs = vec![(
            "settings".to_string(),
            Hv::Json(Box::new(Hv::Object(vec![
                ("label".into(), plain.clone()),
                ("token".into(), Hv::String("•••".into())),
            ]))),
        )];
        let vars = hide_secrets(&mut attrs, "source_web");
        assert_eq!(vars, vec!["source_web_token".to_string()]);
        let Hv::Json(inner) = &attrs[0].1 else {
            panic!("settings stay JSON")
        };
        assert_eq!(
            **inner,
            Hv::Object(vec![
                ("label".into(), plain),
                ("token".into(), Hv::Var("source_web_token".into())),
            ])
        );
    }
}
