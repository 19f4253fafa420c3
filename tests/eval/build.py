#!/usr/bin/env python3
"""Builds tests/eval/corpus.jsonl from two annotators' independent labels and a third reading.

    build.py disagreements --a A.jsonl... --b B.jsonl... --out DIR [--parts N]
        writes, outside the repository, the petitions on which A and B differ in any field
        (texts, reply, both label sets) for the third reading: DIR/d1.jsonl … dN.jsonl
    build.py corpus --a A.jsonl... --b B.jsonl... --third T.jsonl...
        merges: a field both annotators agree on keeps their label; a field they differ on takes
        the third reading's, which must give a one-line reason (`why`). Assigns splits and writes
        tests/eval/corpus.jsonl (ids and labels only, never text).

Splits: train 60 % / dev 20 % / test 20 %, seed 20261204, stratified by route, grouped so that
petitions with the same normalised title + text, or the same normalised text, share a split.
Splits are frozen: a petition already in corpus.jsonl keeps its split; only new petitions are
dealt (a group that touches an old petition follows it).
Only the Python standard library.
"""
import argparse, collections, json, os, random, re, subprocess, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
FIELDS = ["route", "category", "tier", "level", "flags"]
SPLIT_SEED = 20261204

def read_jsonl(paths):
    out = {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    out[o["id"]] = o
    return out

def norm(s):
    s = unicodedata.normalize("NFKC", s or "").lower()
    return re.sub(r"[\W_]+", "", s)

def value(o, field):
    v = o.get(field)
    return sorted(set(v)) if field == "flags" else v

def ann(o):
    return {f: value(o, f) for f in FIELDS} | {"conf": o.get("conf")}

def drawn():
    out = subprocess.run([sys.executable, os.path.join(HERE, "sample.py")], capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]

def texts():
    by_id = {}
    for name in ("portal-replies.jsonl", "portal-messages.jsonl"):
        with open(os.path.join(DATA, name), encoding="utf-8") as f:
            for line in f:
                m = json.loads(line)
                by_id[m["id"]] = m
    return by_id

def disagreements(args):
    a, b, d = read_jsonl(args.a), read_jsonl(args.b), drawn()
    by_id = texts()
    rows, skipped = [], 0
    for x in d:
        i = x["id"]
        if i not in a or i not in b:
            skipped += 1  # not labelled by both yet: settle it in a later round
            continue
        diff = [f for f in FIELDS if value(a[i], f) != value(b[i], f)]
        if diff:
            m = by_id[i]
            rec = {"id": i, "title": m.get("title", ""), "text": m.get("text", "")}
            if "reply" in m:
                r = m["reply"]
                rec["reply"] = r if len(r) <= 1200 else r[:800] + " …（中略）… " + r[-400:]
            rec["differ"] = diff
            rec["A"] = {f: a[i].get(f) for f in FIELDS} | {"why": a[i].get("why", "")}
            rec["B"] = {f: b[i].get(f) for f in FIELDS} | {"why": b[i].get("why", "")}
            rows.append(rec)
    os.makedirs(args.out, exist_ok=True)
    size = -(-len(rows) // args.parts)
    for k in range(args.parts):
        with open(os.path.join(args.out, f"{args.prefix}{k + 1}.jsonl"), "w", encoding="utf-8") as f:
            for r in rows[k * size:(k + 1) * size]:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    c = collections.Counter(f for r in rows for f in r["differ"])
    print(f"{len(rows)} of {len(d) - skipped} petitions differ in some field: {dict(c)}; {skipped} not yet labelled by both")

def corpus(args):
    a, b, t, d = read_jsonl(args.a), read_jsonl(args.b), read_jsonl(args.third), drawn()
    by_id = texts()
    rows = []
    for x in d:
        i = x["id"]
        row = {"id": i, "source": x["source"], "draw": x["draw"]}
        diff = [f for f in FIELDS if value(a[i], f) != value(b[i], f)]
        for f in FIELDS:
            if f in diff:
                if i not in t or t[i].get(f) is None:
                    sys.exit(f"{i}: annotators differ on {f} and the third reading gives none")
                row[f] = value(t[i], f)
            else:
                row[f] = value(a[i], f)
        # Confidence of the settled route: both annotators' when they agreed, the third reader's otherwise.
        confs = [a[i].get("conf"), b[i].get("conf")]
        row["conf"] = t[i].get("conf", "medium") if "route" in diff else min(confs, key=["low", "medium", "high"].index)
        row["why"] = t[i]["why"] if diff else a[i].get("why", "")
        if diff:
            row["settled"] = diff
        row["a"], row["b"] = ann(a[i]), ann(b[i])
        rows.append(row)

    # Groups: union of petitions sharing normalised title+text or normalised text.
    parent = list(range(len(rows)))
    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k
    first = {}
    for k, r in enumerate(rows):
        m = by_id[r["id"]]
        for key in ("tt:" + norm(m.get("title")) + norm(m.get("text")), "t:" + norm(m.get("text"))):
            if key in first:
                parent[find(k)] = find(first[key])
            else:
                first[key] = k
    groups = collections.defaultdict(list)
    for k in range(len(rows)):
        groups[find(k)].append(k)
    # Stratify groups by the route of their first member; deal each route's groups in a seeded
    # order, so each split gets 60/20/20 of every route.
    old = {}
    path = os.path.join(HERE, "corpus.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                old[o["id"]] = o["split"]
    rng = random.Random(SPLIT_SEED)
    by_route = collections.defaultdict(list)
    for g in sorted(groups.values()):
        kept = [old[rows[k]["id"]] for k in g if rows[k]["id"] in old]
        if kept:
            for k in g:
                rows[k]["split"] = kept[0]
            continue
        by_route[rows[g[0]]["route"]].append(g)
    for route in sorted(by_route):
        gs = by_route[route]
        rng.shuffle(gs)
        total = sum(len(g) for g in gs)
        done = 0
        for g in gs:
            share = done / total if total else 0
            split = "train" if share < 0.6 else "dev" if share < 0.8 else "test"
            for k in g:
                rows[k]["split"] = split
            done += len(g)
    rows.sort(key=lambda r: r["id"])
    keys = ["id", "split", "source", "draw", "route", "category", "tier", "level", "flags", "conf", "why", "settled", "a", "b"]
    with open(os.path.join(HERE, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in keys if k in r}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} petitions; splits {dict(collections.Counter(r['split'] for r in rows))}")
    print("routes", dict(collections.Counter(r["route"] for r in rows)))

def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("disagreements", "corpus"):
        p = sub.add_parser(name)
        p.add_argument("--a", nargs="+", required=True)
        p.add_argument("--b", nargs="+", required=True)
        if name == "disagreements":
            p.add_argument("--out", required=True)
            p.add_argument("--parts", type=int, default=4)
            p.add_argument("--prefix", default="d")
        else:
            p.add_argument("--third", nargs="+", required=True)
    args = ap.parse_args()
    if not os.path.isdir(DATA):
        print(f"跳过：{DATA} 不存在 / skipped: no data folder", file=sys.stderr)
        return 0
    (disagreements if args.cmd == "disagreements" else corpus)(args)
    return 0

if __name__ == "__main__":
    sys.exit(main())
