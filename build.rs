//! Embeds the default ruleset (`rules/`) into the library, so everything works with no flags.

use std::fmt::Write as _;
use std::path::Path;

fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, base, out);
        } else {
            let rel = path.strip_prefix(base).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let keep = rel == "manifest.toml"
                || rel == "weights.toml"
                || rel == "tier-weights.toml"
                || rel == "slots.toml"
                || rel.ends_with(".rhai")
                || (rel.starts_with("lexicon/") && rel.ends_with(".toml"))
                || (rel.starts_with("cases/") && rel.ends_with(".toml"));
            if keep {
                out.push((rel, path.canonicalize().unwrap_or(path).to_string_lossy().into_owned()));
            }
        }
    }
}

fn main() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    walk(&base, &base, &mut files);
    files.sort();
    let mut code = String::from("/// The default ruleset's files: (path inside the ruleset, content).\npub static FILES: &[(&str, &str)] = &[\n");
    for (rel, abs) in &files {
        let _ = writeln!(code, "    ({rel:?}, include_str!({abs:?})),");
        println!("cargo:rerun-if-changed={abs}");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("default_rules.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
