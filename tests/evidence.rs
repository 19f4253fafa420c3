//! Routes by weighed evidence (`[evidence]` + `weights.toml`): the weights decide where rules
//! disagree, precedence keeps the last word, the verdict says how sure it is and who came
//! second, a close call asks its question, and a broken weights file is a located error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{BASE_RULES, LEXICON, MANIFEST};
use fenliu::verdict::TraceOutcome;
use fenliu::{Classifier, Options, Petition, Ruleset};

const EVIDENCE: &str = r#"
[evidence]
precedence = ["judicial"]
threshold = 0.6
default_question = "请说明您希望哪个部门做什么？"
[evidence.questions]
"enforcement|petition" = "是否有人的违法行为造成了这个问题？"
"#;

// Noise in the title is strong evidence for enforcement; the petition fallback rule holds for
// every petition and weighs a little for petition.
const WEIGHTS: &str = r#"
[bias]
judicial = -1.0
enforcement = 0.0
petition = 0.3
[weights]
"rule:route.noise" = { enforcement = 1.5 }
"rule:route.default" = { petition = 0.2 }
"title:noise" = { enforcement = 2.0, petition = -0.5 }
"text:sue" = { judicial = 0.5 }
"#;

fn ruleset(manifest_extra: &str, weights: Option<&str>) -> Result<Ruleset, fenliu::Error> {
    let mut files = vec![
        ("manifest.toml".to_owned(), format!("{MANIFEST}{manifest_extra}")),
        ("lexicon/words.toml".to_owned(), LEXICON.to_owned()),
        ("base.rhai".to_owned(), BASE_RULES.to_owned()),
    ];
    if let Some(w) = weights {
        files.push(("weights.toml".to_owned(), w.to_owned()));
    }
    Ruleset::from_files(files)
}

fn classify(c: &Classifier, title: Option<&str>, text: &str) -> fenliu::Verdict {
    let mut p = Petition::new(text);
    p.title = title.map(str::to_owned);
    c.classify(&p, &Options::default()).unwrap()
}

#[test]
fn the_weights_decide_and_say_how_sure_and_who_came_second() {
    let c = Classifier::new(&ruleset(EVIDENCE, Some(WEIGHTS)).unwrap()).unwrap();
    // Title and text both name noise: enforcement, sure.
    let v = classify(&c, Some("楼下噪音"), "每天半夜噪音扰民");
    assert_eq!(v.route.code, "enforcement");
    // z: enforcement 0 + 1.5 + 2.0 = 3.5, petition 0.3 + 0.2 − 0.5 = 0.0, judicial −1.0.
    let conf = v.route.confidence.unwrap().value();
    let expected = 3.5f64.exp() / (3.5f64.exp() + 0.0f64.exp() + (-1.0f64).exp());
    assert!((conf - expected).abs() < 0.001, "{conf} vs {expected}");
    assert_eq!(v.route.guidance, "请主管部门查处。", "the winner's own rule gives the guidance");
    assert_eq!(v.route.evidence[0].feature, "title:noise");
    assert_eq!(v.route.evidence[0].label, "标题含「噪音」");
    assert_eq!(v.route.alternatives[0].code, "petition");
    assert!(v.route.alternatives[0].lost_because.contains("低于"), "{}", v.route.alternatives[0].lost_because);
    assert_eq!(v.status, fenliu::verdict::Status::Decided);
    assert!(v.question.is_none());
    // The trace says how it was decided, which rule gave the guidance, and who came second.
    let rules: Vec<&str> = v.trace.iter().filter(|t| t.stage == "route").map(|t| t.rule.as_str()).collect();
    assert_eq!(rules, ["evidence.route", "route.noise", "evidence.runner_up"]);
    let first = v.trace.iter().find(|t| t.stage == "route").unwrap();
    assert!(first.title.contains("按证据加权"), "{}", first.title);
}

#[test]
fn precedence_keeps_the_last_word() {
    let c = Classifier::new(&ruleset(EVIDENCE, Some(WEIGHTS)).unwrap()).unwrap();
    // The judicial rule holds first (priority 10): the weights, which favour enforcement here,
    // do not overrule a judgment.
    let v = classify(&c, Some("楼下噪音"), "噪音的事已经判决了，对方不执行");
    assert_eq!(v.route.code, "judicial");
    assert_eq!(v.route.confidence.unwrap().value(), 1.0);
    let first = v.trace.iter().find(|t| t.stage == "route").unwrap();
    assert!(first.title.contains("法定途径优先"), "{}", first.title);
    assert_eq!(v.route.alternatives[0].code, "enforcement");
}

#[test]
fn a_close_call_asks_the_question_that_separates_the_two() {
    let c = Classifier::new(&ruleset(EVIDENCE, Some(WEIGHTS)).unwrap()).unwrap();
    // Noise only in the text: enforcement 1.5 vs petition 0.5, judicial −1:
    // exp(1.5) / (exp(1.5) + exp(0.5) + exp(−1)) = 0.69, above 0.6: decided…
    let v = classify(&c, None, "扰民");
    let conf = v.route.confidence.unwrap().value();
    assert!((conf - 0.69).abs() < 0.01, "{conf}");
    assert_eq!(v.status, fenliu::verdict::Status::Decided);
    // …and below a threshold of 0.8: the question for the pair.
    let weak = Classifier::new(&ruleset(&EVIDENCE.replace("threshold = 0.6", "threshold = 0.8"), Some(WEIGHTS)).unwrap()).unwrap();
    let v = classify(&weak, None, "扰民");
    assert_eq!(v.status, fenliu::verdict::Status::NeedsInfo);
    assert_eq!(v.question.as_deref(), Some("是否有人的违法行为造成了这个问题？"));
    let json = v.to_json();
    assert!(json.contains("\"question\":\"是否有人的违法行为造成了这个问题？\""), "{json}");
}

#[test]
fn a_route_none_of_whose_rules_holds_takes_its_guidance_from_the_manifest() {
    // Weights that make petition lose to enforcement on a word, with no enforcement rule
    // holding (the noise rule needs the noise group, absent here).
    // A group no rule reads: its hit is evidence, but no enforcement rule holds.
    let w = "[bias]\npetition = 0.5\n[weights]\n\"text:stall\" = { enforcement = 2.0 }\n";
    let m = MANIFEST.replace(
        "[routes.enforcement]\nname = \"申请查处\"",
        "[routes.enforcement]\nname = \"申请查处\"\nguidance = \"请写明地点和时间，转主管部门查处。\"\nbasis = [\"《信访工作条例》第三十一条第（五）项\"]",
    );
    let files = vec![
        ("manifest.toml".to_owned(), format!("{m}{EVIDENCE}")),
        ("lexicon/words.toml".to_owned(), LEXICON.to_owned()),
        ("base.rhai".to_owned(), BASE_RULES.to_owned()),
        ("weights.toml".to_owned(), w.to_owned()),
        ("lexicon/more.toml".to_owned(), "[stall]\ntitle = \"摆摊\"\nwords = [\"摆摊\"]\n".to_owned()),
    ];
    let c = Classifier::new(&Ruleset::from_files(files).unwrap()).unwrap();
    let v = classify(&c, None, "小区门口天天有人摆摊");
    assert_eq!(v.route.code, "enforcement");
    assert_eq!(v.route.guidance, "请写明地点和时间，转主管部门查处。");
    assert_eq!(v.route.basis, ["《信访工作条例》第三十一条第（五）项"]);
    assert!(v.route.accepted);
    // The later stages read the route the weights chose.
    assert_eq!(v.trace.iter().filter(|t| t.outcome == TraceOutcome::Route { code: "enforcement".into() }).count(), 1);
}

#[test]
fn weights_are_part_of_the_fingerprint_and_first_match_sets_them_aside() {
    let a = ruleset(EVIDENCE, Some(WEIGHTS)).unwrap();
    let b = ruleset(EVIDENCE, Some(&WEIGHTS.replace("2.0", "2.5"))).unwrap();
    assert_ne!(a.info().fingerprint, b.info().fingerprint);
    let fm = Classifier::new(&a.first_match()).unwrap();
    let v = classify(&fm, Some("楼下噪音"), "噪音的事已经判决了");
    assert!(v.route.confidence.is_none() && v.route.alternatives.is_empty());
    assert!(!v.to_json().contains("confidence"), "first-match verdicts are unchanged");
}

#[test]
fn broken_weights_are_located_errors_and_unknown_features_warnings() {
    let err = Classifier::new(&ruleset(EVIDENCE, None).unwrap()).unwrap_err();
    assert_eq!(err.code(), "weights.missing");

    let err = Classifier::new(&ruleset(EVIDENCE, Some("[bias]\njudicial = 1.0\n[weights]\n\"title:noise\" = { court = 2.0 }\n")).unwrap()).unwrap_err();
    assert_eq!(err.code(), "weights.invalid");
    let loc = err.diagnostics[0].location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("weights.toml", 4));
    assert!(err.diagnostics[0].message.contains("\"court\""), "{}", err.diagnostics[0].message);

    let err = Classifier::new(&ruleset(EVIDENCE, Some("[bias\n")).unwrap()).unwrap_err();
    assert_eq!(err.code(), "weights.invalid");

    let err = Classifier::new(&ruleset(&EVIDENCE.replace("precedence = [\"judicial\"]", "precedence = [\"court\"]"), Some(WEIGHTS)).unwrap()).unwrap_err();
    assert_eq!(err.code(), "manifest.evidence");

    let c = Classifier::new(&ruleset(EVIDENCE, Some(&format!("{WEIGHTS}\"rule:route.gone\" = {{ petition = 1.0 }}\n"))).unwrap()).unwrap();
    assert!(c.warnings().iter().any(|d| d.code == "weights.unknown_feature" && d.message.contains("route.gone")));
}

#[test]
fn a_text_without_any_keyword_keeps_the_fallback_rule_and_asks() {
    // Weights that favour enforcement on bias alone: with no word to weigh, the fallback rule
    // (route.default → petition) stands, and the low confidence asks the question.
    let w = "[bias]\nenforcement = 1.0\n";
    let c = Classifier::new(&ruleset(&EVIDENCE.replace("threshold = 0.6", "threshold = 0.5"), Some(w)).unwrap()).unwrap();
    let v = classify(&c, None, "😀😀😀");
    assert_eq!(v.route.code, "petition");
    assert_eq!(v.route.guidance, "按信访程序办理。");
    assert_eq!(v.status, fenliu::verdict::Status::NeedsInfo);
    assert_eq!(v.question.as_deref(), Some("是否有人的违法行为造成了这个问题？"));
    assert!(v.route.alternatives[0].lost_because.contains("没有可作证据的词语"), "{}", v.route.alternatives[0].lost_because);
}

#[test]
fn tier_weights_choose_the_tier_and_a_hard_fact_still_raises_it() {
    // The test ruleset scores a repeat at 3 points (normal); tier weights that favour complex
    // whenever the repeat rule fired make it complex, and the trace says so.
    let tier = "[bias]\nsimple = 1.0\n[weights]\n\"diff:points.repeat\" = { complex = 3.0 }\n";
    let files = |tier_weights: Option<&str>| {
        let mut f = vec![
            ("manifest.toml".to_owned(), format!("{MANIFEST}{EVIDENCE}")),
            ("lexicon/words.toml".to_owned(), LEXICON.to_owned()),
            ("base.rhai".to_owned(), BASE_RULES.to_owned()),
            ("weights.toml".to_owned(), WEIGHTS.to_owned()),
        ];
        if let Some(t) = tier_weights {
            f.push(("tier-weights.toml".to_owned(), t.to_owned()));
        }
        Ruleset::from_files(f).unwrap()
    };
    let with = files(Some(tier));
    let without = files(None);
    assert_ne!(with.info().fingerprint, without.info().fingerprint, "tier weights are in the fingerprint");
    let repeat: Petition = Petition::from_json(r#"{"text": "楼下噪音扰民", "history": {"prior_count": 2}}"#).unwrap().petition;
    let scored = Classifier::new(&without).unwrap().classify(&repeat, &Options::default()).unwrap();
    assert_eq!(scored.difficulty.tier, "normal", "the rules' score: 3 points");
    let fitted = Classifier::new(&with).unwrap().classify(&repeat, &Options::default()).unwrap();
    assert_eq!(fitted.difficulty.tier, "complex");
    assert!(fitted.trace.iter().any(|t| t.rule == "evidence.tier" && t.outcome == TraceOutcome::Tier { code: "complex".into() }));
    // The delegation stage reads the fitted tier (难事不出县).
    assert_eq!(fitted.delegation.level, "county");
    // No repeat: the bias says simple; a visit to Beijing (at_least complex) still raises it.
    let plain = Petition::from_json(r#"{"text": "楼下噪音扰民"}"#).unwrap().petition;
    assert_eq!(Classifier::new(&with).unwrap().classify(&plain, &Options::default()).unwrap().difficulty.tier, "simple");
    let national = Petition::from_json(r#"{"text": "楼下噪音扰民", "history": {"national_visits": 1}}"#).unwrap().petition;
    assert_eq!(Classifier::new(&with).unwrap().classify(&national, &Options::default()).unwrap().difficulty.tier, "complex");
    // A broken tier weights file is a located error.
    let err = Classifier::new(&files(Some("[bias]\ncourt = 1.0\n"))).unwrap_err();
    assert_eq!(err.code(), "weights.invalid");
    assert_eq!(err.diagnostics[0].location.as_ref().unwrap().file, "tier-weights.toml");
}
