// npm run bench:boundary — prices the JS↔WASM boundary: the same classifications through one
// JSON string each way (what the package ships) and through serde-wasm-bindgen objects, against
// the core alone. Builds the measurement variant (feature `wasm-bench`) into dist/bench-wasm/
// unless it is there. Uses the real portal messages (../shared/data) or a built-in sample.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bench-wasm`;
if (!existsSync(`${out}/fenliu_bg.wasm`) || process.argv.includes('--rebuild')) {
  execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: root, stdio: 'inherit', env: { ...process.env, FENLIU_FEATURES: 'wasm-bench', FENLIU_OUT: 'dist/bench-wasm' } });
}
const glue = await import(`${out}/fenliu.js`);
glue.initSync({ module: readFileSync(`${out}/fenliu_bg.wasm`) });
const engine = new glue.Engine(undefined, undefined, undefined);

const data = `${root}../shared/data/portal-messages.jsonl`;
const msgs = existsSync(data)
  ? readFileSync(data, 'utf8').split('\n').filter(Boolean)
  : ['{"text":"楼下饭店每天营业到凌晨，噪音扰民严重"}', '{"text":"公司拖欠我三个月工资，老板一直推脱","submitted_at":"2024-03-01"}'];
const objs = msgs.map((m) => JSON.parse(m));
const today = '2024-06-01';

let same = 0;
for (let i = 0; i < msgs.length; i++) if (engine.classify(msgs[i], today) === JSON.stringify(engine.classifyValue(objs[i], today))) same++;

// The ways are interleaved per message (in rotating order), so a change in machine load hits
// them all alike.
const ways = [
  ['core alone (JSON string in, nothing out)', (i) => engine.classifyNothing(msgs[i], today)],
  ['JSON string in, JSON string out', (i) => engine.classify(msgs[i], today)],
  ['JSON string in, string out + JSON.parse (the package)', (i) => JSON.parse(engine.classify(msgs[i], today))],
  ['object: JSON.stringify in, JSON.parse out (the package)', (i) => JSON.parse(engine.classify(JSON.stringify(objs[i]), today))],
  ['object: serde-wasm-bindgen in and out', (i) => engine.classifyValue(objs[i], today)],
  ['serde-wasm-bindgen, then JSON.stringify for the CLI bytes', (i) => JSON.stringify(engine.classifyValue(objs[i], today))],
];
const times = ways.map(() => []);
for (let i = 0; i < msgs.length; i++) for (const [, fn] of ways) fn(i); // warm-up
for (let r = 0; r < 3; r++) {
  for (let i = 0; i < msgs.length; i++) {
    for (let k = 0; k < ways.length; k++) {
      const w = (k + i + r) % ways.length;
      const t = performance.now();
      ways[w][1](i);
      times[w].push(performance.now() - t);
    }
  }
}
const us = (x) => (x * 1000).toFixed(1).padStart(7);
console.log(`${msgs.length} messages × 3 rounds, interleaved; µs per call          median     p99    mean`);
ways.forEach(([name], w) => {
  const ts = times[w].sort((a, b) => a - b);
  console.log(`${name.padEnd(58)} ${us(ts[ts.length >> 1])} ${us(ts[Math.floor(ts.length * 0.99)])} ${us(ts.reduce((a, b) => a + b) / ts.length)}`);
});
console.log(`serde-wasm-bindgen gave the CLI's bytes (after JSON.stringify) for ${same} of ${msgs.length}`);
const shipped = `${root}dist/wasm/fenliu_bg.wasm`;
if (existsSync(shipped)) {
  const a = readFileSync(shipped);
  const b = readFileSync(`${out}/fenliu_bg.wasm`);
  console.log(`module: ${(gzipSync(a, { level: 9 }).length / 1024).toFixed(0)} KB gzip shipped; ${(gzipSync(b, { level: 9 }).length / 1024).toFixed(0)} KB with the serde-wasm-bindgen path added`);
}
