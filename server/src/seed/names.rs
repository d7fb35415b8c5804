//! Names that look like a real workspace's, with spaces, dashes and accents,
//! because the generator turns them into HCL and file names later.

/// The demo workspace's sources: (name, role, catalog slug). Larger seeds
/// start with these.
pub const DEMO_SOURCES: &[(&str, Role, &str)] = &[
    ("Web – Marketing Site", Role::Web, "javascript"),
    ("Café app – iOS", Role::Mobile, "ios"),
    ("Café app – Android", Role::Mobile, "android"),
    ("Checkout API", Role::Server, "http-api"),
    ("Web – Docs Portal (staging)", Role::Web, "javascript"),
    ("Stripe – Billing", Role::Cloud, "stripe"),
    ("Order Service – Go", Role::Server, "go"),
    ("Salesforce CRM", Role::Cloud, "salesforce"),
    ("Zendesk Support – Tickets", Role::Cloud, "zendesk"),
    (
        "Snowflake – Analytics Warehouse",
        Role::Warehouse,
        "snowflake",
    ),
    ("Bäckerei Müller – Kiosk", Role::Mobile, "react-native"),
    ("BigQuery – Growth Models", Role::Warehouse, "bigquery"),
];

/// What a source is for; it decides the integration and what hangs off it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Web,
    Mobile,
    Server,
    /// A cloud app source (Stripe, Salesforce...): secret settings, few destinations.
    Cloud,
    /// A warehouse read by Reverse ETL models.
    Warehouse,
}

/// The role of generated source `k` (counted after the demo ones): mostly
/// event sources, 15 % cloud apps, 5 % warehouses.
pub fn generated_role(k: usize) -> Role {
    match k % 20 {
        5 | 11 | 17 => Role::Cloud,
        19 => Role::Warehouse,
        r if r % 3 == 0 => Role::Web,
        r if r % 3 == 1 => Role::Mobile,
        _ => Role::Server,
    }
}

const BRANDS: &[&str] = &[
    "Acme Shop",
    "Café Olé",
    "Nordlicht Reisen",
    "Smørrebrød & Co",
    "Zürich Mobility",
    "Loja São Paulo",
    "Tōkyō Bento",
    "Élan Fitness",
    "Kraków Books",
    "Ñandú Travel",
    "Crème Brûlée Bakery",
    "Øresund Ferries",
    "Çay Evi Istanbul",
    "Atelier Noël",
    "Blue Harbor Bank",
    "Pixel Forge Games",
];

/// What a source of each role is called, and the catalog slug it uses.
fn surfaces(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Web => &[
            ("Web – Storefront", "javascript"),
            ("Web – Help Center", "javascript"),
            ("Web – Blog", "javascript"),
        ],
        Role::Mobile => &[
            ("iOS app", "ios"),
            ("Android app", "android"),
            ("React Native app", "react-native"),
        ],
        Role::Server => &[
            ("Order Service", "node-js"),
            ("Billing API", "java"),
            ("Notifications worker", "python"),
        ],
        Role::Cloud => &[
            ("Stripe", "stripe"),
            ("HubSpot", "hubspot"),
            ("Twilio SMS", "twilio"),
        ],
        Role::Warehouse => &[
            ("Snowflake", "snowflake"),
            ("BigQuery", "bigquery"),
            ("Redshift", "redshift"),
        ],
    }
}

/// The name and catalog slug of generated source `k`: brand × surface,
/// numbered after the first round so every name stays unique.
pub fn generated(k: usize, role: Role) -> (String, &'static str) {
    let brand = BRANDS[k % BRANDS.len()];
    let s = surfaces(role);
    let (surface, slug) = s[(k / BRANDS.len()) % s.len()];
    let round = k / (BRANDS.len() * s.len());
    let name = if round == 0 {
        format!("{brand} – {surface}")
    } else {
        format!("{brand} – {surface} ({})", round + 1)
    };
    (name, slug)
}

/// A source slug from its name: ASCII lowercase, accents folded, runs of
/// anything else turned into one `_` (the API takes `[a-z0-9_-]`).
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => "a",
            'ç' | 'ć' => "c",
            'é' | 'è' | 'ê' | 'ë' | 'ē' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' => "u",
            'ß' => "ss",
            'æ' => "ae",
            'ł' => "l",
            'ś' | 'ş' => "s",
            _ => "_",
        };
        if folded == "_" {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push_str(folded);
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("source");
    }
    out.truncate(100);
    out
}

/// Label keys and values every seed creates: (key, value, description).
pub const LABELS: &[(&str, &str, &str)] = &[
    ("environment", "production", "Live traffic"),
    ("environment", "staging", "Pre-release – QA only"),
    ("environment", "development", "Local and preview builds"),
    ("team", "marketing", "Équipe marketing"),
    ("team", "growth", "Growth & lifecycle"),
    ("team", "data-platform", "Data platform"),
    ("team", "mobile", "iOS and Android"),
    ("region", "eu", "Europe (Frankfurt, Dublin)"),
    ("region", "us", "United States"),
];

/// Event names for tracking plan rules: object × verb, 300 in all.
pub fn event_name(i: usize) -> String {
    const OBJECTS: &[&str] = &[
        "Product",
        "Order",
        "Cart",
        "Checkout",
        "Coupon",
        "Promotion",
        "Wishlist",
        "Review",
        "Account",
        "Subscription",
        "Trial",
        "Invoice",
        "Payment",
        "Video",
        "Podcast",
        "Article",
        "Search",
        "Signup",
        "Experiment",
        "Notification",
        "Message",
        "Ticket",
        "Plan",
        "Feature",
        "Report",
        "Dashboard",
        "Integration",
        "Invite",
        "Team",
        "File",
    ];
    const VERBS: &[&str] = &[
        "Viewed",
        "Clicked",
        "Added",
        "Removed",
        "Started",
        "Completed",
        "Updated",
        "Shared",
        "Deleted",
        "Failed",
    ];
    let object = OBJECTS[i % OBJECTS.len()];
    let verb = VERBS[(i / OBJECTS.len()) % VERBS.len()];
    let round = i / (OBJECTS.len() * VERBS.len());
    if round == 0 {
        format!("{object} {verb}")
    } else {
        format!("{object} {verb} v{}", round + 1)
    }
}

pub const PLAN_NAMES: &[&str] = &[
    "Café app – Master Tracking Plan",
    "Web – Marketing Events",
    "App Events – 日本 (JP)",
    "Checkout & Payments",
    "Lifecycle Messaging",
];

pub const GROUP_NAMES: &[&str] = &[
    "Data Platform",
    "Marketing – EMEA",
    "Mobile Engineering",
    "Support & Success",
    "Analytics Read-only",
];

pub const PEOPLE: &[&str] = &[
    "amelie.durand",
    "jonas.bergstrom",
    "sofia.garcia",
    "kenji.tanaka",
    "zoe.muller",
    "liam.obrien",
    "ines.ferreira",
    "noah.kowalski",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_collapse_separators() {
        assert_eq!(slugify("Web – Marketing Site"), "web_marketing_site");
        assert_eq!(slugify("Café app – iOS"), "cafe_app_ios");
        assert_eq!(slugify("Smørrebrød & Co"), "smorrebrod_co");
        assert_eq!(slugify("東京"), "source");
    }

    #[test]
    fn generated_names_are_unique_at_scale() {
        let mut seen = std::collections::HashSet::new();
        for k in 0..20_000 {
            let (name, _) = generated(k, generated_role(k));
            assert!(seen.insert(slugify(&name)), "duplicate slug for {name}");
        }
    }
}
