// One of the batch workers: holds the loaded petitions and classifies a shard of them with a
// given ruleset, in chunks, posting progress after each chunk and stopping between chunks when
// the run is cancelled or replaced. It sends back one small summary a petition (route, tier,
// level, …), not whole verdicts: the page compares and counts summaries, and asks for a whole
// verdict only for the petition the officer opens.
//
// In:  {type: 'load', file, extra} | {type: 'run', run, files, fingerprint, start, end, today, chunk}
//      | {type: 'cancel', run} | {type: 'petition', index, id}
//      | {type: 'evaluate', id, files, fingerprint, predictions, split}
// Out: {type: 'loaded', count, rows, problems, format, columns, ignored, labels}
//      | {type: 'evaluated', id, result}
//      | {type: 'progress', run, done} | {type: 'done', run, summaries, names, hits, ms}
//      | {type: 'cancelled', run} | {type: 'failed', run, message, diagnostics}
//      | {type: 'petition', id, petition}
import { Fenliu, init } from 'fenliu/authoring';
import { decode, parseBatch, textsOf } from './petitions.js';

const ready = init(); // the .wasm, once
let petitions = [];
let labels = null; // the label of each petition, for a labelled file
let active = null; // the run in progress; a new run or a cancel replaces it
const engines = new Map(); // fingerprint → Fenliu (the baseline and the last few edits)

// Yields to the event loop so a waiting 'cancel' or 'run' message is handled. A MessageChannel
// round trip is not clamped like nested setTimeout calls are.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldNow = () => new Promise((r) => { waiting.push(r); channel.port2.postMessage(0); });

function engineFor(files, fingerprint) {
  let f = engines.get(fingerprint);
  if (f) {
    engines.delete(fingerprint); // re-inserted below: the map keeps the most recent last
  } else {
    f = new Fenliu({ ruleset: files, fingerprint });
    if (engines.size >= 3) {
      const [oldest, old] = engines.entries().next().value;
      old.free();
      engines.delete(oldest);
    }
  }
  engines.set(fingerprint, f);
  return f;
}

/**
 * The words that decided the route: the words behind the strongest evidence for it (a keyword
 * group hit in the title or text, a character pair, a rule's own hits), else the words of the
 * deciding rule. At most six, each once, as they stand in the petition.
 */
export function decidingWords(v, rule) {
  // The trace's hits, once: by field and group (`text:noise`), and by rule.
  const byFeature = new Map();
  const byRule = new Map();
  const push = (map, key, word) => {
    const list = map.get(key);
    if (list) list.push(word);
    else map.set(key, [word]);
  };
  for (const t of v.trace) {
    for (const m of t.matched ?? []) {
      if (m.negated) continue;
      push(byFeature, `${m.field}:${m.group}`, m.word);
      push(byRule, t.rule, m.word);
    }
  }
  const words = [];
  const add = (w) => {
    if (w && !words.includes(w)) words.push(w);
  };
  for (const e of v.route.evidence ?? []) {
    if (words.length >= 6) break;
    if (!(e.weight > 0)) continue;
    const f = e.feature;
    if (f.startsWith('text:') || f.startsWith('title:')) byFeature.get(f)?.forEach(add);
    else if (f.startsWith('ng:')) add(f.slice(3));
    else if (f.startsWith('rule:')) byRule.get(f.slice(5))?.forEach(add);
  }
  if (!words.length) byRule.get(rule)?.forEach(add);
  return words.slice(0, 6);
}

function summarize(r, names, hits) {
  if (!r.ok) {
    const e = r.errors[0] ?? {};
    return { ok: false, code: e.code ?? 'unknown', message: e.message ?? '' };
  }
  const v = r.verdict;
  names.routes[v.route.code] = v.route.name;
  names.tiers[v.difficulty.tier] = v.difficulty.name;
  names.levels[v.delegation.level] = v.delegation.name;
  names.categories[v.category.code] = v.category.name;
  // Each rule counts once a petition, however many times it appears in the trace.
  const seen = new Set();
  for (const t of v.trace) {
    if (seen.has(t.rule)) continue;
    seen.add(t.rule);
    hits[t.rule] = (hits[t.rule] ?? 0) + 1;
    names.rules[t.rule] ??= t.title;
  }
  const rule = v.trace.findLast((t) => t.stage === 'route' && t.outcome.kind === 'route')?.rule ?? '';
  return {
    ok: true,
    route: v.route.code,
    rule,
    words: decidingWords(v, rule),
    accepted: v.route.accepted,
    separated: v.separated,
    category: v.category.code,
    tier: v.difficulty.tier,
    score: v.difficulty.score,
    level: v.delegation.level,
    status: v.status,
    missing: v.missing ?? [],
    flags: v.flags,
  };
}

async function run({ run: id, files, fingerprint, start, end, today, chunk }) {
  active = id;
  const t0 = performance.now();
  let fenliu;
  try {
    await ready;
    fenliu = engineFor(files, fingerprint);
  } catch (e) {
    self.postMessage({ type: 'failed', run: id, message: e.message, diagnostics: e.diagnostics });
    return;
  }
  const names = { routes: {}, tiers: {}, levels: {}, categories: {}, rules: {} };
  const hits = {}; // rule id → petitions it fired for
  const summaries = [];
  for (let i = start; i < end; i += chunk) {
    const results = fenliu.classifyMany(petitions.slice(i, Math.min(end, i + chunk)), { today });
    for (const r of results) summaries.push(summarize(r, names, hits));
    self.postMessage({ type: 'progress', run: id, done: summaries.length });
    await yieldNow();
    if (active !== id) {
      self.postMessage({ type: 'cancelled', run: id });
      return;
    }
  }
  active = null;
  self.postMessage({ type: 'done', run: id, summaries, names, hits, ms: performance.now() - t0 });
}

self.onmessage = async ({ data }) => {
  switch (data.type) {
    case 'load': {
      active = null;
      const read = async (f) => ({ text: decode(new Uint8Array(await f.arrayBuffer())), name: f.name });
      const main = await read(data.file);
      // Files chosen with a labels-only file supply its texts, joined on id.
      const texts = data.extra?.length ? textsOf(await Promise.all(data.extra.map(read))) : null;
      const parsed = parseBatch(main.text, main.name, texts);
      petitions = parsed.petitions;
      labels = parsed.labels;
      self.postMessage({
        type: 'loaded', count: petitions.length, rows: data.rows ? parsed.rows : null,
        problems: parsed.problems.slice(0, 50), problemCount: parsed.problems.length,
        format: parsed.format, columns: parsed.columns ?? null, ignored: parsed.ignored ?? [],
        labelled: labels ? labels.filter(Boolean).length : 0,
        splits: labels ? [...new Set(labels.filter(Boolean).map((l) => l.split).filter(Boolean))].sort() : [],
      });
      break;
    }
    case 'run':
      await run(data);
      break;
    case 'cancel':
      if (active === data.run) active = null;
      break;
    case 'evaluate': {
      // The report comes from the engine (the same code as `fenliu eval`), over the labelled
      // petitions only.
      let result;
      try {
        await ready;
        const fenliu = engineFor(data.files, data.fingerprint);
        const idx = labels ? labels.flatMap((l, i) => (l ? [i] : [])) : [];
        result = fenliu.evaluate(idx.map((i) => labels[i]), idx.map((i) => (data.predictions[i]?.ok ? data.predictions[i] : null)), { split: data.split });
        if (result.ok) result.indices = idx;
      } catch (e) {
        result = { ok: false, errors: [{ code: 'eval.failed', message: e.message }] };
      }
      self.postMessage({ type: 'evaluated', id: data.id, result });
      break;
    }
    case 'petition':
      self.postMessage({ type: 'petition', id: data.id, petition: JSON.parse(petitions[data.index] ?? 'null') });
      break;
    default:
  }
};
