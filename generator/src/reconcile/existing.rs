//! Edits to a resource the folder already declares, attribute by
//! attribute, under sync's three-way rule: base = the workspace's value
//! when the generator last wrote this object ([`crate::base`]), ours = the
//! folder (HEAD), theirs = live. Where live equals the base the workspace
//! did not change the attribute, and what the folder says is kept (a
//! person's committed, not yet applied edit); otherwise live is written.

use std::collections::BTreeMap;

use segment_resources::engine::{ResourceSpec, Role};

use crate::base::fingerprint;
use crate::desired;
use crate::hcl::eval::{self, Ev};
use crate::hcl::Hv;
use crate::naming::Addresses;
use crate::repo::edit::Edits;
use crate::repo::ResourceDecl;

pub(super) struct Existing<'x> {
    pub spec: &'x ResourceSpec,
    pub decl: &'x ResourceDecl,
    pub text: &'x str,
    pub attrs: &'x [(String, Hv)],
    pub addresses: &'x Addresses,
    /// The object's base; `None` when unknown (two-way: live wins).
    pub base: Option<&'x BTreeMap<String, String>>,
}

/// What [`edit`] changed, and the person's values it replaced.
#[derive(Default)]
pub(super) struct Edited {
    pub changed: Vec<String>,
    pub replaced: Vec<String>,
}

/// A value as compared: sets without order.
fn comparable(spec: &ResourceSpec, name: &str, v: Ev) -> Ev {
    if desired::is_set(spec, name) {
        v.unordered()
    } else {
        v
    }
}

/// Each attribute's fingerprint as the workspace holds it now.
pub(super) fn fingerprints(
    spec: &ResourceSpec,
    attrs: &[(String, Hv)],
    addresses: &Addresses,
) -> BTreeMap<String, String> {
    attrs
        .iter()
        .map(|(name, v)| {
            let ev = comparable(spec, name, eval::of_hv(v, addresses));
            (name.clone(), fingerprint(&ev))
        })
        .collect()
}

pub(super) fn edit(x: &Existing, e: &mut Edits) -> Edited {
    let mut out = Edited::default();
    let base_of = |name: &str| x.base.and_then(|b| b.get(name));
    // Whether the folder's value is one the generator wrote: replacing
    // anything else replaces a person's value, and the commit says so.
    let persons = |name: &str, got: &Ev, span: &std::ops::Range<usize>, out: &mut Edited| {
        if x.base.is_some() && base_of(name) != Some(&fingerprint(got)) {
            let written = x.text.get(span.clone()).unwrap_or_default();
            out.replaced.push(format!(
                "{}: the workspace's value replaced `{written}`",
                x.decl.address()
            ));
        }
    };
    for (name, v) in x.attrs {
        let want = comparable(x.spec, name, eval::of_hv(v, x.addresses));
        let unchanged_live = base_of(name) == Some(&fingerprint(&want));
        match x.decl.attributes.get(name) {
            Some((expr, span)) => {
                let got = comparable(x.spec, name, eval::of_expr(expr, x.addresses));
                if eval::same(&got, &want) || unchanged_live {
                    continue;
                }
                e.set_attribute(x.text, span, name, v);
                out.changed.push(name.clone());
                persons(name, &got, span, &mut out);
            }
            // A person removed it while the workspace kept it: theirs.
            None if unchanged_live => {}
            None => {
                e.add_attribute(x.text, &x.decl.span, name, v);
                out.changed.push(name.clone());
            }
        }
    }
    // An argument the workspace no longer sets: its line goes, unless the
    // workspace never set it (a person added it).
    for (name, (expr, span)) in &x.decl.attributes {
        let is_argument = x.spec.field(name).is_some_and(|f| f.role != Role::Computed);
        let wanted = x.attrs.iter().any(|(n, _)| n == name);
        let got = comparable(x.spec, name, eval::of_expr(expr, x.addresses));
        let persons_addition = x.base.is_some() && base_of(name).is_none();
        if is_argument && !wanted && got != Ev::Null && !got.has_unknown() && !persons_addition {
            e.remove_lines(x.text, span);
            out.changed.push(name.clone());
            persons(name, &got, span, &mut out);
        }
    }
    out
}
