//! The crate's hygiene, as `Cargo.toml` and the crate roots state it: the library's default
//! features pull in no command-line dependency (clap, indicatif, csv), the `fenliu` binary
//! requires the `cli` feature, and neither the library nor the binary may use `unsafe`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

fn manifest() -> toml::Table {
    toml::from_str(include_str!("../Cargo.toml")).unwrap()
}

/// Every `dep:` a feature turns on, following features it includes.
fn deps_of(features: &toml::Table, feature: &str, seen: &mut BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if !seen.insert(feature.to_owned()) {
        return out;
    }
    for item in features.get(feature).and_then(|v| v.as_array()).into_iter().flatten() {
        let item = item.as_str().unwrap();
        if let Some(dep) = item.strip_prefix("dep:") {
            out.insert(dep.to_owned());
        } else if !item.contains('/') {
            out.extend(deps_of(features, item, seen));
        }
    }
    out
}

#[test]
fn default_features_pull_in_no_cli_dependency() {
    let m = manifest();
    let features = m["features"].as_table().unwrap();
    let default = deps_of(features, "default", &mut BTreeSet::new());
    for dep in ["clap", "indicatif", "csv"] {
        assert!(!default.contains(dep), "the default features pull in {dep}: {default:?}");
        // Optional, so only a feature brings it in…
        assert_eq!(m["dependencies"][dep]["optional"].as_bool(), Some(true), "{dep} is not optional");
        // …and that feature is `cli`.
        assert!(deps_of(features, "cli", &mut BTreeSet::new()).contains(dep), "`cli` does not enable {dep}");
    }
}

#[test]
fn the_binary_requires_the_cli_feature() {
    let m = manifest();
    let bins = m["bin"].as_array().unwrap();
    let fenliu = bins.iter().find(|b| b["name"].as_str() == Some("fenliu")).unwrap();
    let required: Vec<&str> = fenliu["required-features"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["cli"]);
    // Tests and benches run the binary: the dev-dependency on this crate turns `cli` on for them.
    let me = &m["dev-dependencies"]["fenliu"];
    assert_eq!(me["path"].as_str(), Some("."));
    assert!(me["features"].as_array().unwrap().iter().any(|f| f.as_str() == Some("cli")));
}

#[test]
fn no_unsafe_code() {
    for (path, source) in [("src/lib.rs", include_str!("../src/lib.rs")), ("src/bin/fenliu.rs", include_str!("../src/bin/fenliu.rs"))] {
        assert!(source.lines().any(|l| l.trim() == "#![forbid(unsafe_code)]"), "{path} does not forbid unsafe code");
    }
}
