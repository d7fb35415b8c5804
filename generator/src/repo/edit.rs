//! Byte-exact edits of a file: everything outside the edited ranges stays
//! as the person left it, comments and layout included.

use std::ops::Range;

use crate::hcl::{align, write, Hv};

/// Replacements in one file, applied together.
#[derive(Debug, Default)]
pub struct Edits {
    edits: Vec<(Range<usize>, String)>,
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Just past the newline ending the line that holds `pos`.
fn line_end(text: &str, pos: usize) -> usize {
    text[pos..]
        .find('\n')
        .map(|i| pos + i + 1)
        .unwrap_or(text.len())
}

fn indent_of(text: &str, pos: usize) -> usize {
    pos - line_start(text, pos)
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// `key = value` in place of the attribute at `span`.
    pub fn set_attribute(&mut self, text: &str, span: &Range<usize>, key: &str, v: &Hv) {
        let indent = indent_of(text, span.start);
        self.edits
            .push((span.clone(), format!("{key} = {}", write::value(v, indent))));
    }

    /// A new attribute as the last line of the block at `block`.
    pub fn add_attribute(&mut self, text: &str, block: &Range<usize>, key: &str, v: &Hv) {
        let close = block.end.saturating_sub(1);
        let at = line_start(text, close);
        let indent = indent_of(text, block.start) + 2;
        let mut line = String::new();
        write::attribute(&mut line, indent, key, v);
        if at <= block.start {
            // A one-line block `x {}`: open it up.
            self.edits.push((close..close, format!("\n{line}")));
        } else {
            self.edits.push((at..at, line));
        }
    }

    /// A nested block (`text` at indent 0, newline-ended) as the last
    /// lines of the block at `block`, after a blank line.
    pub fn add_block(&mut self, text: &str, block: &Range<usize>, nested: &str) {
        let close = block.end.saturating_sub(1);
        let at = line_start(text, close);
        let pad = " ".repeat(indent_of(text, block.start) + 2);
        let lines: String = nested.lines().map(|l| format!("{pad}{l}\n")).collect();
        if at <= block.start {
            self.edits.push((close..close, format!("\n{lines}")));
        } else {
            self.edits.push((at..at, format!("\n{lines}")));
        }
    }

    /// Removes the whole lines `span` covers.
    pub fn remove_lines(&mut self, text: &str, span: &Range<usize>) {
        let start = line_start(text, span.start);
        let mut end = line_end(text, span.end.saturating_sub(1).max(span.start));
        // And one blank line after a removed block, so no gap is left.
        if text[end..].starts_with('\n') && (start == 0 || text[..start].ends_with("\n\n")) {
            end += 1;
        }
        self.edits.push((start..end, String::new()));
    }

    /// Text at the end of the file, after a blank line.
    pub fn append(&mut self, text: &str, addition: &str) {
        let sep = if text.is_empty() || text.ends_with("\n\n") {
            ""
        } else if text.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        self.edits
            .push((text.len()..text.len(), format!("{sep}{addition}")));
    }

    /// The edited text; re-aligned when the original was aligned as
    /// `terraform fmt` leaves it (a person's own layout is kept otherwise).
    pub fn apply(mut self, text: &str) -> String {
        let was_aligned = align::is_aligned(text);
        self.edits
            .sort_by(|a, b| b.0.start.cmp(&a.0.start).then(b.0.end.cmp(&a.0.end)));
        let mut out = text.to_string();
        let mut floor = usize::MAX;
        for (range, replacement) in self.edits {
            // Overlaps cannot come from one pass over distinct declarations;
            // skip rather than corrupt if one ever does.
            if range.end > floor {
                continue;
            }
            floor = range.start;
            out.replace_range(range, &replacement);
        }
        if was_aligned {
            if let Some(aligned) = align::align(&out) {
                return aligned;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my source\nresource \"segment_source\" \"web\" {\n  slug    = \"web\" # keep me\n  enabled = true\n  name    = \"Old\"\n}\n";

    fn span_of(text: &str, needle: &str) -> Range<usize> {
        let start = text.find(needle).expect("present");
        start..start + needle.len()
    }

    #[test]
    fn edits_keep_comments_and_realign() {
        let mut e = Edits::default();
        e.set_attribute(
            FILE,
            &span_of(FILE, "name    = \"Old\""),
            "name",
            &Hv::String("New".into()),
        );
        let block = span_of(FILE, "resource \"segment_source\" \"web\" {\n  slug    = \"web\" # keep me\n  enabled = true\n  name    = \"Old\"\n}");
        e.add_attribute(FILE, &block, "description", &Hv::String("d".into()));
        e.remove_lines(FILE, &span_of(FILE, "enabled = true"));
        let out = e.apply(FILE);
        assert_eq!(
            out,
            "# my source\nresource \"segment_source\" \"web\" {\n  slug        = \"web\" # keep me\n  name        = \"New\"\n  description = \"d\"\n}\n"
        );
    }
}
