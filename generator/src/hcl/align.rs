//! The one layout rule of `terraform fmt` that generated text needs after
//! the fact: in a run of consecutive lines that each assign a whole value
//! (`key = value`, brackets balanced on the line), the `=` signs line up one
//! column after the longest key. A line that opens a multi-line value, a
//! blank line or anything else ends the run. (This is hclwrite's rule.)

/// Where a line's assignment starts, if it is one that lines up: the byte
/// offset of its `=`. `None` for other lines; `Err` when the line holds
/// something this scanner does not follow (a heredoc).
fn assignment(line: &str) -> Result<Option<usize>, ()> {
    #[derive(PartialEq)]
    enum Mode {
        Code,
        Str,
    }
    // Brace depth of `${`/`%{` interpolations, per open string.
    let mut modes = vec![Mode::Code];
    let mut interp: Vec<usize> = Vec::new();
    let mut tokens = 0usize;
    let mut eq: Option<usize> = None;
    let mut depth_after_eq: i64 = 0;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let code = modes.last() == Some(&Mode::Code);
        if !code {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    modes.pop();
                }
                b'$' | b'%' if bytes.get(i + 1) == Some(&c) && bytes.get(i + 2) == Some(&b'{') => {
                    // `$${` and `%%{` are literal text.
                    i += 2;
                }
                b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                    modes.push(Mode::Code);
                    interp.push(0);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'#' => break,
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            b'<' if bytes.get(i + 1) == Some(&b'<') => return Err(()),
            b'"' => {
                tokens += 1;
                modes.push(Mode::Str);
            }
            b'{' | b'[' | b'(' => {
                tokens += 1;
                if let Some(d) = interp.last_mut() {
                    *d += 1;
                }
                if eq.is_some() {
                    depth_after_eq += 1;
                }
            }
            b'}' | b']' | b')' => {
                tokens += 1;
                if c == b'}' && modes.len() > 1 && interp.last() == Some(&0) {
                    // The end of an interpolation: back into its string.
                    interp.pop();
                    modes.pop();
                } else {
                    if let Some(d) = interp.last_mut() {
                        *d = d.saturating_sub(1);
                    }
                    if eq.is_some() {
                        depth_after_eq -= 1;
                    }
                }
            }
            b'=' => {
                let next = bytes.get(i + 1).copied();
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                let compound = matches!(next, Some(b'=') | Some(b'>'))
                    || matches!(prev, b'=' | b'!' | b'<' | b'>');
                if !compound && eq.is_none() && tokens > 0 && modes.len() == 1 {
                    eq = Some(i);
                }
                tokens += 1;
            }
            _ => {
                tokens += 1;
            }
        }
        i += 1;
    }
    Ok(eq.filter(|_| depth_after_eq == 0))
}

/// `text` with every run of assignments aligned; `None` when the text holds
/// what the scanner does not follow (then leave it as it is).
pub fn align(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut eqs = Vec::with_capacity(lines.len());
    for line in &lines {
        eqs.push(assignment(line).ok()?);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut i = 0;
    while i < lines.len() {
        if eqs[i].is_none() {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && eqs[i].is_some() {
            i += 1;
        }
        let leads: Vec<&str> = (start..i)
            .map(|j| lines[j][..eqs[j].unwrap_or(0)].trim_end())
            .collect();
        let width = leads.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for (j, lead) in (start..i).zip(&leads) {
            let rest = &lines[j][eqs[j].unwrap_or(0)..];
            out.push_str(lead);
            out.push_str(&" ".repeat(width - lead.chars().count() + 1));
            out.push_str(rest);
        }
    }
    Some(out)
}

/// Whether `text` already has the alignment [`align`] gives it.
pub fn is_aligned(text: &str) -> bool {
    align(text).is_some_and(|a| a == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_align_and_openers_break_them() {
        let text = "resource \"a\" \"b\" {\n  slug = \"x\"\n  enabled = true\n  settings = jsonencode({\n    apiKey = \"a=b\"\n    x = 1\n  })\n  name = \"n\"\n}\n";
        let want = "resource \"a\" \"b\" {\n  slug    = \"x\"\n  enabled = true\n  settings = jsonencode({\n    apiKey = \"a=b\"\n    x      = 1\n  })\n  name = \"n\"\n}\n";
        assert_eq!(align(text).as_deref(), Some(want));
        assert!(is_aligned(want));
    }

    #[test]
    fn equals_inside_strings_and_templates_do_not_count() {
        assert_eq!(assignment("  \"k=v\" = \"${a == b}\"\n"), Ok(Some(8)));
        assert_eq!(assignment("  x = a == b\n"), Ok(Some(4)));
        assert_eq!(assignment("  \"$${x\" = 1\n"), Ok(Some(9)));
        assert_eq!(assignment("  = x\n"), Ok(None));
        assert_eq!(assignment("  x = [\n"), Ok(None));
        assert_eq!(assignment("  x = <<EOT\n"), Err(()));
    }
}
