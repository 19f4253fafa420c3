// Browser tests in Debian's Chromium (playwright-core, no downloaded browser): the portal form
// example under the strict CSP, loaded from the packed package as a portal deploys it; and the
// worker timeout on a rule that loops forever. Screenshots go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { Fenliu, citizenView } from 'fenliu';
import { chromiumMissing, fixtures, launchChromium, root } from './helpers.mjs';
import { serveExample } from '../../scripts/serve.mjs';

const shots = join(root, 'test-results');
let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = chromiumMissing();
  if (skipReason) return;
  mkdirSync(shots, { recursive: true });
  server = await serveExample(0, { '/fixtures/': fixtures, '/test-pages/': join(root, 'tests/js/pages') });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page that records console errors, CSP violations and every request it makes. */
async function openPage(path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 }, locale: 'zh-CN' });
  const problems = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.url}${path}`);
  return { page, problems, requests };
}

test('portal form: typing a petition shows the route, the guidance and the question to ask', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, problems, requests } = await openPage('/');
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });

  const text = '公司拖欠我三个月工资，老板一直推脱，电话也不接了';
  await page.locator('#title').fill('拖欠工资');
  // Real keystrokes: the verdict must follow the typing (debounced), not a paste.
  await page.locator('#text').pressSequentially(text, { delay: 15 });
  await page.locator('#county').fill('甲县');
  await page.locator('#town').fill('乙镇');
  await page.waitForSelector('#verdict:not([hidden])', { timeout: 10_000 });
  await page.waitForTimeout(600); // let the last debounced call land

  // What the page shows must be what the package decides for the same petition.
  const expected = new Fenliu().classify({ channel: 'online', text, title: '拖欠工资', place: { county: '甲县', town: '乙镇' }, petitioners: 1, history: { prior_count: 0 } });
  assert.equal(expected.ok, true);
  const v = expected.verdict;
  assert.equal(await page.locator('#route-name').textContent(), v.route.name);
  assert.equal(await page.locator('#guidance').textContent(), v.route.guidance);
  assert.ok((await page.locator('#route-summary').textContent()).includes(v.route.handler));
  const asks = await page.locator('#ask-list li').allTextContents();
  assert.equal(asks.length, v.status === 'needs_info' ? v.missing.length : 0);
  assert.equal(await page.locator('#ask').isVisible(), v.status === 'needs_info');
  // Only the time limits that concern the citizen (tests/js/portal-form.test.mjs checks which).
  const deadlines = await page.locator('#deadlines li').allTextContents();
  assert.equal(deadlines.length, citizenView(v).timeLimits.length);
  await page.screenshot({ path: join(shots, 'portal-form.png'), fullPage: true });

  // Answering the question (keyboard only) updates the pre-screen.
  if (v.status === 'needs_info') {
    await page.locator('#ask-list button').first().focus();
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(() => document.activeElement?.id);
    assert.ok(['court', 'arbitration', 'reconsideration', 'county', 'town', 'village', 'petitioners', 'prior', 'text'].includes(focused), focused);
    const petition = { channel: 'online', text, title: '拖欠工资', place: { county: '甲县', town: '乙镇' }, petitioners: 1, history: { prior_count: 0 }, legal: { court: 'none', arbitration: 'none' } };
    await page.locator('#court').selectOption('none');
    await page.locator('#arbitration').selectOption('none');
    await page.waitForTimeout(700);
    const answered = new Fenliu().classify(petition).verdict;
    assert.equal(await page.locator('#route-name').textContent(), answered.route.name);
    assert.equal(await page.locator('#ask').isVisible(), answered.status === 'needs_info');
    await page.screenshot({ path: join(shots, 'portal-form-answered.png'), fullPage: true });
  }

  // Clearing the text goes back to the placeholder.
  await page.locator('#text').fill('');
  await page.waitForSelector('#placeholder:not([hidden])');

  // Strict CSP held, nothing failed, and every request stayed on the page's own origin
  // (page, script, worker, .wasm: the package makes no request of its own beyond its .wasm).
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
  assert.ok(requests.some((u) => u.endsWith('/vendor/fenliu/dist/wasm/fenliu_bg.wasm')));
  await page.close();
});

test('privacy: the portal form and the package write nothing to browser storage and send nothing', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const context = await browser.newContext({ locale: 'zh-CN' });
  // Record every attempt to write storage from the page, before any page script runs.
  await context.addInitScript(() => {
    const writes = (window.__storageWrites = []);
    const note = (what) => writes.push(what);
    for (const name of ['setItem', 'removeItem', 'clear']) {
      const original = Storage.prototype[name];
      Storage.prototype[name] = function (...args) {
        note(`${this === window.sessionStorage ? 'sessionStorage' : 'localStorage'}.${name}`);
        return original.apply(this, args);
      };
    }
    const idbOpen = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) { note(`indexedDB.open(${args[0]})`); return idbOpen.apply(this, args); };
    const cacheOpen = CacheStorage.prototype.open;
    CacheStorage.prototype.open = function (...args) { note(`caches.open(${args[0]})`); return cacheOpen.apply(this, args); };
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
    Object.defineProperty(Document.prototype, 'cookie', {
      get() { return cookie.get.call(this); },
      set(v) { note('document.cookie'); cookie.set.call(this, v); },
    });
  });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
  // The form (package in a worker): type a petition with personal details.
  await page.locator('#title').fill('拖欠工资');
  await page.locator('#text').pressSequentially('我叫张三，电话13800000000，公司拖欠我三个月工资', { delay: 5 });
  await page.waitForSelector('#verdict:not([hidden])', { timeout: 10_000 });
  // The package on the main thread too, with the default and a custom ruleset.
  const main = await page.evaluate(async () => {
    const { Fenliu } = await import('/vendor/fenliu/js/index.js');
    const f = await Fenliu.create();
    const r = f.classify({ text: '我叫张三，电话13800000000，邻居装修噪音扰民' });
    f.test();
    return r.json;
  });
  assert.ok(!main.includes('张三') && !main.includes('13800000000'), 'the verdict carries no free text');
  await page.waitForTimeout(300);
  // Nothing was attempted, and nothing is there (IndexedDB and Cache Storage are per origin,
  // so these also cover the worker, which the init script does not reach).
  const state = await page.evaluate(async () => ({
    writes: window.__storageWrites,
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    databases: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
    serviceWorkers: (await navigator.serviceWorker?.getRegistrations?.() ?? []).length,
  }));
  assert.deepEqual(state, { writes: [], local: 0, session: 0, cookie: '', databases: [], caches: [], serviceWorkers: 0 });
  assert.deepEqual(await context.cookies(), []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
  // Only the page's own files: no request carries the petition's text anywhere.
  assert.deepEqual(requests.filter((u) => /%E5%BC%A0|13800000000/.test(u)), []);
  await context.close();
});

test('portal form: every control has a label and the form works from the keyboard', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, problems } = await openPage('/');
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')].filter((el) => !el.labels || el.labels.length === 0).map((el) => el.id));
  assert.deepEqual(unlabelled, []);
  // Tab from the top reaches the skip link, then the title, then the text.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'title');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'text');
  await page.keyboard.type('小区门口的路灯坏了半年没人修');
  await page.waitForSelector('#verdict:not([hidden])', { timeout: 10_000 });
  assert.equal(await page.locator('#result').getAttribute('aria-live'), 'polite');
  assert.deepEqual(problems, []);
  await page.close();
});

test('fenliu/worker in Chromium: a rule that loops forever times out, the page keeps running, the next call works; every other trap and hostile input is an error', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, problems, requests } = await openPage('/test-pages/worker-timeout.html');
  await page.waitForSelector('body[data-done]', { timeout: 30_000 });
  const out = JSON.parse(await page.locator('#result').textContent());
  assert.equal(out.error, undefined, out.error);
  assert.equal(out.mainLoop, 'rule.limit');
  assert.equal(out.before, out.mainJson);
  assert.equal(out.loop, 'worker.timeout', JSON.stringify(out));
  assert.ok(out.elapsedMs >= 750 && out.elapsedMs < 5000, `timed out after ${out.elapsedMs} ms`);
  assert.ok(out.ticks >= 8, `the page froze: ${out.ticks} timer ticks in ${out.elapsedMs} ms`);
  assert.equal(out.after, out.before);
  for (const [word, got] of Object.entries(out.traps)) {
    const code = word === '规则抛错' ? 'rule.throw' : word === '返回数字' ? 'rule.type' : 'rule.limit';
    assert.match(got, new RegExp(`^${code.replace('.', '\\.')} traps\\.rhai:\\d+$`), `${word}: ${got}`);
  }
  assert.equal(Object.keys(out.traps).length, 8);
  assert.equal(out.surrogate, 'petition.surrogate');
  assert.equal(out.huge, 'petition.too_large');
  assert.equal(out.afterTraps, out.before);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
  await page.screenshot({ path: join(shots, 'worker-timeout.png') });
  await page.close();
});
