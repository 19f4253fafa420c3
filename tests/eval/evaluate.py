#!/usr/bin/env python3
"""Route accuracy of the default ruleset on the hand-labelled portal messages.

Reads tests/eval/labels.jsonl (ids and labels only), looks each message up by id in
../shared/data/portal-messages.jsonl (relative to the repository root), classifies them with the
release CLI (`target/release/fenliu classify --rules rules --quiet`, built first if missing) and
prints:

- route accuracy on the random part, the targeted part and the whole set;
- route accuracy per route code (recall of each labelled code), random part and whole set;
- the confusion table (labelled route x predicted route);
- tier, level and category accuracy, and agreement on flags;
- how many messages labelled `judicial` were routed elsewhere.

The message texts never leave ../shared: they are piped to the CLI and not written anywhere.

Usage (from anywhere):

    python3 tests/eval/evaluate.py                 # the whole labelled set
    python3 tests/eval/evaluate.py --half a        # only half a (tune on a, look at b)
    python3 tests/eval/evaluate.py --errors        # also list misrouted ids (labels only)
    python3 tests/eval/evaluate.py --rules DIR     # another ruleset folder

Python 3 standard library only. Exit status 0 also when the data folder is absent (skipped).
"""

import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABELS = os.path.join(ROOT, "tests", "eval", "labels.jsonl")
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "portal-messages.jsonl"))
CLI = os.path.join(ROOT, "target", "release", "fenliu")
ROUTES = ["judicial", "discipline", "arbitration", "party_appeal", "administrative", "civil", "enforcement", "suggestion", "petition"]


def half_of(message_id):
    """Deterministic split of the labelled set into two halves, 'a' and 'b'."""
    return "a" if int(hashlib.md5(message_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "b"


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ensure_cli():
    if os.path.exists(CLI):
        return
    print("target/release/fenliu 不存在，先构建：cargo build --release", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)


def classify(petitions, rules):
    """Runs the CLI on the petitions (JSONL on stdin) and returns the verdicts in order."""
    payload = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in petitions)
    proc = subprocess.run(
        [CLI, "classify", "--rules", rules, "--quiet"],
        cwd=ROOT,
        input=payload.encode("utf-8"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        sys.exit(proc.returncode)
    verdicts = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
    if len(verdicts) != len(petitions):
        sys.exit(f"CLI returned {len(verdicts)} verdicts for {len(petitions)} petitions")
    return verdicts


def pct(n, d):
    return f"{100.0 * n / d:5.1f} %" if d else "    - "


def route_of(v):
    return v.get("route", {}).get("code", "(error)") if v.get("ok", True) is not False else "(error)"


def route_rule(v):
    for t in v.get("trace", []):
        if t.get("stage") == "route":
            return t.get("rule", "")
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", default="rules", help="ruleset folder (default: rules)")
    ap.add_argument("--half", choices=["a", "b"], help="evaluate only one half of the labelled set")
    ap.add_argument("--errors", action="store_true", help="list misrouted ids with the deciding rule")
    args = ap.parse_args()

    if not os.path.exists(DATA):
        print(f"跳过评测：找不到 {DATA}（门户留言数据只在 ../shared/data/ 中提供）。")
        return 0

    labels = load_jsonl(LABELS)
    if args.half:
        labels = [x for x in labels if half_of(x["id"]) == args.half]
    messages = {}
    wanted = {x["id"] for x in labels}
    with open(DATA, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            m = json.loads(line)
            if m["id"] in wanted:
                messages[m["id"]] = m
    missing = [x["id"] for x in labels if x["id"] not in messages]
    if missing:
        print(f"警告：{len(missing)} 个标注 id 在数据中找不到：{', '.join(missing[:10])}")
    labels = [x for x in labels if x["id"] in messages]

    ensure_cli()
    petitions = []
    for x in labels:
        m = messages[x["id"]]
        p = {"id": m["id"], "title": m.get("title") or None, "text": m.get("text") or m.get("title") or "-", "submitted_at": m.get("submitted_at")}
        if m.get("topic"):
            p["topic"] = m["topic"]
        petitions.append(p)
    verdicts = classify(petitions, args.rules)

    rows = []
    for x, v in zip(labels, verdicts):
        ok = v.get("ok", True) is not False
        rows.append({
            "id": x["id"],
            "set": x["set"],
            "gold": x["route"],
            "pred": route_of(v),
            "rule": route_rule(v) if ok else "",
            "tier": (x["tier"], v.get("difficulty", {}).get("tier") if ok else None),
            "level": (x["level"], v.get("delegation", {}).get("level") if ok else None),
            "category": (x["category"], v.get("category", {}).get("code") if ok else None),
            "flags": (set(x.get("flags", [])), set(v.get("flags", [])) if ok else set()),
            "violations": len(v.get("violations", [])) if ok else 0,
            "error": not ok,
        })

    title = f"规则集 {args.rules}" + (f"，半集 {args.half}" if args.half else "")
    print(f"分流评测：{title}；标注 {len(rows)} 条（random {sum(r['set'] == 'random' for r in rows)}，targeted {sum(r['set'] == 'targeted' for r in rows)}）")
    errors = sum(r["error"] for r in rows)
    violations = sum(r["violations"] > 0 for r in rows)
    print(f"分类错误 {errors} 条；一致性问题 {violations} 条")
    print()

    print("途径准确率（route accuracy）")
    for name, part in (("random", [r for r in rows if r["set"] == "random"]), ("targeted", [r for r in rows if r["set"] == "targeted"]), ("全部 all", rows)):
        n = sum(r["gold"] == r["pred"] for r in part)
        print(f"  {name:<10} {n:>4}/{len(part):<4} {pct(n, len(part))}")
    print()

    print("各途径准确率（按标注途径）        random                全部 all")
    for code in ROUTES:
        line = f"  {code:<16}"
        for part in ([r for r in rows if r["set"] == "random"], rows):
            sub = [r for r in part if r["gold"] == code]
            n = sum(r["pred"] == code for r in sub)
            line += f"  {n:>3}/{len(sub):<3} {pct(n, len(sub))}   "
        print(line.rstrip())
    print()

    print("混淆表（行：标注途径；列：规则给出的途径；全部）")
    preds = [c for c in ROUTES if any(r["pred"] == c for r in rows)] + sorted({r["pred"] for r in rows} - set(ROUTES))
    abbrev = {c: c[:6] for c in preds}
    print("  " + " " * 16 + "".join(f"{abbrev[c]:>8}" for c in preds) + f"{'合计':>6}")
    for code in ROUTES:
        sub = [r for r in rows if r["gold"] == code]
        if not sub:
            continue
        counts = collections.Counter(r["pred"] for r in sub)
        print(f"  {code:<16}" + "".join(f"{(counts[c] or '.'):>8}" for c in preds) + f"{len(sub):>7}")
    print()

    def acc(key, part):
        sub = [r for r in part if r[key][1] is not None]
        n = sum(r[key][0] == r[key][1] for r in sub)
        return f"{n}/{len(sub)} {pct(n, len(sub))}"

    random_rows = [r for r in rows if r["set"] == "random"]
    print("其他输出（random ／ 全部）")
    print(f"  难度 tier      {acc('tier', random_rows):<18} {acc('tier', rows)}")
    print(f"  代办 level     {acc('level', random_rows):<18} {acc('level', rows)}")
    print(f"  类别 category  {acc('category', random_rows):<18} {acc('category', rows)}")
    tp = sum(len(r["flags"][0] & r["flags"][1]) for r in rows)
    fp = sum(len(r["flags"][1] - r["flags"][0]) for r in rows)
    fn = sum(len(r["flags"][0] - r["flags"][1]) for r in rows)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    print(f"  标记 flags     全部：精确率 {100 * prec:.1f} %，召回率 {100 * rec:.1f} %（{tp} 对，{fp} 多，{fn} 漏）")
    print()

    judicial = [r for r in rows if r["gold"] == "judicial"]
    missed = [r for r in judicial if r["pred"] != "judicial"]
    print(f"标注为 judicial 却被分到别的途径：{len(missed)}/{len(judicial)}" + (f"（{', '.join(r['id'] + '→' + r['pred'] for r in missed)}）" if missed else ""))

    if args.errors:
        print()
        print("途径不一致的留言（只列 id 与标注，原文请到 ../shared/data/ 查看）")
        for r in sorted(rows, key=lambda r: (r["gold"], r["pred"], r["id"])):
            if r["gold"] != r["pred"]:
                print(f"  {r['id']:<12} {r['set']:<9} 标注 {r['gold']:<15} 规则 {r['pred']:<15} {r['rule']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
