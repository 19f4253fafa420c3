// npm run bench (second part): fenliu against the engines a portal would otherwise pick, on one
// shared 47-rule routing decision (bench/shared/), over the real portal messages.
//
//   node bench/compare.mjs [--rounds N] [--cold N] [--limit N] [--json FILE]
//
// It re-runs itself with --expose-gc and --no-turbo-inline-js-wasm-calls. The latter because with
// JS→Wasm call inlining on, Node 20's V8 (11.3) aborts in its deoptimizer (`Deoptimizer::DoComputeBuiltinContinuation`, "unreachable code") about a
// minute into the interleaved classify rounds, every time; without it, never. It costs a few
// nanoseconds per call to each WASM engine alike (none to json-rules-engine).
//
// 1. Checks that bench/shared/ is current and that every engine gives the same route, deciding
//    rule, score and tier on every message (exit 1 otherwise) — before timing anything.
// 2. Package size: what a browser downloads (.wasm raw and gzip -9; the JS entry bundled and
//    minified by rolldown, raw and gzip -9).
// 3. Cold start (import + instantiate), first build, peak memory: fresh child processes
//    (bench/cold.mjs), engines interleaved, median of --cold runs.
// 4. Ruleset build, classify median and p99 per message, throughput per core: in this process,
//    engines interleaved in chunks of 100 messages with a rotating order, so that the load of
//    other jobs on the machine hits all of them alike. Throughput per core is messages per CPU
//    second of this process (worker threads included), one call at a time and — for the async
//    engines — 100 calls in flight; the better of the two counts.
// 5. Prints absolute tables and the ratios fenliu / peer, which are what we quote.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { ENGINES, FENLIU_DEFAULT, SIZE_ONLY, root } from './engines.mjs';
import { petitionOf, ROUTE_RULES, POINT_RULES } from './shared/decision.mjs';
import { stale } from './shared/generate.mjs';

const FLAGS = ['--expose-gc', '--no-turbo-inline-js-wasm-calls', '--disable-warning=ExperimentalWarning'];
if (!FLAGS.every((f) => process.execArgv.includes(f))) {
  const run = spawnSync(process.execPath, [...FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const ROUNDS = opt('--rounds', 3);
const COLD = opt('--cold', 5);
const LIMIT = opt('--limit', 0);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
const CHUNK = 100;
/** The speed to reach (issue 6). */
// Issue 13's targets for the portal runtime (Node 20 here), and issue 6's throughput ratio.
const TARGETS = { wasm_median_us: 40, build_ms: 2, download_gzip_kb: 200, first_verdict_ms: 30, throughput_ratio: 3 };

const dataPath = join(root, '../shared/data/portal-messages.jsonl');
if (!existsSync(dataPath)) {
  console.log('engine comparison skipped: ../shared/data/portal-messages.jsonl is absent (the real messages are not ours to copy).');
  process.exit(0);
}
const staleFiles = stale();
if (staleFiles.length) {
  console.error(`bench/shared is stale (${staleFiles.join(', ')}): run node bench/shared/generate.mjs`);
  process.exit(1);
}
if (!existsSync(join(root, 'dist/wasm/fenliu_bg.wasm'))) {
  console.error('dist/wasm/fenliu_bg.wasm is missing: run `npm run build` first (npm run bench does).');
  process.exit(1);
}

let lines = readFileSync(dataPath, 'utf8').split('\n').filter(Boolean);
if (LIMIT) lines = lines.slice(0, LIMIT);
const petitions = lines.map((l) => petitionOf(JSON.parse(l)));
const n = petitions.length;

const engines = [];
for (const e of ENGINES) {
  const problem = e.available?.();
  if (problem) console.log(`${e.label}: skipped (${problem})`);
  else engines.push(e);
}
const timed = [...engines, FENLIU_DEFAULT];

console.log(`\n## Engine comparison — ${n} real portal messages, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${new Date().toISOString().slice(0, 10)}\n`);

// ---------------------------------------------------------------------------------------------
// Package size (first: rolldown is not run next to the engines' worker threads).
let bundle = null;
try {
  bundle = (await import('rolldown')).rolldown;
} catch {
  console.log('(rolldown unavailable: JS sizes not measured)');
}
async function jsSize(entryCode, extraFile) {
  const { mkdirSync, writeFileSync: write } = await import('node:fs');
  const dir = join(root, 'bench/.cache');
  mkdirSync(dir, { recursive: true });
  let raw = 0;
  let gz = 0;
  const inputs = [];
  const entry = join(dir, `entry-${Math.random().toString(36).slice(2)}.mjs`);
  write(entry, entryCode);
  inputs.push(entry);
  if (extraFile) inputs.push(extraFile);
  for (const input of inputs) {
    const b = await bundle({ input, platform: 'browser', logLevel: 'silent', cwd: root });
    const out = await b.generate({ format: 'esm', minify: true });
    for (const o of out.output) {
      if (o.type !== 'chunk') continue;
      raw += Buffer.byteLength(o.code);
      gz += gzipSync(o.code, { level: 9 }).length;
    }
  }
  return { raw, gz };
}
const sizes = new Map();
const progress = (what) => process.stderr.write(`… ${what}\n`);
progress('package sizes');
for (const e of [...engines, ...SIZE_ONLY]) {
  const f = e.files();
  const wasm = f.wasm.map((p) => readFileSync(p));
  const s = {
    wasm_raw: wasm.reduce((a, b) => a + b.length, 0),
    wasm_gz: wasm.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0),
    ...(bundle ? await jsSize(f.js, f.worker) : { raw: NaN, gz: NaN }),
  };
  s.js_raw = s.raw;
  s.js_gz = s.gz;
  s.total_gz = s.wasm_gz + s.js_gz;
  sizes.set(e, s);
}

// ---------------------------------------------------------------------------------------------
// Load and build each once; check agreement before timing anything.
const mods = new Map();
const sources = new Map();
const insts = new Map();
for (const e of timed) {
  mods.set(e, await e.load());
  sources.set(e, e.source());
  insts.set(e, e.build(mods.get(e), sources.get(e)));
}
const call = (e, p) => e.classify(insts.get(e), p);

let agreed = 0;
const disagreements = [];
const routeRules = new Map();
const tierCount = {};
for (const p of petitions) {
  const answers = [];
  for (const e of engines) answers.push(await call(e, p));
  const ref = JSON.stringify(answers[0]);
  const bad = answers.map((a, i) => [engines[i].name, JSON.stringify(a)]).filter(([, a]) => a !== ref);
  if (bad.length) disagreements.push({ id: p.id, [engines[0].name]: ref, ...Object.fromEntries(bad) });
  else agreed++;
  routeRules.set(answers[0].rule, (routeRules.get(answers[0].rule) ?? 0) + 1);
  tierCount[answers[0].tier] = (tierCount[answers[0].tier] ?? 0) + 1;
}
const names = engines.map((e) => e.name).join(', ');
if (disagreements.length) {
  console.error(`DISAGREEMENT: ${names} agree on ${agreed}/${n} messages; first differences:`);
  for (const d of disagreements.slice(0, 10)) console.error(JSON.stringify(d));
  process.exit(1);
}
console.log(`Agreement: ${agreed}/${n} messages — ${names} give the same route, deciding rule, score and tier on every one.`);
console.log(`Decision: ${ROUTE_RULES.length} route rules (${routeRules.size} of them decide at least one message) + ${POINT_RULES.length} difficulty rules; tiers ${Object.entries(tierCount).map(([k, v]) => `${k} ${v}`).join(', ')}.\n`);

// ---------------------------------------------------------------------------------------------
// Cold start, first build and memory: fresh processes, interleaved.
progress(`cold start and memory: ${COLD} fresh processes per engine`);
const cold = new Map([...timed, ...SIZE_ONLY].map((e) => [e, []]));
for (let r = 0; r < COLD; r++) {
  const order = [...cold.keys()];
  for (let j = 0; j < order.length; j++) {
    const e = order[(r + j) % order.length];
    const out = execFileSync(process.execPath, [...FLAGS, join(root, 'bench/cold.mjs'), e.name, dataPath, String(LIMIT)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    cold.get(e).push(JSON.parse(out.trim().split('\n').pop()));
  }
}
const med = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};
const coldOf = (e, key) => med(cold.get(e).map((c) => c[key]));

// ---------------------------------------------------------------------------------------------
// Classify: per-message latency, one at a time, interleaved in chunks.
progress(`classify: ${ROUNDS} rounds, interleaved`);
for (const e of timed) for (const p of petitions.slice(0, 300)) await call(e, p); // warm-up
const lat = new Map(timed.map((e) => [e, { times: new Float64Array(n * ROUNDS), k: 0, cpu: 0, wall: 0, calls: 0 }]));
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let chunkNo = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (let c = 0; c < n; c += CHUNK, chunkNo++) {
    const chunk = petitions.slice(c, c + CHUNK);
    for (let j = 0; j < timed.length; j++) {
      const e = timed[(chunkNo + j) % timed.length];
      const s = lat.get(e);
      const inst = insts.get(e);
      const c0 = cpuNow();
      const w0 = performance.now();
      if (e.async) {
        for (const p of chunk) {
          const t0 = performance.now();
          await e.classify(inst, p);
          s.times[s.k++] = performance.now() - t0;
        }
      } else {
        for (const p of chunk) {
          const t0 = performance.now();
          e.classify(inst, p);
          s.times[s.k++] = performance.now() - t0;
        }
      }
      s.wall += performance.now() - w0;
      s.cpu += cpuNow() - c0;
      s.calls += chunk.length;
    }
  }
}
progress('classify: async engines with 100 calls in flight');
// Async engines again with 100 calls in flight (one round), for their best throughput.
const batched = new Map();
chunkNo = 0;
for (let c = 0; c < n; c += CHUNK, chunkNo++) {
  const chunk = petitions.slice(c, c + CHUNK);
  const asyncs = timed.filter((e) => e.async);
  for (let j = 0; j < asyncs.length; j++) {
    const e = asyncs[(chunkNo + j) % asyncs.length];
    const s = batched.get(e) ?? { cpu: 0, wall: 0, calls: 0 };
    const c0 = cpuNow();
    const w0 = performance.now();
    await Promise.all(chunk.map((p) => e.classify(insts.get(e), p)));
    s.wall += performance.now() - w0;
    s.cpu += cpuNow() - c0;
    s.calls += chunk.length;
    batched.set(e, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Ruleset build, warm, interleaved.
progress('ruleset builds');
const builds = new Map(timed.map((e) => [e, []]));
const BUILD_ROUNDS = 15;
for (let r = 0; r < BUILD_ROUNDS; r++) {
  for (let j = 0; j < timed.length; j++) {
    const e = timed[(r + j) % timed.length];
    const t0 = performance.now();
    const inst = e.build(mods.get(e), sources.get(e));
    builds.get(e).push(performance.now() - t0);
    e.free(inst);
  }
}

const results = new Map();
for (const e of timed) {
  const s = lat.get(e);
  const times = s.times.subarray(0, s.k).sort();
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] * 1000;
  const b = batched.get(e);
  const perCoreSeq = s.calls / s.cpu;
  const perCoreBatch = b ? b.calls / b.cpu : NaN;
  results.set(e, {
    engine: e.name,
    ...(sizes.get(e) ?? {}),
    cold_start_ms: coldOf(e, 'load_ms'),
    first_build_ms: coldOf(e, 'build_ms'),
    first_verdict_ms: coldOf(e, 'first_verdict_ms'),
    build_ms: med(builds.get(e)),
    median_us: at(0.5),
    p99_us: at(0.99),
    mean_us: (s.wall / s.calls) * 1000,
    per_core_seq: perCoreSeq,
    per_core_batched: perCoreBatch,
    per_core: Math.max(perCoreSeq, Number.isFinite(perCoreBatch) ? perCoreBatch : 0),
    peak_rss_mb: coldOf(e, 'peak_rss_mb'),
    retained_js_mb: coldOf(e, 'retained_js_mb'),
  });
}
for (const e of SIZE_ONLY) results.set(e, { engine: e.name, ...sizes.get(e), cold_start_ms: coldOf(e, 'load_ms') });

// ---------------------------------------------------------------------------------------------
// Tables.
const kb = (b) => `${(b / 1024).toFixed(0)} KB`;
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const row = (cells) => `| ${cells.join(' | ')} |`;

console.log('### Package: what a browser downloads (gzip -9; JS = the entry bundled and minified by rolldown)\n');
console.log(row(['engine', 'package', '.wasm raw', '.wasm gzip', 'JS raw', 'JS gzip', 'total gzip']));
console.log(row(['---', '---', '---:', '---:', '---:', '---:', '---:']));
for (const e of [...engines, ...SIZE_ONLY]) {
  const s = results.get(e);
  console.log(row([e.label, e.package, kb(s.wasm_raw), kb(s.wasm_gz), kb(s.js_raw), kb(s.js_gz), `**${kb(s.total_gz)}**`]));
}

console.log(`\n### Speed and memory (shared decision; cold figures: median of ${COLD} fresh processes; classify: ${ROUNDS} × ${n} calls each, interleaved)\n`);
console.log(row(['engine', 'cold start ms', 'first build ms', 'build ms', 'classify median µs', 'p99 µs', 'msgs / CPU-s, 1 at a time', '100 in flight', 'peak RSS MB']));
console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const e of [...timed, ...SIZE_ONLY]) {
  const s = results.get(e);
  console.log(row([e.label, f1(s.cold_start_ms), f1(s.first_build_ms), f1(s.build_ms), f1(s.median_us), f1(s.p99_us), f0(s.per_core_seq), f0(s.per_core_batched), f1(s.peak_rss_mb)]));
}

const ref = results.get(engines[0]);
const peers = engines.slice(1);
const metrics = [
  ['.wasm gzip', 'wasm_gz', 'lower'],
  ['JS gzip', 'js_gz', 'lower'],
  ['total gzip', 'total_gz', 'lower'],
  ['cold start', 'cold_start_ms', 'lower'],
  ['first build', 'first_build_ms', 'lower'],
  ['build', 'build_ms', 'lower'],
  ['classify median', 'median_us', 'lower'],
  ['classify p99', 'p99_us', 'lower'],
  ['throughput per core', 'per_core', 'higher'],
  ['peak RSS', 'peak_rss_mb', 'lower'],
];
console.log('\n### Ratios fenliu / peer (sizes, times, memory: below 1 = fenliu smaller or faster; throughput: above 1 = fenliu faster)\n');
console.log(row(['fenliu / …', ...peers.map((e) => e.label)]));
console.log(row(['---', ...peers.map(() => '---:')]));
const ratios = {};
for (const [label, key] of metrics) {
  const cells = peers.map((e) => {
    const x = ref[key] / results.get(e)[key];
    ratios[`${key}/${e.name}`] = x;
    return Number.isFinite(x) && results.get(e)[key] !== 0 ? `${x.toFixed(2)}×` : '—';
  });
  console.log(row([label, ...cells]));
}

const def = results.get(FENLIU_DEFAULT);
const goal = (ok) => (ok ? 'yes' : '**no**');
console.log('\n### Targets of issue 13 measured here (Node WASM, the portal runtime; the native ones are in `cargo bench`)\n');
console.log(row(['target', 'measured', 'met']));
console.log(row(['---', '---:', '---']));
console.log(row([`default ruleset: classify median ≤ ${TARGETS.wasm_median_us} µs (Node WASM)`, `${f1(def.median_us)} µs`, goal(def.median_us <= TARGETS.wasm_median_us)]));
console.log(row([`default bundle loaded in ≤ ${TARGETS.build_ms} ms (Node WASM, warm)`, `${f1(def.build_ms)} ms`, goal(def.build_ms <= TARGETS.build_ms)]));
console.log(row([`first verdict in a fresh process ≤ ${TARGETS.first_verdict_ms} ms (import + load + classify)`, `${f1(def.first_verdict_ms)} ms`, goal(def.first_verdict_ms <= TARGETS.first_verdict_ms)]));
// The default ruleset's download: the portal runtime's .wasm and the default bundle.
const defaultDownload = FENLIU_DEFAULT.files().wasm.reduce((a, p) => a + gzipSync(readFileSync(p), { level: 9 }).length, 0);
console.log(row([`runtime .wasm + default bundle ≤ ${TARGETS.download_gzip_kb} KB gzip`, kb(defaultDownload), goal(defaultDownload <= TARGETS.download_gzip_kb * 1024)]));
for (const e of peers.filter((p) => p.name === 'json-rules-engine' || p.name === 'zen')) {
  const x = ref.per_core / results.get(e).per_core;
  console.log(row([`throughput ≥ ${TARGETS.throughput_ratio}× ${e.label} (shared decision)`, `${x.toFixed(2)}×`, goal(x >= TARGETS.throughput_ratio)]));
}

if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), node: process.version, messages: n, rounds: ROUNDS, agreement: { agreed, messages: n }, results: Object.fromEntries([...results.values()].map((r) => [r.engine, r])), ratios }, null, 2));
  console.log(`\n(results written to ${jsonOut})`);
}
process.exit(0);
