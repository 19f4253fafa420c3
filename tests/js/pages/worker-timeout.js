// Browser test page (tests/js/browser.test.mjs): a rule that loops forever runs in fenliu/worker;
// the call must end in `worker.timeout` while the page keeps painting, and the replaced worker
// must answer the next call. Then every other trap and some hostile input in a worker with the
// default limits. Also runs the main-thread API once for comparison.
import { FenliuWorker } from '/vendor/fenliu/js/worker.js';
import { Fenliu } from '/vendor/fenliu/js/authoring.js';

const files = {
  'manifest.toml': '/fixtures/mini/manifest.toml',
  'rules.rhai': '/fixtures/mini/rules.rhai',
  'lexicon/noise.toml': '/fixtures/mini/lexicon/noise.toml',
  'lexicon/traps.toml': '/fixtures/traps/lexicon.toml',
  'traps.rhai': '/fixtures/traps/traps.rhai',
};
const NOISE = { text: '楼下饭店每天半夜噪音扰民', submitted_at: '2024-03-01' };

async function run() {
  const ruleset = {};
  for (const [path, url] of Object.entries(files)) ruleset[path] = await (await fetch(url)).text();
  const out = {};

  const main = await Fenliu.create({ ruleset });
  out.mainJson = main.classify(NOISE).json;
  out.mainLoop = main.classify({ text: '死循环' }).errors?.[0]?.code; // default limits: rule.limit

  const worker = await FenliuWorker.create({ ruleset, limits: { maxOperations: 1e18 }, timeout: 800 });
  out.before = (await worker.classify(NOISE)).json;

  // Count timer ticks while the worker loops: a frozen page would count none.
  let ticks = 0;
  const tick = setInterval(() => ticks++, 50);
  const started = performance.now();
  try {
    await worker.classify({ text: '死循环' });
    out.loop = 'resolved';
  } catch (e) {
    out.loop = e.code;
    out.loopMessage = e.message;
  }
  out.elapsedMs = Math.round(performance.now() - started);
  clearInterval(tick);
  out.ticks = ticks;
  out.after = (await worker.classify(NOISE)).json;
  worker.terminate();

  // Every trap, with the default limits, in a browser worker: each an error with its place in
  // traps.rhai, never a timeout or a crash; then hostile input; then an ordinary call.
  const plain = await FenliuWorker.create({ ruleset, timeout: 5000 });
  out.traps = {};
  for (const word of ['死循环', '无限递归', '闭包递归', '字符串爆炸', '规则抛错', '返回数字', '数组爆炸', '对象爆炸']) {
    const r = await plain.classify({ text: `测试${word}` });
    out.traps[word] = r.ok ? 'ok' : `${r.errors[0].code} ${r.errors[0].location?.file}:${r.errors[0].location?.line}`;
  }
  out.surrogate = (await plain.classify('{"text": "拖欠\uD800工资"}')).errors?.[0]?.code;
  out.huge = (await plain.classify({ text: '欠薪'.repeat(500_000) })).errors?.[0]?.code;
  out.afterTraps = (await plain.classify(NOISE)).json;
  plain.terminate();
  return out;
}

run().then(
  (out) => { document.getElementById('result').textContent = JSON.stringify(out); document.body.dataset.done = 'ok'; },
  (e) => { document.getElementById('result').textContent = JSON.stringify({ error: String(e?.stack ?? e) }); document.body.dataset.done = 'error'; },
);
