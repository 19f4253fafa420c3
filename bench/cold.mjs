// One engine in a fresh process (run by bench/compare.mjs, several times per engine, interleaved):
// cold start (import the package and instantiate its .wasm), the first ruleset build (fenliu:
// loading its compiled bundle), the first verdict, and memory:
// the peak resident set over loading, building and classifying every message once, above the
// process's own baseline (node + the messages in memory), and what stays after a full GC.
//
//   node --expose-gc bench/cold.mjs ENGINE MESSAGES.jsonl [LIMIT]   → one JSON line on stdout
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { byName } from './engines.mjs';
import { petitionOf } from './shared/decision.mjs';

const [name, data, limit] = process.argv.slice(2);
const engine = byName(name);
const petitions = data ? readFileSync(data, 'utf8').split('\n').filter(Boolean).slice(0, Number(limit) || undefined).map((l) => petitionOf(JSON.parse(l))) : [];
const source = engine.source?.();

// The high-water mark of this process's resident set. Not `process.resourceUsage().maxRSS`:
// Linux carries that over from the parent across fork and exec.
const peakRss = () => {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
};
const used = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, js: m.heapUsed + m.external };
};
globalThis.gc?.();
const base = used();

let t = performance.now();
const mod = await engine.load();
const loadMs = performance.now() - t;

const out = { engine: name, load_ms: loadMs };
if (!engine.sizeOnly) {
  t = performance.now();
  const inst = engine.build(mod, source);
  out.build_ms = performance.now() - t;
  if (petitions.length) {
    t = performance.now();
    if (engine.async) await engine.classify(inst, petitions[0]);
    else engine.classify(inst, petitions[0]);
    out.first_classify_ms = performance.now() - t;
    // From the start of the import to the first verdict: what a fresh process (or page) waits.
    out.first_verdict_ms = out.load_ms + out.build_ms + out.first_classify_ms;
  }
  for (const p of petitions) {
    if (engine.async) await engine.classify(inst, p);
    else engine.classify(inst, p);
  }
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 10));
  globalThis.gc?.();
  const after = used();
  out.peak_rss_mb = (peakRss() - base.rss) / 2 ** 20;
  out.retained_rss_mb = (after.rss - base.rss) / 2 ** 20;
  out.retained_js_mb = (after.js - base.js) / 2 ** 20;
  out.messages = petitions.length;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
