//! The letter read as an officer reads it (`slots.toml`): who it is against, what the writer asks
//! for (in the request sentences, not the narrative), the decision table's row, the slots as
//! weighed evidence in the verdict, and a broken slots file as a located error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use fenliu::{Classifier, Options, Petition, Ruleset};

fn classify(c: &Classifier, title: &str, text: &str) -> fenliu::Verdict {
    let p = Petition::from_json(&serde_json::json!({ "title": title, "text": text }).to_string()).unwrap().petition;
    c.classify(&p, &Options::default()).unwrap()
}

fn codes(v: &[fenliu::slots::SlotValue]) -> Vec<&str> {
    v.iter().map(|s| s.code.as_str()).collect()
}

#[test]
fn an_unpaid_worker_asking_for_wages_reads_as_employer_and_pay() {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let v = classify(&c, "工资拖欠", "我在工地干了三个月，包工头一直拖欠工资两万元。要求包工头支付工资。");
    let slots = v.route.slots.as_ref().expect("the default ruleset reads slots");
    assert!(codes(&slots.counterparty).contains(&"employer"), "{slots:?}");
    assert_eq!(codes(&slots.request), ["pay"], "{slots:?}");
    let row = slots.table.as_ref().unwrap();
    assert_eq!(row.route, "enforcement");
    assert!(row.note.contains("劳动保障监察"), "{}", row.note);
}

#[test]
fn the_request_is_read_in_the_request_sentences_not_the_narrative() {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    // 赔偿 stands in the story; the request sentence asks for 查处.
    let v = classify(&c, "噪音扰民", "楼下商户去年答应赔偿邻居损失，至今没有兑现。现在每天晚上音响声音很大。希望相关部门查处。");
    let slots = v.route.slots.as_ref().unwrap();
    assert_eq!(codes(&slots.request), ["punish"], "{slots:?}");
    // Without any request sentence, the last two sentences stand in for it.
    let v = classify(&c, "路灯", "小区门口的路灯坏了两个月。晚上出行很不方便。麻烦维修一下");
    assert!(codes(&v.route.slots.as_ref().unwrap().request).contains(&"repair"));
}

#[test]
fn slot_features_are_weighed_and_shown_as_evidence_in_chinese() {
    let rs = Ruleset::embedded().unwrap();
    assert!(rs.files()["weights.toml"].contains("\"table:judicial\""), "the fitted weights carry slot features");
    let c = Classifier::new(&rs).unwrap();
    let v = classify(&c, "老板拖欠工资", "老板拖欠我们十个农民工的工资。请求劳动监察部门责令老板支付工资。");
    let all: Vec<&fenliu::verdict::Weighed> = v.route.evidence.iter().chain(v.route.alternatives.iter().flat_map(|a| &a.evidence)).collect();
    let labels: Vec<&str> = all.iter().map(|w| w.label.as_str()).collect();
    assert!(
        all.iter().any(|w| w.feature.starts_with("cp:") || w.feature.starts_with("rq:") || w.feature.starts_with("pair:") || w.feature.starts_with("table:")),
        "a slot feature is among the shown evidence: {labels:?}"
    );
    assert!(labels.iter().any(|l| l.starts_with("对方") || l.starts_with("诉求") || l.starts_with("决策表")), "{labels:?}");
}

fn with_slots(src: &str) -> Result<Classifier, fenliu::Error> {
    let files = Ruleset::embedded().unwrap().files().clone().into_iter().map(|(p, c)| if p == "slots.toml" { (p, src.to_owned()) } else { (p, c) });
    let rs = Ruleset::from_files(files)?;
    Classifier::new(&rs)
}

#[test]
fn a_broken_slots_file_is_a_located_chinese_error_and_the_file_is_fingerprinted() {
    let good = Ruleset::embedded().unwrap().files()["slots.toml"].clone();
    // An unknown keyword group.
    let bad = good.replacen("group = \"party_employer\"", "group = \"party_emplyer\"", 1);
    let Err(e) = with_slots(&bad) else { panic!("an unknown group must fail") };
    assert_eq!(e.code(), "slots.invalid");
    let d = &e.diagnostics[0];
    assert!(d.message.contains("party_emplyer") && d.message.contains("不存在"), "{}", d.message);
    let loc = d.location.as_ref().unwrap();
    assert_eq!(loc.file, "slots.toml");
    assert!(bad.lines().nth(loc.line as usize - 1).unwrap().contains("party_emplyer"), "line {}", loc.line);
    // A table row naming a slot value that is not defined, and a route that is not a route.
    let e = with_slots(&good.replacen("counterparty = \"official\"", "counterparty = \"offical\"", 1)).err().unwrap();
    assert!(e.diagnostics[0].message.contains("offical") && e.diagnostics[0].help.contains("official"), "{:?}", e.diagnostics[0]);
    let e = with_slots(&good.replacen("route = \"discipline\"", "route = \"disciplin\"", 1)).err().unwrap();
    assert!(e.diagnostics[0].message.contains("途径"), "{}", e.diagnostics[0].message);
    // Not TOML at all.
    assert_eq!(with_slots("[counterparty\n").err().unwrap().code(), "slots.invalid");
    // The slots file decides verdicts, so it is part of the fingerprint.
    let a = Ruleset::embedded().unwrap();
    let files = a.files().clone().into_iter().map(|(p, c)| if p == "slots.toml" { (p, format!("{c}\n# 改动\n")) } else { (p, c) });
    assert_ne!(Ruleset::from_files(files).unwrap().info().fingerprint, a.info().fingerprint);
}
