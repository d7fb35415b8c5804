//! Addresses for new resources, references between exported resources, and
//! sensitive variables for masked secrets.

use std::collections::{BTreeSet, HashMap};

use crate::hcl::Hv;
use crate::kinds;
use segment_resources::engine::json_attr::is_mask;

mod safe;

pub use safe::{capped, file_name, identifier, is_portable, MAX_CAPPED};

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
        // Ignoring case: `Web` and `web` would share a file name on macOS
        // and Windows.
        self.taken
            .entry(type_name.to_string())
            .or_default()
            .insert(name.to_lowercase());
        if let Some(id) = id {
            let address = format!("{type_name}.{name}");
            self.by_id.insert(id.to_string(), address.clone());
            self.by_address.insert(address, id.to_string());
        }
    }

    pub fn address_of(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// A free name for a new object of `type_name`, made of `parts`:
    /// capped by the hash of `import_id`, unique ignoring case.
    pub fn fresh(
        &self,
        type_name: &str,
        parts: &[String],
        fallback_id: &str,
        import_id: &str,
    ) -> String {
        let joined = parts.join("_");
        let base = identifier(&joined)
            .or_else(|| identifier(&format!("{}_{fallback_id}", kinds::short(type_name))))
            .unwrap_or_else(|| kinds::short(type_name).to_string());
        let base = capped(&base, import_id);
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
/// Long names are capped by the hash of `import_id` and the key, so a
/// variable keeps its name whatever other keys come and go.
pub fn hide_secrets(attributes: &mut [(String, Hv)], prefix: &str, import_id: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
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
                let base = capped(
                    base.trim_end_matches('_'),
                    &format!("{import_id}\n{}", key.unwrap_or("secret")),
                );
                let mut name = base.clone();
                let mut i = 2;
                while names.iter().any(|n: &String| n.eq_ignore_ascii_case(&name)) {
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
        assert_eq!(identifier("!?"), None);
        assert_eq!(identifier("café au lait").as_deref(), Some("cafe_au_lait"));
    }

    #[test]
    fn fresh_names_never_collide() {
        let mut a = Addresses::default();
        a.claim("segment_source", "web", Some("s1"));
        assert_eq!(
            a.fresh("segment_source", &["Web".into()], "x", "x"),
            "web_2"
        );
        assert_eq!(
            a.fresh("segment_destination", &["Web".into()], "x", "x"),
            "web"
        );
        assert_eq!(
            a.fresh("segment_source", &["!?".into()], "Ab9", "Ab9"),
            "source_ab9"
        );
    }

    /// What broke: names that differ only by case or punctuation must not
    /// share an address or a file (`Checkout API`, `checkout-api`), and a
    /// person's `Web` holds `web` on a case-insensitive file system.
    #[test]
    fn names_alike_but_for_case_or_punctuation_get_their_own() {
        let mut a = Addresses::default();
        a.claim("segment_tracking_plan", "Web", None);
        let mut got = Vec::new();
        for (i, n) in ["Checkout API", "checkout-api", "CHECKOUT  api", "web"]
            .iter()
            .enumerate()
        {
            let name = a.fresh(
                "segment_tracking_plan",
                &[n.to_string()],
                "x",
                &i.to_string(),
            );
            a.claim("segment_tracking_plan", &name, Some(&i.to_string()));
            got.push(name);
        }
        assert_eq!(
            got,
            ["checkout_api", "checkout_api_2", "checkout_api_3", "web_2"]
        );
    }

    proptest::proptest! {
        /// Any names at all, however alike: every fresh name is portable,
        /// capped, and unique ignoring case.
        #[test]
        fn fresh_names_are_portable_capped_and_unique_ignoring_case(
            names in proptest::collection::vec(proptest::prelude::any::<String>(), 1..12),
        ) {
            let mut a = Addresses::default();
            let mut seen = std::collections::HashSet::new();
            for (i, n) in names.iter().enumerate() {
                let id = format!("id{i}");
                let name = a.fresh("segment_source", &[n.clone(), n.to_uppercase()], &id, &id);
                a.claim("segment_source", &name, Some(&id));
                proptest::prop_assert!(is_portable(&name), "{:?} from {:?}", name, n);
                proptest::prop_assert!(name.len() <= MAX_CAPPED + 3, "{}", name);
                proptest::prop_assert!(seen.insert(name.to_lowercase()), "{} twice", name);
            }
        }
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
        let vars = hide_secrets(&mut attrs, "destination_web", "d1");
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
        let vars = hide_secrets(&mut attrs, "source_web", "s1");
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
