//! Which folder declaration each workspace object is: its import block,
//! then Terraform state, then its natural key; an object none of these
//! finds gets a new name.

use std::collections::{HashMap, HashSet};

use segment_resources::engine::Engine;
use segment_resources::value::Value;

use super::Request;
use crate::desired::{self, Desired};
use crate::files::Manifest;
use crate::hcl::eval::{self, Ev};
use crate::kinds;
use crate::naming::Addresses;
use crate::repo::{Folder, ResourceDecl};

/// An object and the name it has (or gets) in the folder.
pub(super) struct Placed<'d> {
    pub desired: &'d Desired,
    pub name: String,
    /// The declaration it already has in the folder.
    pub existing: Option<ResourceDecl>,
}

/// The objects placed so far, the addresses they took, and the objects
/// left out with the reason.
#[derive(Default)]
pub(super) struct Placing<'d> {
    pub placed: Vec<Placed<'d>>,
    claimed: HashSet<String>,
    pub skipped: Vec<String>,
}

fn string_of(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The address Terraform state manages `d` at: the state given, else the
/// local backend's beside the files.
pub(super) fn managed_by<'a>(
    req: &Request<'a>,
    folder: &'a Folder,
    d: &Desired,
) -> Option<&'a String> {
    let key = (d.live.type_name.to_string(), d.id.clone());
    req.state.get(&key).or_else(|| folder.state.get(&key))
}

/// The names the folder already uses; those of objects earlier runs
/// exported carry their ids, so references to them resolve.
pub(super) fn declared_addresses(folder: &Folder, manifest: &Manifest) -> Addresses {
    let mut addresses = Addresses::default();
    for r in &folder.resources {
        addresses.claim(&r.type_name, &r.name, None);
    }
    for e in &manifest.resources {
        if let Some((t, n)) = e.address.split_once('.') {
            if folder.resource(&e.address).is_some() {
                addresses.claim(t, n, Some(&e.id));
            }
        }
    }
    addresses
}

impl<'d> Placing<'d> {
    fn place(&mut self, d: &'d Desired, decl: &ResourceDecl, addresses: &mut Addresses) {
        self.claimed.insert(decl.address());
        addresses.claim(&decl.type_name, &decl.name, Some(&d.id));
        self.placed.push(Placed {
            desired: d,
            name: decl.name.clone(),
            existing: Some(decl.clone()),
        });
    }

    /// Places the objects an import block or Terraform state names;
    /// answers the rest.
    pub fn by_import_or_state(
        &mut self,
        folder: &Folder,
        req: &Request<'d>,
        addresses: &mut Addresses,
    ) -> Vec<&'d Desired> {
        let by_import: HashMap<(&str, &str), &str> = folder
            .imports
            .iter()
            .filter_map(|i| Some(((i.to.split_once('.')?.0, i.id.as_str()), i.to.as_str())))
            .collect();
        let mut unplaced = Vec::new();
        for d in req.desired {
            let decl = by_import
                .get(&(d.live.type_name, d.live.import_id.as_str()))
                .map(|a| a.to_string())
                .or_else(|| managed_by(req, folder, d).cloned())
                .filter(|a| !self.claimed.contains(a))
                .and_then(|a| folder.resource(&a));
            match decl {
                Some(decl) => self.place(d, decl, addresses),
                None => unplaced.push(d),
            }
        }
        unplaced
    }

    /// Places objects by their natural key, evaluated with the references
    /// known so far; answers those still new that the provider accepts.
    pub fn by_natural_key(
        &mut self,
        engine: &Engine,
        folder: &Folder,
        unplaced: Vec<&'d Desired>,
        addresses: &mut Addresses,
    ) -> Vec<&'d Desired> {
        let mut fresh = Vec::new();
        for d in unplaced {
            let found = self
                .natural_match(folder, d, addresses)
                .or_else(|| self.described_match(engine, folder, d, addresses));
            match found {
                Some(r) => self.place(d, r, addresses),
                // Never named, so nothing refers to it: references to it stay ids.
                None => match desired::refusal(engine, d) {
                    Some(why) => self.skipped.push(format!(
                        "skip {} {:?}: the provider refuses it: {why}",
                        d.live.type_name, d.live.import_id
                    )),
                    None => fresh.push(d),
                },
            }
        }
        fresh
    }

    /// The unclaimed declaration without an import block whose natural key
    /// evaluates to `d`'s.
    fn natural_match<'f>(
        &self,
        folder: &'f Folder,
        d: &Desired,
        addresses: &Addresses,
    ) -> Option<&'f ResourceDecl> {
        let kind = kinds::by_type(d.live.type_name).filter(|k| !k.natural_key.is_empty())?;
        let key: Vec<Ev> = kind
            .natural_key
            .iter()
            .map(|a| string_of(d.state.get(*a)).map_or(Ev::Null, Ev::String))
            .collect();
        folder.resources.iter().find(|r| {
            r.type_name == d.live.type_name
                && !self.claimed.contains(&r.address())
                && folder.import_for(&r.address()).is_none()
                && kind.natural_key.iter().zip(&key).all(|(a, want)| {
                    r.attributes
                        .get(*a)
                        .map(|(e, _)| eval::of_expr(e, addresses))
                        .is_some_and(|got| &got == want)
                })
        })
    }

    /// For a type without a natural key: the unclaimed declaration without
    /// an import block whose every argument says `d`'s value (secrets and
    /// what the generator cannot evaluate aside). That is a block kept by
    /// `--on-delete keep` whose object `terraform apply` created again
    /// under a new id, or a person's block applied before sync saw it:
    /// without this, sync would write the object a second time.
    fn described_match<'f>(
        &self,
        engine: &Engine,
        folder: &'f Folder,
        d: &Desired,
        addresses: &Addresses,
    ) -> Option<&'f ResourceDecl> {
        kinds::by_type(d.live.type_name).filter(|k| k.natural_key.is_empty())?;
        let spec = engine.resource_spec(d.live.type_name)?;
        let want: HashMap<String, Ev> = desired::attributes(spec, &d.state)
            .into_iter()
            .map(|(name, v)| {
                let ev = eval::of_hv(&v, addresses);
                let ev = if desired::is_set(spec, &name) {
                    ev.unordered()
                } else {
                    ev
                };
                (name, ev)
            })
            .collect();
        folder.resources.iter().find(|r| {
            r.type_name == d.live.type_name
                && !self.claimed.contains(&r.address())
                && folder.import_for(&r.address()).is_none()
                // Something known must say it is this object.
                && r.attributes.values().any(|(e, _)| {
                    !matches!(eval::of_expr(e, addresses), Ev::Unknown | Ev::Secret)
                })
                && r.attributes.iter().all(|(name, (expr, _))| {
                    let got = eval::of_expr(expr, addresses);
                    let got = if desired::is_set(spec, name) {
                        got.unordered()
                    } else {
                        got
                    };
                    alike(&got, want.get(name).unwrap_or(&Ev::Null))
                })
        })
    }

    /// New names, parents first so children can start with their names.
    pub fn name_fresh(&mut self, mut fresh: Vec<&'d Desired>, addresses: &mut Addresses) {
        fresh.sort_by_key(|d| kinds::rank(d.live.type_name));
        for d in fresh {
            let parts: Vec<String> = kinds::by_type(d.live.type_name)
                .map(|k| k.name_from)
                .unwrap_or_default()
                .iter()
                .filter_map(|a| string_of(d.state.get(*a)))
                .map(|v| addresses.name_of(&v).map(str::to_string).unwrap_or(v))
                .collect();
            let name = addresses.fresh(d.live.type_name, &parts, &d.id, &d.live.import_id);
            addresses.claim(d.live.type_name, &name, Some(&d.id));
            self.placed.push(Placed {
                desired: d,
                name,
                existing: None,
            });
        }
    }
}

/// Whether a block's value can be the workspace's: what the generator
/// cannot evaluate, and secrets (a variable in the file, a mask live),
/// match anything.
fn alike(got: &Ev, want: &Ev) -> bool {
    match (got, want) {
        (Ev::Unknown | Ev::Secret, _) => true,
        (Ev::List(a), Ev::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| alike(x, y))
        }
        (Ev::Object(a), Ev::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| alike(v, w)))
        }
        (Ev::Encoded(a), Ev::Encoded(b)) => alike(a, b),
        (a, b) => a == b,
    }
}
