#!/usr/bin/env python3
"""Usage: python3 /work/annot/check.py CHUNK.jsonl YOUR_LABELS.jsonl  -- checks format and coverage."""
import json, sys
R = set("judicial discipline arbitration party_appeal administrative civil enforcement suggestion petition".split())
C = {"suggestion", "accusation", "claim"}; T = {"simple", "normal", "complex"}; L = {"village", "town", "county"}
F = set("consultation repeat collective escalated backlog three_cross no_owner terminated urgent personal_data".split())
K = {"high", "medium", "low"}
ids = [json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
seen, bad = {}, 0
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    if not line.strip():
        continue
    try:
        o = json.loads(line)
        assert o["route"] in R and o["category"] in C and o["tier"] in T and o["level"] in L
        assert o.get("conf") in K and all(f in F for f in o["flags"]) and isinstance(o.get("why"), str)
    except Exception as e:
        bad += 1; print(f"line {n}: invalid ({e!r}): {line.strip()[:120]}"); continue
    if o["id"] in seen:
        print(f"line {n}: duplicate id {o['id']} (first on line {seen[o['id']]})")
    seen[o["id"]] = n
missing = [i for i in ids if i not in seen]
extra = [i for i in seen if i not in set(ids)]
print(f"{len(seen)} labelled, {len(missing)} missing, {len(extra)} not in chunk, {bad} invalid")
if missing: print("first missing:", missing[:10])
