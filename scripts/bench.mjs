// npm run bench: the portal runtime (the package's default entry): size of the .wasm and the
// default bundle (raw, gzip), time to instantiate the .wasm, to load the default bundle, and to
// classify (median, p99) over the real portal messages in ../shared/data/ (a built-in sample
// when that folder is absent). Run `npm run build` first.
//
//   node scripts/bench.mjs [--rounds N] [--json]
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
const asJson = args.includes('--json');

const wasmPath = `${root}dist/wasm/fenliu_bg.wasm`;
if (!existsSync(wasmPath)) {
  console.error('dist/wasm/fenliu_bg.wasm is missing: run `npm run build` first.');
  process.exit(1);
}
const bytes = readFileSync(wasmPath);
const gzip = gzipSync(bytes, { level: 9 }).length;

// Instantiate: compile + instantiate + wasm-bindgen start, from bytes in memory (the network
// is the browser's business). Measured on a fresh glue module once; Node caches nothing here.
const glue = await import(`${root}dist/wasm/fenliu.js`);
let t = performance.now();
glue.initSync({ module: bytes });
const instantiateMs = performance.now() - t;

const { Fenliu } = await import(`${root}js/node.js`);
const bundleBytes = readFileSync(`${root}dist/wasm/default.fenliu`);

// Load the default ruleset's bundle (decode, build the keyword automaton, lay out the weights).
const builds = [];
for (let i = 0; i < 30; i++) {
  t = performance.now();
  const f = new Fenliu({ bundle: bundleBytes });
  builds.push(performance.now() - t);
  f.free();
}
const bundleGzip = gzipSync(bundleBytes, { level: 9 }).length;

const dataPath = `${root}../shared/data/portal-messages.jsonl`;
let messages;
let source;
if (existsSync(dataPath)) {
  messages = readFileSync(dataPath, 'utf8').split('\n').filter((l) => l.trim());
  source = `${messages.length} real portal messages (../shared/data/portal-messages.jsonl)`;
} else {
  messages = [
    '{"text":"楼下饭店每天营业到凌晨，噪音扰民严重，请城管管一管"}',
    '{"text":"公司拖欠我三个月工资，老板一直推脱","submitted_at":"2024-03-01"}',
    '{"text":"法院判决已经生效一年了，对方一直拒不履行，申请执行也没有结果"}',
  ];
  source = `${messages.length} built-in sample petitions (../shared/data absent)`;
}
const objects = messages.map((m) => JSON.parse(m));
const fenliu = new Fenliu();
const today = { today: '2024-06-01' };
const brief = { today: '2024-06-01', brief: true };

function timeEach(fn, items) {
  const times = new Float64Array(items.length * rounds);
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      const t0 = performance.now();
      fn(item);
      times[k++] = performance.now() - t0;
    }
  }
  times.sort();
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] * 1000;
  return { median_us: at(0.5), p99_us: at(0.99), n: times.length };
}

// Warm up the JIT and the engine.
for (const m of messages.slice(0, 200)) fenliu.classify(m, today);

const results = {
  wasm_raw_bytes: bytes.length,
  wasm_gzip_bytes: gzip,
  instantiate_ms: instantiateMs,
  bundle_raw_bytes: bundleBytes.length,
  bundle_gzip_bytes: bundleGzip,
  load_default_bundle_ms: { median: builds.sort((a, b) => a - b)[builds.length >> 1], min: builds[0] },
  classify_json_string: timeEach((m) => fenliu.classify(m, today), messages),
  classify_object: timeEach((o) => fenliu.classify(o, today), objects),
  classify_object_brief: timeEach((o) => fenliu.classify(o, brief), objects),
};

if (!asJson) {
  const us = (x) => `${x.median_us.toFixed(1)} µs median, ${x.p99_us.toFixed(1)} µs p99 (${x.n} calls)`;
  console.log(`fenliu npm bench — ${source}, ${rounds} rounds, Node ${process.version}`);
  console.log(`  .wasm                      ${(bytes.length / 1024).toFixed(0)} KB raw, ${(gzip / 1024).toFixed(0)} KB gzip -9`);
  console.log(`  instantiate                ${instantiateMs.toFixed(1)} ms`);
  console.log(`  default bundle             ${(bundleBytes.length / 1024).toFixed(0)} KB raw, ${(bundleGzip / 1024).toFixed(0)} KB gzip -9 (download with the .wasm: ${((gzip + bundleGzip) / 1024).toFixed(0)} KB)`);
  console.log(`  load default bundle        ${results.load_default_bundle_ms.median.toFixed(1)} ms median (min ${results.load_default_bundle_ms.min.toFixed(1)} ms)`);
  console.log(`  classify (JSON string in)  ${us(results.classify_json_string)}`);
  console.log(`  classify (object in)       ${us(results.classify_object)}`);
  console.log(`  classify (object, brief)   ${us(results.classify_object_brief)}`);
} else {
  console.log(JSON.stringify(results, null, 2));
}
