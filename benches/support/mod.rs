//! Shared by the benches: the real portal messages (../shared/data, else the examples) and the
//! shared decision of the engine comparison (bench/shared/, docs/bench.md).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use fenliu::{Petition, Ruleset};
use serde_json::{json, Value};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

pub fn data_path() -> PathBuf {
    Path::new(ROOT).join("../shared/data/portal-messages.jsonl")
}

/// The real messages as JSON lines (the examples when ../shared is absent).
pub fn lines() -> Vec<String> {
    let data = std::fs::read_to_string(data_path()).or_else(|_| std::fs::read_to_string(Path::new(ROOT).join("examples/petitions.jsonl"))).unwrap();
    data.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

/// The real messages as petitions.
pub fn messages() -> Vec<Petition> {
    lines().iter().filter_map(|l| Petition::from_json(l).ok()).map(|p| p.petition).collect()
}

/// The shared decision's fenliu ruleset (bench/shared/fenliu).
pub fn shared_ruleset() -> Ruleset {
    Ruleset::from_dir(Path::new(ROOT).join("bench/shared/fenliu")).unwrap()
}

/// What `petitionOf` in bench/shared/decision.mjs makes of a message: the same derived form
/// fields (信访人数, 来访方式, 此前反映次数) from the same hash of the id.
pub fn shared_petition(line: &str) -> Option<Petition> {
    let m: Value = serde_json::from_str(line).ok()?;
    let key = match &m["id"] {
        Value::String(s) => s.clone(),
        Value::Null => m["text"].as_str().unwrap_or_default().to_owned(),
        other => other.to_string(),
    };
    let mut h: u32 = 0x811c_9dc5;
    for c in key.chars() {
        h = (h ^ c as u32).wrapping_mul(0x0100_0193);
    }
    let r = |bits: u32, n: u32| ((h >> bits) & 0xff) % n;
    let pick = r(0, 100);
    let petitioners = if pick < 70 {
        1
    } else if pick < 85 {
        2 + r(8, 3)
    } else {
        5 + r(8, 40)
    };
    let channels = ["online", "online", "online", "online", "online", "online", "hotline", "hotline", "letter", "visit"];
    let prior = match r(16, 10) {
        0..=5 => 0,
        6..=7 => 1,
        8 => 3,
        _ => 6,
    };
    let mut p = json!({
        "id": m["id"], "title": m["title"], "text": m["text"], "submitted_at": m["submitted_at"],
        "petitioners": petitioners, "channel": channels[r(24, 10) as usize], "history": { "prior_count": prior },
    });
    if !m["topic"].is_null() {
        p["topic"] = m["topic"].clone();
    }
    Petition::from_value(&p).ok().map(|p| p.petition)
}
