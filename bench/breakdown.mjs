// npm run bench:breakdown — where one fenliu classification in Node spends its time: JS↔WASM
// conversion, text matching, rule evaluation, verdict building (docs/bench.md).
//
// Samples V8's CPU profiler (every 50 µs) while `Fenliu.classify(object)` runs over the real
// messages, on the default ruleset and on the shared decision. The .wasm is the package's own
// code (target/wasm32-unknown-unknown/wasm/fenliu.wasm, what `npm run build` compiled) passed
// through wasm-bindgen without removing the name section, so the profile names Rust functions;
// each sample goes to the first frame, from the leaf up, that belongs to a category (allocator,
// memcpy and std frames go to their caller). The µs column is the share times the mean call time
// measured without the profiler.
//
//   node bench/breakdown.mjs [--limit N] [--top N]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root, readRuleset, TODAY } from './engines.mjs';
import { petitionOf } from './shared/decision.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const LIMIT = opt('--limit', 0);
const TOP = opt('--top', 12);

const named = join(root, 'target/wasm32-unknown-unknown/wasm/fenliu.wasm');
const shipped = join(root, 'dist/wasm/fenliu_bg.wasm');
const out = join(root, 'bench/.cache/prof-wasm');
if (!existsSync(named) || !existsSync(shipped)) {
  console.error('the wasm build is missing: run `npm run build` first.');
  process.exit(1);
}
if (statSync(named).mtimeMs > statSync(shipped).mtimeMs + 60_000) {
  console.log('(note: target/…/fenliu.wasm is newer than dist/wasm: profiling the newer build)');
}
if (!existsSync(join(out, 'fenliu_bg.wasm')) || statSync(join(out, 'fenliu_bg.wasm')).mtimeMs < statSync(named).mtimeMs) {
  execFileSync('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, '--out-name', 'fenliu', named], { stdio: 'inherit' });
}
const glue = await import(join(out, 'fenliu.js'));
glue.initSync({ module: readFileSync(join(out, 'fenliu_bg.wasm')) });
const { bind } = await import(join(root, 'js/core.js'));
const { Fenliu } = bind(() => glue);

const dataPath = join(root, '../shared/data/portal-messages.jsonl');
let lines;
if (existsSync(dataPath)) {
  lines = readFileSync(dataPath, 'utf8').split('\n').filter(Boolean);
} else {
  console.log('(../shared/data absent: profiling examples/petitions.jsonl)');
  lines = readFileSync(join(root, 'examples/petitions.jsonl'), 'utf8').split('\n').filter(Boolean);
}
if (LIMIT) lines = lines.slice(0, LIMIT);
const messages = lines.map((l) => JSON.parse(l));

// Category of one frame, or null for frames that count for their caller.
const CATEGORIES = [
  ['verdict building', /input_hash|sha2::|fenliu::date::/],
  ['JS↔WASM conversion', /serde|fenliu::petition|fenliu::wasm|wasm_bindgen|fenliu::verdict::Verdict::to_json/],
  ['text matching', /daachorse|fenliu::lexicon|memchr::|fenliu::numbers/],
  ['rule evaluation', /rhai::|fenliu::native|fenliu::prefilter|fenliu::engine|fenliu::rule::|Classifier::fires|smartstring/],
  ['verdict building', /fenliu::classifier|fenliu::verdict/],
];
const JS_CONVERSION = new Set(['stringify', 'parse', 'JSON.stringify', 'JSON.parse', 'petitionJson', 'passStringToWasm0', 'getStringFromWasm0', 'decodeText', 'encodeString', 'encode', 'decode', 'encodeInto']);

function categorize(frame) {
  const name = frame.functionName;
  if (name === '(garbage collector)') return 'JS garbage collection';
  if (name === '(program)' || name === '(idle)' || name === '(root)') return 'idle';
  const isWasm = frame.url === '' && /::|wasm-function|^</.test(name);
  if (isWasm || /::/.test(name)) {
    for (const [cat, re] of CATEGORIES) if (re.test(name)) return cat;
    return null; // allocator, memcpy, core/alloc/std generics: the caller's
  }
  if (frame.url.includes('prof-wasm/fenliu.js') || JS_CONVERSION.has(name)) return 'JS↔WASM conversion';
  // The wrapper's self time is JSON.parse of the verdict (V8 counts the builtin in its caller).
  if (frame.url.includes('js/core.js')) return 'JS↔WASM conversion';
  if (frame.url.includes('bench/breakdown.mjs')) return 'harness loop';
  return null;
}

async function profile(label, options, petitions) {
  const f = new Fenliu(options);
  const today = { today: TODAY };
  for (const p of petitions.slice(0, 500)) f.classify(p, today);
  // Mean call time without the profiler (two passes, the faster).
  let mean = Infinity;
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    for (const p of petitions) f.classify(p, today);
    mean = Math.min(mean, ((performance.now() - t0) / petitions.length) * 1000);
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  for (let r = 0; r < 2; r++) for (const p of petitions) f.classify(p, today);
  const { profile: prof } = await session.post('Profiler.stop');
  session.disconnect();
  f.free();
  const f2 = new Fenliu(options);

  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = {};
  const self = {};
  let total = 0;
  let unnamedWasm = 0;
  for (const n of prof.nodes) {
    if (!n.hitCount) continue;
    let cat = null;
    for (let id = n.id; id !== undefined && cat === null; id = parent.get(id)) cat = categorize(byId.get(id).callFrame);
    cat ??= 'other JS';
    if (cat === 'idle' || cat === 'harness loop') continue;
    if (/wasm-function/.test(n.callFrame.functionName)) unnamedWasm += n.hitCount;
    counts[cat] = (counts[cat] ?? 0) + n.hitCount;
    const key = n.callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '') || '(anonymous)';
    self[key] = (self[key] ?? 0) + n.hitCount;
    total += n.hitCount;
  }
  console.log(`\n### ${label}: ${petitions.length} messages × 2, ${total} samples; mean call ${mean.toFixed(1)} µs without the profiler\n`);
  console.log('| where the time goes | share | µs per call |');
  console.log('| --- | ---: | ---: |');
  const order = ['JS↔WASM conversion', 'text matching', 'rule evaluation', 'verdict building', 'JS garbage collection', 'other JS'];
  for (const cat of order) {
    if (!counts[cat]) continue;
    const share = counts[cat] / total;
    console.log(`| ${cat} | ${(share * 100).toFixed(1)} % | ${(share * mean).toFixed(1)} |`);
  }
  // The JS side of the conversion, timed directly on the same petitions and verdicts.
  const jsons = petitions.map((p) => JSON.stringify(p));
  const verdicts = petitions.map((p) => f2.classify(p, today).json);
  const enc = new TextEncoder();
  // The verdict leaves wasm as UTF-16 code units (src/wasm.rs, classifyUtf16); UTF-8 shown for
  // comparison, as it was before.
  const dec = new TextDecoder('utf-16le');
  const dec8 = new TextDecoder();
  const buf = new Uint8Array(1 << 20);
  const units = verdicts.map((v) => Uint16Array.from({ length: v.length }, (_, i) => v.charCodeAt(i)));
  const bytes = verdicts.map((v) => enc.encode(v));
  const each = (fn, items) => {
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      for (const x of items) fn(x);
      best = Math.min(best, ((performance.now() - t0) / items.length) * 1000);
    }
    return best;
  };
  const js = {
    stringify: each((p) => JSON.stringify(p), petitions),
    encode: each((j) => enc.encodeInto(j, buf), jsons),
    decode: each((u) => dec.decode(u), units),
    decode8: each((b) => dec8.decode(b), bytes),
    parse: each((v) => JSON.parse(v), verdicts),
  };
  const size = (xs) => xs.reduce((a, x) => a + Buffer.byteLength(x), 0) / xs.length;
  // What the verdict JSON is made of (UTF-8 bytes), and its size without the trace (`brief`).
  const bytes8 = (x) => Buffer.byteLength(JSON.stringify(x));
  const part = { trace: 0, titles: 0, hits: 0 };
  for (const v of verdicts) {
    const trace = JSON.parse(v).trace ?? [];
    part.trace += bytes8(trace);
    for (const t of trace) {
      part.titles += bytes8(t.title);
      part.hits += t.matched ? bytes8(t.matched) : 0;
    }
  }
  const briefs = petitions.map((p) => f2.classify(p, { ...today, brief: true }).json);
  const all = size(verdicts) * verdicts.length;
  const pct = (x) => `${((x / all) * 100).toFixed(0)} %`;
  f2.free();
  console.log(`\nJS side of the conversion, timed alone: JSON.stringify(petition) ${js.stringify.toFixed(1)} µs, UTF-16→UTF-8 copy in ${js.encode.toFixed(1)} µs, ` +
    `UTF-16 copy out ${js.decode.toFixed(1)} µs (as UTF-8 it would be ${js.decode8.toFixed(1)} µs), JSON.parse(verdict) ${js.parse.toFixed(1)} µs per call (petition JSON ${(size(jsons) / 1024).toFixed(1)} KB, verdict JSON ${(size(verdicts) / 1024).toFixed(1)} KB on average); ` +
    `the rest of the conversion is serde_json inside the wasm.`);
  console.log(`\nThe verdict JSON: the trace is ${pct(part.trace)} of it (rule titles ${pct(part.titles)}, matched-word objects ${pct(part.hits)}); ` +
    `with \`brief\` (no trace) it is ${(size(briefs) / 1024).toFixed(1)} KB on average.`);
  if (unnamedWasm / total > 0.05) console.log(`\n(${((unnamedWasm / total) * 100).toFixed(0)} % of samples in unnamed wasm functions: the name section is missing)`);
  console.log(`\nTop ${TOP} functions by self time:\n`);
  console.log('| function | self |');
  console.log('| --- | ---: |');
  for (const [name, c] of Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`| \`${name.length > 110 ? `${name.slice(0, 107)}…` : name}\` | ${((c / total) * 100).toFixed(1)} % |`);
  }
  return { label, mean_us: mean, js, shares: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / total])) };
}

console.log(`## Where a classification spends its time (Node ${process.version}, the package's wasm with function names)`);
await profile('Default ruleset (152 rules)', undefined, messages);
await profile('Shared decision (47 rules)', { ruleset: readRuleset(join(root, 'bench/shared/fenliu')) }, messages.map(petitionOf));
await profileBuild();
sizeByCrate();

// ---------------------------------------------------------------------------------------------
// Building the default ruleset (`new Fenliu()`), warm: where the time goes.
async function profileBuild() {
  const BUILD = [
    ['Rhai: parse, read rule maps', /rhai::|fenliu::rule::|fenliu::engine/],
    ['keyword automaton (daachorse)', /daachorse|fenliu::lexicon/],
    ['TOML and JSON parsing', /toml|serde|winnow/],
    ['fingerprint (SHA-256)', /sha2::/],
    ['static checks, native translation, prefilter', /fenliu::check|fenliu::native|fenliu::prefilter/],
    ['other fenliu (ruleset, classifier set-up)', /fenliu::/],
  ];
  for (let i = 0; i < 10; i++) new Fenliu().free();
  let mean = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) new Fenliu().free();
    mean = Math.min(mean, (performance.now() - t0) / 10);
  }
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  for (let i = 0; i < 30; i++) new Fenliu().free();
  const { profile: prof } = await session.post('Profiler.stop');
  session.disconnect();
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = {};
  let total = 0;
  for (const n of prof.nodes) {
    if (!n.hitCount) continue;
    const f = n.callFrame.functionName;
    if (f === '(program)' || f === '(idle)' || f === '(root)') continue;
    let cat = f === '(garbage collector)' ? 'JS garbage collection' : null;
    for (let id = n.id; id !== undefined && cat === null; id = parent.get(id)) {
      const name = byId.get(id).callFrame.functionName;
      for (const [c, re] of BUILD) if (re.test(name)) { cat = c; break; }
    }
    cat ??= 'JS and unattributed (allocator, std)';
    counts[cat] = (counts[cat] ?? 0) + n.hitCount;
    total += n.hitCount;
  }
  console.log(`\n### Building the default ruleset (new Fenliu(), warm): ${mean.toFixed(1)} ms without the profiler, ${total} samples\n`);
  console.log('| where the time goes | share | ms |');
  console.log('| --- | ---: | ---: |');
  for (const [cat, c] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`| ${cat} | ${((c / total) * 100).toFixed(1)} % | ${((c / total) * mean).toFixed(1)} |`);
}

// ---------------------------------------------------------------------------------------------
// What the .wasm is made of: code bytes per crate (from the name section) and data bytes.
function sizeByCrate() {
  const bytes = readFileSync(join(out, 'fenliu_bg.wasm'));
  let pos = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return result;
    }
  };
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let data = 0;
  let other = 0;
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = leb();
    const end = pos + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        pos += leb(); // module
        pos += leb(); // name
        const kind = bytes[pos++];
        if (kind === 0) { leb(); imported++; } else if (kind === 1) { pos++; leb(); if (bytes[pos - 1] & 1) leb(); leb(); } else if (kind === 2) { const f = bytes[pos++]; leb(); if (f & 1) leb(); } else { pos += 2; }
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        bodies.push(len);
        pos += len;
      }
    } else if (id === 11) {
      data += size;
    } else if (id === 0) {
      const nameLen = leb();
      const name = bytes.subarray(pos, pos + nameLen).toString();
      pos += nameLen;
      if (name === 'name') {
        while (pos < end) {
          const sub = bytes[pos++];
          const subSize = leb();
          const subEnd = pos + subSize;
          if (sub === 1) {
            for (let n = leb(); n > 0; n--) {
              const idx = leb();
              const l = leb();
              names.set(idx, bytes.subarray(pos, pos + l).toString());
              pos += l;
            }
          }
          pos = subEnd;
        }
      } else {
        other += size;
      }
    } else {
      other += size;
    }
    pos = end;
  }
  const crates = {};
  bodies.forEach((len, i) => {
    const name = names.get(i + imported) ?? '';
    const m = /^[<&*\s]*(?:dyn\s+)?(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
    let crate = m ? m[1] : name ? '(other symbols)' : '(unnamed)';
    if (['core', 'alloc', 'std', 'hashbrown', 'dlmalloc', '__rustc', 'compiler_builtins', 'memcpy', 'memmove', 'memset', 'memcmp'].includes(crate)) crate = 'std, core, alloc, hashbrown, dlmalloc';
    crates[crate] = (crates[crate] ?? 0) + len;
  });
  const shipped = readFileSync(join(root, 'dist/wasm/fenliu_bg.wasm'));
  console.log(`\n### What the .wasm is made of (code bytes by crate of the function, before gzip; the shipped file is ${(shipped.length / 1024).toFixed(0)} KB)\n`);
  console.log('| part | KB |');
  console.log('| --- | ---: |');
  const rows = [...Object.entries(crates), ['data (embedded default ruleset, string constants, tables)', data], ['other sections (types, imports, exports, tables)', other]];
  for (const [k, v] of rows.sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`| ${k} | ${(v / 1024).toFixed(0)} |`);
  console.log('\n(generic functions count for the crate named first in their symbol, e.g. `<T as serde::…>` for the type\'s crate; code from inlining counts for the caller)');
}
