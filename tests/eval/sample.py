#!/usr/bin/env python3
"""Draws the messages of the labelled corpus (tests/eval/corpus.jsonl) from ../shared/data/.

Reproducible: fixed seeds, no engine involved. Prints one JSON line per drawn message:
{"id", "source", "draw"}; with --chunks DIR also writes the annotators' reading files
(texts included) to DIR, which must be outside the repository (the texts' licence is unknown).

Draws, in this order, each skipping messages whose normalised title + text was already drawn:
  1. the 240 messages of the earlier single-labelled set (tests/eval/earlier-single-labels.jsonl), relabelled;
  2. replies, random: 1,250 from portal-replies.jsonl (seed 20261204);
  3. replies, targeted: up to 50 per rare route, drawn at random among messages whose title or
     text matches that route's search pattern (PATTERNS below; the pattern only finds candidates,
     the label always comes from reading);
  4. messages, random: 150 from portal-messages.jsonl (seed 20261205);
  5. messages, targeted: up to 25 per rare route, as in 3.
  6. round 2, both files: the first labelling found 25 arbitration and 11 party_appeal petitions,
     under the 40 each the corpus needs, so up to 60 more arbitration candidates (PATTERNS or
     ARBITRATION_2) and up to 120 more party_appeal candidates (seed 20261206). Drawn with
     --round 2 (which also writes c5.jsonl for the annotators).
"""
import argparse, json, os, random, re, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))

PATTERNS = {
    "judicial": r"法院|判决|裁定|强制执行|执行局|报案|报警|立案|派出所|公安局|诈骗|非法集资|传销|检察院|刑事",
    "discipline": r"纪委|监委|纪检|贪污|侵吞|挪用|受贿|行贿|腐败|滥用职权|玩忽职守|优亲厚友|套取|村支书|村干部|中饱私囊",
    "arbitration": r"仲裁|劳动合同|解除合同|辞退|开除|经济补偿|劳动关系|土地承包|承包地|流转|社保.{0,6}(未|没有|不)缴|未.{0,4}缴.{0,4}社保",
    "party_appeal": r"处分|记过|降级|撤职|考核|辞退|人事|编制|公务员|事业单位|教师.{0,8}(待遇|职称|工资)|退休.{0,6}(待遇|工资)|申诉|复审",
    "administrative": r"复议|行政处罚|罚款|吊销|户口|户籍|身份证|征收|拆迁|补偿决定|工伤认定|低保|信息公开|确权|林权|不动产登记|房产证|许可",
    "civil": r"邻居|纠纷|物业费|合同|退款|赔偿|医疗|交通事故|借款|欠款|违约|租金|房东|装修",
}

# Round 2: the employer disputes that a labour arbitration committee hears.
ARBITRATION_2 = r"劳动仲裁|仲裁委|劳动合同|经济补偿|赔偿金|辞退|解除劳动|开除|工伤.{0,6}(赔偿|待遇)|(未|没有|不)(给|帮|为).{0,6}(缴|交|买).{0,4}社保|双倍工资|加班费|土地承包|承包合同|承包地"

def norm(title, text):
    s = unicodedata.normalize("NFKC", (title or "") + (text or "")).lower()
    return re.sub(r"[\W_]+", "", s)

def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", help="write annotators' reading files to this directory")
    ap.add_argument("--nchunks", type=int, default=4)
    ap.add_argument("--round", type=int, default=2, help="1: the first draw only; 2: with the second targeted draw")
    args = ap.parse_args()
    if not os.path.isdir(DATA):
        print(f"跳过：{DATA} 不存在 / skipped: no data folder", file=sys.stderr)
        return 0
    replies, messages = load("portal-replies.jsonl"), load("portal-messages.jsonl")
    by_id = {m["id"]: m for m in replies + messages}
    seen, drawn = set(), []

    def take(m, source, draw):
        key = norm(m.get("title"), m.get("text"))
        if key in seen:
            return False
        seen.add(key)
        drawn.append({"id": m["id"], "source": source, "draw": draw})
        return True

    with open(os.path.join(HERE, "earlier-single-labels.jsonl"), encoding="utf-8") as f:
        for line in f:
            take(by_id[json.loads(line)["id"]], "messages", "earlier")

    def random_draw(pool, n, seed, source):
        rng = random.Random(seed)
        order = list(pool)
        rng.shuffle(order)
        k = 0
        for m in order:
            if k == n:
                break
            k += take(m, source, "random")

    def targeted(pool, n, seed, source):
        rng = random.Random(seed)
        for route, pat in PATTERNS.items():
            rx = re.compile(pat)
            cands = [m for m in pool if rx.search((m.get("title") or "") + (m.get("text") or ""))]
            rng.shuffle(cands)
            k = 0
            for m in cands:
                if k == n:
                    break
                k += take(m, source, "targeted:" + route)

    random_draw(replies, 1250, 20261204, "replies")
    targeted(replies, 50, 20261204, "replies")
    random_draw(messages, 150, 20261205, "messages")
    targeted(messages, 25, 20261205, "messages")
    first_round = len(drawn)
    if args.round >= 2:
        rng = random.Random(20261206)
        for route, n, pats in (("arbitration", 60, [PATTERNS["arbitration"], ARBITRATION_2]), ("party_appeal", 120, [PATTERNS["party_appeal"]])):
            rx = [re.compile(p) for p in pats]
            cands = [m for m in replies + messages if any(r.search((m.get("title") or "") + (m.get("text") or "")) for r in rx)]
            rng.shuffle(cands)
            k = 0
            for m in cands:
                if k == n:
                    break
                k += take(m, "replies" if m["id"].startswith("r4-") else "messages", "targeted2:" + route)

    for d in drawn:
        print(json.dumps(d, ensure_ascii=False))

    if args.chunks:
        os.makedirs(args.chunks, exist_ok=True)
        order = list(drawn[:first_round])
        random.Random(7).shuffle(order)  # annotators cannot tell a random from a targeted draw
        size = -(-len(order) // args.nchunks)
        chunks = [order[c * size:(c + 1) * size] for c in range(args.nchunks)]
        if len(drawn) > first_round:
            second = list(drawn[first_round:])
            random.Random(8).shuffle(second)
            chunks.append(second)
        for c, part in enumerate(chunks):
            with open(os.path.join(args.chunks, f"c{c + 1}.jsonl"), "w", encoding="utf-8") as f:
                for d in part:
                    m = by_id[d["id"]]
                    rec = {"id": m["id"], "title": m.get("title", ""), "text": m.get("text", "")}
                    if "reply" in m:
                        reply = m["reply"]
                        if len(reply) > 1200:  # very long replies: head and tail carry the outcome
                            reply = reply[:800] + " …（中略）… " + reply[-400:]
                        rec["reply"] = reply
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(drawn)} messages drawn", file=sys.stderr)
    return 0

if __name__ == "__main__":
    sys.exit(main())
