//! Every rate limit the local workspace enforces, with where its number
//! comes from. One table: a limit is a row, nothing else names a number.

use axum::http::Method;

/// Methods that change something.
const WRITES: &[Method] = &[Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
const READS: &[Method] = &[Method::GET];
/// Any method at all.
const ANY: &[Method] = &[];

/// A limit on some endpoints, per token, on top of the general budget.
#[derive(Debug)]
pub struct Rule {
    /// Names the endpoints in a 429's message.
    pub name: &'static str,
    /// The methods it covers; empty is every method.
    pub methods: &'static [Method],
    /// Path templates; `{...}` matches any path parameter, whatever its
    /// name, so Segment's spelling and the router's agree.
    pub paths: &'static [&'static str],
    /// Requests per minute (before `--rate-limit-scale`).
    pub per_minute: u32,
    /// Where the number comes from.
    pub source: &'static str,
}

/// Where the per-endpoint numbers come from: the notes on Segment's Public
/// API SDK operations ("This endpoint has a rate limit of N requests per
/// minute"), collected in the project's Public API notes.
const SDK: &str = "Segment Public API SDK operation notes";

/// The general per-token budget Segment does not publish. 600 a minute is
/// a third-party profile of Segment's Public API (apis.io); an assumption,
/// set with `--rate-limit-budget`.
pub const DEFAULT_BUDGET_PER_MINUTE: u32 = 600;

pub const RULES: &[Rule] = &[
    Rule {
        name: "destination subscription create/update/remove",
        methods: WRITES,
        paths: &[
            "/destinations/{}/subscriptions",
            "/destinations/{}/subscriptions/{}",
        ],
        per_minute: 5,
        source: SDK,
    },
    Rule {
        name: "selective sync",
        methods: ANY,
        paths: &[
            "/warehouses/{}/selective-sync",
            "/warehouses/{}/connected-sources/{}/selective-sync",
            "/spaces/{}/profiles-warehouses/{}/selective-sync",
        ],
        per_minute: 2,
        source: SDK,
    },
    Rule {
        name: "computed trait create/update",
        methods: &[Method::POST, Method::PATCH],
        paths: &[
            "/spaces/{}/computed-traits",
            "/spaces/{}/computed-traits/{}",
        ],
        per_minute: 10,
        source: SDK,
    },
    Rule {
        name: "list computed traits",
        methods: READS,
        paths: &["/spaces/{}/computed-traits"],
        per_minute: 25,
        source: SDK,
    },
    Rule {
        name: "audience writes",
        methods: WRITES,
        paths: &["/spaces/{}/audiences", "/spaces/{}/audiences/{}"],
        per_minute: 50,
        source: SDK,
    },
    Rule {
        name: "IAM user, group and label writes",
        methods: WRITES,
        paths: &[
            "/invites",
            "/users",
            "/users/{}",
            "/users/{}/permissions",
            "/users/{}/groups",
            "/groups",
            "/groups/{}",
            "/groups/{}/permissions",
            "/groups/{}/invites",
            "/groups/{}/users",
            "/labels",
            "/labels/{}/{}",
        ],
        per_minute: 60,
        source: SDK,
    },
    Rule {
        name: "list tracking plan rules",
        methods: READS,
        paths: &["/tracking-plans/{}/rules"],
        per_minute: 200,
        source: SDK,
    },
];

impl Rule {
    pub fn matches(&self, method: &Method, route: &str) -> bool {
        (self.methods.is_empty() || self.methods.contains(method))
            && self.paths.iter().any(|p| same_template(p, route))
    }
}

/// The rules covering a request, as indexes into [`RULES`].
pub fn rules_for<'a>(method: &'a Method, route: &'a str) -> impl Iterator<Item = usize> + 'a {
    RULES
        .iter()
        .enumerate()
        .filter(move |(_, r)| r.matches(method, route))
        .map(|(i, _)| i)
}

/// `/a/{}/b` and `/a/{id}/b` are one template: parameters match by place.
fn same_template(pattern: &str, route: &str) -> bool {
    let mut p = pattern.split('/');
    let mut r = route.split('/');
    loop {
        match (p.next(), r.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) => {
                let param = |s: &str| s.starts_with('{') && s.ends_with('}');
                if !(a == b || (param(a) && param(b))) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_by_place_not_by_parameter_name() {
        let post = Method::POST;
        let subs: Vec<_> = rules_for(&post, "/destinations/{id}/subscriptions").collect();
        assert_eq!(subs, vec![0]);
        assert_eq!(
            rules_for(&Method::GET, "/destinations/{id}/subscriptions").count(),
            0
        );
        assert_eq!(rules_for(&post, "/destinations/{id}").count(), 0);
        assert_eq!(
            rules_for(&post, "/destinations/{id}/subscriptions/x").count(),
            0
        );
        assert_eq!(
            rules_for(&Method::DELETE, "/labels/{key}/{value}").count(),
            1
        );
    }

    #[test]
    fn every_rule_has_a_number_a_source_and_paths() {
        for r in RULES {
            assert!(
                r.per_minute > 0 && !r.source.is_empty() && !r.paths.is_empty(),
                "{r:?}"
            );
            assert!(r.paths.iter().all(|p| p.starts_with('/')), "{r:?}");
        }
    }
}
