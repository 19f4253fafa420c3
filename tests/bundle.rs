//! The compiled bundle (`fenliu build`, `Classifier::to_bundle` / `from_bundle`): the portal
//! runtime's only input. A bundle gives verdicts byte-identical to the rule folder it was built
//! from; a rule outside the IR cannot become one; a damaged or foreign file is a located error,
//! never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use fenliu::{cases, Classifier, Options, Ruleset, COMPILED_FORMAT, MAGIC};

fn default_pair() -> (Ruleset, Classifier, Classifier) {
    let rs = Ruleset::embedded().unwrap();
    let authoring = Classifier::new(&rs).unwrap();
    let portal = Classifier::from_bundle(&authoring.to_bundle().unwrap()).unwrap();
    (rs, authoring, portal)
}

/// Both data files of `../shared/data`, every line; a message names each absent file.
fn real_messages() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let mut out = Vec::new();
    for name in ["portal-messages.jsonl", "portal-replies.jsonl"] {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(data) => out.extend(data.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned)),
            Err(e) => eprintln!("skipped: {} is absent ({e}); the bundle is compared on the cases only", dir.join(name).display()),
        }
    }
    out
}

#[test]
fn a_bundle_classifies_every_case_and_message_byte_for_byte_as_its_rule_folder() {
    let (rs, authoring, portal) = default_pair();
    assert_eq!(portal.info(), authoring.info());
    assert_eq!(portal.rules().len(), authoring.rules().len());
    let mut compared = 0;
    for case in cases::load(&rs).unwrap() {
        let options = Options { today: case.today, switches: case.switches.clone(), brief: false };
        let json = case.petition.to_string();
        let a = authoring.classify_json(&json, &options).map(|v| v.to_json());
        let b = portal.classify_json(&json, &options).map(|v| v.to_json());
        assert_eq!(a, b, "case {}", case.name);
        compared += 1;
    }
    let messages = real_messages();
    for (i, line) in messages.iter().enumerate() {
        for brief in [false, true] {
            let options = Options { brief, ..Options::default() };
            assert_eq!(authoring.classify_json(line, &options).map(|v| v.to_json()), portal.classify_json(line, &options).map(|v| v.to_json()), "message {}", i + 1);
        }
        compared += 1;
    }
    eprintln!("bundle and rule folder agree on {compared} petitions");
    assert!(compared >= 100);
}

#[test]
fn the_cases_pass_on_the_bundle() {
    let (rs, _, portal) = default_pair();
    let results = cases::run_all(&portal, &rs).unwrap();
    let failed: Vec<&str> = results.iter().filter(|r| !r.passed).map(|r| r.name.as_str()).collect();
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn every_default_rule_is_in_the_ir() {
    let (_, authoring, portal) = default_pair();
    // The bundle holds no Rhai: every rule with a condition carries its IR.
    let profile_a = authoring.profile(std::iter::empty(), &Options::default());
    assert_eq!(profile_a.len(), portal.rules().len());
    let one = fenliu::Petition::new("法院判决已经生效一年了，对方一直不履行，申请执行也没有结果");
    let costs = portal.profile([&one], &Options::default());
    assert_eq!(costs.iter().map(|c| c.calls).sum::<u64>(), 0, "a rule ran outside the IR");
    assert!(costs.iter().map(|c| c.native).sum::<u64>() > 0);
}

#[test]
fn a_bundle_round_trips_to_the_same_bytes() {
    let (_, authoring, portal) = default_pair();
    assert_eq!(authoring.to_bundle().unwrap(), portal.to_bundle().unwrap());
}

#[test]
fn a_rule_outside_the_ir_cannot_become_a_bundle_and_says_where() {
    let src = "fn shout(p) {\n    let t = p.text;\n    t.contains(\"！！！\")\n}\n\nrule(#{ id: \"flag.shout\", title: \"情绪激动\", stage: \"flags\", flag: \"repeat\",\n    when: |p| shout(p) });\n\nrule(#{ id: \"flag.long\", title: \"篇幅很长\", stage: \"flags\", flag: \"repeat\",\n    when: |p| p.text.len() > 10 && p.text.contains(\"附件\") });\n";
    let c = common::classifier_with(&[("extra.rhai", src)]);
    // The authoring build runs both in Rhai …
    let v = c.classify_json(r#"{"text": "我要投诉！！！"}"#, &Options::default()).unwrap();
    assert!(v.flags.iter().any(|f| f == "repeat"));
    // … but neither can go to the portal.
    let err = c.to_bundle().unwrap_err();
    let d: Vec<_> = err.diagnostics.iter().collect();
    assert_eq!(d.len(), 2, "{err}");
    assert!(d.iter().all(|d| d.code == "bundle.not_compiled"));
    let shout = d.iter().find(|d| d.message.contains("flag.shout")).unwrap();
    // The helper's body has two statements: named at the rule's `shout(p)` call or the helper.
    assert!(shout.message.contains("门户规则包"), "{}", shout.message);
    let at = shout.location.as_ref().unwrap();
    assert_eq!(at.file, "extra.rhai");
    let long = d.iter().find(|d| d.message.contains("flag.long")).unwrap();
    assert!(long.message.contains(".contains"), "{}", long.message);
    let at = long.location.as_ref().unwrap();
    assert_eq!((at.file.as_str(), at.line), ("extra.rhai", 10), "{at}");
}

#[test]
fn a_foreign_damaged_or_other_version_file_is_an_error_not_a_panic() {
    let bytes = Classifier::new(&common::ruleset_with(&[]).unwrap()).unwrap().to_bundle().unwrap();
    let code = |b: &[u8]| Classifier::from_bundle(b).unwrap_err().diagnostics[0].code;
    assert_eq!(code(b"{\"manifest.toml\": \"\"}"), "bundle.magic");
    assert_eq!(code(b""), "bundle.magic");
    assert_eq!(code(MAGIC), "bundle.truncated");
    let mut other = bytes.clone();
    other[MAGIC.len()..MAGIC.len() + 2].copy_from_slice(&(COMPILED_FORMAT + 1).to_le_bytes());
    let e = Classifier::from_bundle(&other).unwrap_err();
    assert_eq!(e.diagnostics[0].code, "bundle.version");
    assert!(e.diagnostics[0].message.contains(&format!("{}", COMPILED_FORMAT + 1)));
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        assert_eq!(code(&bytes[..cut]), "bundle.damaged", "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(code(&longer), "bundle.damaged");
    // Every single-byte corruption of the payload loads or fails, and what loads classifies.
    let step = (bytes.len() / 400).max(1);
    for i in (MAGIC.len() + 2..bytes.len()).step_by(step) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x5a;
        if let Ok(c) = Classifier::from_bundle(&bad) {
            let _ = c.classify_json(r#"{"text": "楼下饭店噪音扰民"}"#, &Options::default());
        }
    }
}

/// The test ruleset (tests/common) with `[evidence]`, route weights (rule, group, bigram and
/// pinned features, a weight no decimal scale gives exactly) and tier weights: every part of a
/// plan.
fn fixture_ruleset() -> Ruleset {
    let manifest = format!("{}\n[evidence]\nprecedence = [\"judicial\"]\nthreshold = 0.4\ndefault_question = \"请补充说明诉求。\"\n", common::MANIFEST);
    let weights = "[bias]\njudicial = 0.10\nenforcement = -0.05\npetition = 0.20\n\n[weights]\n\"rule:route.noise\" = { enforcement = 1.25, petition = -0.5 }\n\"text:noise\" = { enforcement = 0.75 }\n\"title:sue\" = { judicial = 0.333333333333 }\n\n[bigrams]\n\"噪音\" = { enforcement = 0.40 }\n\n[pinned]\n\"text:sue\" = { judicial = 2.00 }\n";
    let tiers = "[bias]\nsimple = 0.50\nnormal = -0.10\ncomplex = -0.40\n\n[weights]\n\"diff:points.repeat\" = { normal = 0.90 }\n\"flag:repeat\" = { complex = 0.30 }\n";
    let mut files: Vec<(String, String)> = vec![
        ("manifest.toml".into(), manifest),
        ("lexicon/words.toml".into(), common::LEXICON.into()),
        ("base.rhai".into(), common::BASE_RULES.into()),
        ("weights.toml".into(), weights.into()),
        ("tier-weights.toml".into(), tiers.into()),
    ];
    files.sort();
    Ruleset::from_files(files).unwrap()
}

#[test]
fn the_fixture_ruleset_weighs_its_evidence_the_same_from_a_bundle() {
    let authoring = Classifier::new(&fixture_ruleset()).unwrap();
    assert!(authoring.warnings().is_empty(), "{:?}", authoring.warnings());
    let portal = Classifier::from_bundle(&authoring.to_bundle().unwrap()).unwrap();
    for text in [r#"{"text": "楼下噪音扰民"}"#, r#"{"title": "起诉", "text": "我要起诉", "history": {"prior_count": 2}}"#, r#"{"text": "别的事"}"#] {
        let a = authoring.classify_json(text, &Options::default()).unwrap();
        assert!(a.route.confidence.is_some(), "the weights decide");
        assert_eq!(Ok(a.to_json()), portal.classify_json(text, &Options::default()).map(|v| v.to_json()));
    }
}

/// Written by `COMPILED_FORMAT` 1 from [`fixture_ruleset`]. If this stops loading, the format
/// changed: raise `COMPILED_FORMAT` (src/plan.rs), then rewrite the fixture with
/// `FENLIU_WRITE_FIXTURE=1 cargo test --test bundle the_format_fixture_still_loads`.
#[test]
fn the_format_fixture_still_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-ruleset.fenliu");
    let fresh = Classifier::new(&fixture_ruleset()).unwrap();
    if std::env::var_os("FENLIU_WRITE_FIXTURE").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, fresh.to_bundle().unwrap()).unwrap();
    }
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(u16::from_le_bytes([bytes[MAGIC.len()], bytes[MAGIC.len() + 1]]), COMPILED_FORMAT, "the fixture is of another format version: rewrite it");
    let loaded = Classifier::from_bundle(&bytes).unwrap_or_else(|e| panic!("the bundle format changed without a new COMPILED_FORMAT: {e}"));
    assert_eq!(loaded.to_bundle().unwrap(), fresh.to_bundle().unwrap(), "the test ruleset compiles differently now: rewrite the fixture");
}

/// The CLI: `fenliu build` writes the bundle `Classifier::to_bundle` makes; `--rules x.fenliu`
/// classifies byte-identically to the rules folder; commands that need rule files say why not.
#[test]
fn the_cli_builds_a_bundle_and_classifies_with_it() {
    let bin = env!("CARGO_BIN_EXE_fenliu");
    let dir = std::env::temp_dir().join(format!("fenliu-bundle-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("default.fenliu");
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let out = std::process::Command::new(bin).args(["build", rules, "-o"]).arg(&bundle).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("格式版本"));
    let bytes = std::fs::read(&bundle).unwrap();
    assert_eq!(bytes, Classifier::new(&Ruleset::from_dir(rules).unwrap()).unwrap().to_bundle().unwrap());

    let input: String = [
        r#"{"id": 1, "text": "法院判决已经生效一年了，对方一直不履行", "submitted_at": "2024-05-06"}"#,
        r#"{"id": 2, "text": "楼下饭店每天半夜噪音扰民，请城管处理"}"#,
        r#"{"id": 3, "text": "不是 JSON"#,
    ]
    .join("\n");
    let classify = |rules: &std::path::Path| {
        let mut child = std::process::Command::new(bin)
            .args(["classify", "--quiet", "--today", "2024-06-01", "--rules"])
            .arg(rules)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        child.wait_with_output().unwrap().stdout
    };
    let from_files = classify(std::path::Path::new(rules));
    assert_eq!(String::from_utf8_lossy(&classify(&bundle)), String::from_utf8_lossy(&from_files));
    assert_eq!(String::from_utf8_lossy(&from_files).lines().count(), 3);

    let test = std::process::Command::new(bin).arg("test").arg(&bundle).output().unwrap();
    assert_eq!(test.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&test.stderr).contains("门户规则包"), "{}", String::from_utf8_lossy(&test.stderr));
    let pinned = std::process::Command::new(bin).args(["explain", "--text", "噪音", "--fingerprint", "00", "--rules"]).arg(&bundle).output().unwrap();
    assert!(String::from_utf8_lossy(&pinned.stderr).contains("ruleset.fingerprint_mismatch"), "{}", String::from_utf8_lossy(&pinned.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
