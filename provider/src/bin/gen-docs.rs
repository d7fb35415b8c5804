//! `gen-docs`: writes `provider/docs/` from the schema and the examples.
//! Run after changing a resource type, a data source or an example:
//! `cargo run -p terraform-provider-segment --bin gen-docs`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use terraform_provider_segment::docs;
use terraform_provider_segment::segment::SegmentProvider;

fn main() -> ExitCode {
    match run() {
        Ok(count) => {
            println!(
                "wrote {count} pages under {}",
                docs::crate_dir().join("docs").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-docs: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> std::io::Result<usize> {
    let root = docs::crate_dir();
    let provider = SegmentProvider::new();
    let pages = docs::render_all(provider.engine());
    let wanted: BTreeSet<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
    // Pages of types that no longer exist go, so the directory is exactly
    // what the registry would show.
    for dir in ["docs/resources", "docs/data-sources"] {
        remove_unwanted(&root, dir, &wanted)?;
    }
    for (path, contents) in &pages {
        let file = root.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Unchanged pages keep their timestamps.
        if std::fs::read_to_string(&file).ok().as_deref() != Some(contents.as_str()) {
            std::fs::write(&file, contents)?;
        }
    }
    Ok(pages.len())
}

fn remove_unwanted(root: &Path, dir: &str, wanted: &BTreeSet<&str>) -> std::io::Result<()> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Ok(());
    };
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let rel = format!("{dir}/{name}");
        if name.ends_with(".md") && !wanted.contains(rel.as_str()) {
            std::fs::remove_file(root.join(&rel))?;
        }
    }
    Ok(())
}
