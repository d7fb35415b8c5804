//! The review as a pull-request comment.

use super::review::{Class, Review};

fn heading(class: Class) -> &'static str {
    match class {
        Class::Breaking => "Breaking",
        Class::Caution => "Caution",
        Class::Safe => "Safe",
    }
}

pub fn render(review: &Review) -> String {
    let s = review.summary;
    let mut out = format!(
        "### Segment workspace review: {} breaking, {} caution, {} safe\n\n",
        s.breaking, s.caution, s.safe
    );
    if review.changes.is_empty() {
        out.push_str("No change to the workspace.\n");
        return out;
    }
    for class in [Class::Breaking, Class::Caution, Class::Safe] {
        let changes: Vec<_> = review.changes.iter().filter(|c| c.class == class).collect();
        if changes.is_empty() {
            continue;
        }
        out.push_str(&format!("#### {}\n\n", heading(class)));
        for c in changes {
            out.push_str(&format!("- `{}` ({})\n", c.address, c.actions.join(", ")));
            for r in &c.reasons {
                out.push_str(&format!("  - {r}\n"));
            }
        }
        out.push('\n');
    }
    out.push_str(
        "<sub>segment-gitops check: settings values and secrets are never shown. \
         Breaking: data stops flowing or events a producer sends may be refused; \
         caution: settings, secrets or permissions change; safe: names, labels, additions.</sub>\n",
    );
    out
}
