// The portal form as a citizen meets it, in Debian's Chromium (issue 14, items 1–5): the layout
// from 320 to 1,440 px with the pre-screen in view while typing on a phone, the emergency lines
// first for a threat to life, the citizen's view (no office file, nothing that reads as a
// decision), a long paste kept whole and said to be read in part, and the form still working
// where the pre-screen cannot run (WebAssembly switched off or blocked by CSP, no reference
// types, a package the browser cannot parse). Screenshots go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Fenliu, citizenView, PRESCREEN_UNAVAILABLE } from 'fenliu';
import { chromiumMissing, launchChromium, root } from './helpers.mjs';
import { CSP, serve, serveExample } from '../../scripts/serve.mjs';

const shots = join(root, 'test-results');
const portalDir = join(root, 'examples/portal-form');
let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = chromiumMissing();
  if (skipReason) return;
  mkdirSync(shots, { recursive: true });
  server = await serveExample(0);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the form at a size; records page errors and console errors. */
async function open(b, url, viewport) {
  const page = await b.newPage({ viewport, locale: 'zh-CN' });
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(`${url}/`);
  return { page, problems };
}

async function typeText(page, text) {
  await page.locator('#text').click();
  await page.keyboard.type(text, { delay: 5 });
  await page.waitForSelector('#verdict:not([hidden])', { timeout: 10_000 });
  await page.waitForTimeout(600); // the last debounced call lands
}

/** Rectangles in viewport coordinates. */
function rects(page, ids) {
  return page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const el = document.getElementById(id);
    const r = el.getBoundingClientRect();
    return [id, { top: r.top, bottom: r.bottom, left: r.left, right: r.right, visible: r.height > 0 && getComputedStyle(el).visibility !== 'hidden' }];
  })), ids);
}

const WAGES = '公司拖欠我三个月工资，老板一直推脱，电话也不接了';
const WIDTHS = [[320, 568], [390, 844], [768, 1024], [1280, 900], [1440, 900]];

test('layout: no horizontal overflow from 320 to 1,440 px; on a phone the pre-screen is in view while the text is focused; no layout words', async (t) => {
  if (skipReason) return t.skip(skipReason);
  for (const [width, height] of WIDTHS) {
    const { page, problems } = await open(browser, server.url, { width, height });
    await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
    await page.locator('#title').fill('拖欠工资');
    await typeText(page, WAGES);
    const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth, body: document.body.scrollWidth }));
    assert.ok(overflow.scroll <= overflow.inner && overflow.body <= overflow.inner, `${width} px: page is ${overflow.scroll} px wide`);
    // No element sticks out on the right (a long date or handler name once did).
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && getComputedStyle(el).display !== 'none')
      .map((el) => el.id || el.tagName));
    assert.deepEqual(wide, [], `${width} px`);

    // The text is focused (the citizen is typing): the pre-screen shows without scrolling.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'text');
    const r = await rects(page, ['text', 'prescreen-bar', 'prescreen', 'prescreen-title', 'route-name']);
    const inView = (x) => x.visible && x.top >= 0 && x.bottom <= height;
    if (width < 900) {
      // The summary (channel, and emergency lines when urgent) is in view and leaves the text clear.
      assert.ok(inView(r['prescreen-bar']), `${width} px: pre-screen summary at ${r['prescreen-bar'].top}–${r['prescreen-bar'].bottom} of ${height}`);
      assert.ok(r['prescreen-bar'].top >= r.text.bottom - 1, `${width} px: the summary covers the text`);
      assert.equal(await page.locator('#bar-route').textContent(), await page.locator('#route-name').textContent());
    } else {
      assert.ok(inView(r['prescreen-title']) && inView(r['route-name']), `${width} px: pre-screen column out of view`);
      assert.equal(await page.locator('#prescreen-bar').isVisible(), false);
    }
    const words = await page.evaluate(() => document.body.innerText);
    for (const w of ['右侧', '左侧', '左边', '右边']) assert.ok(!words.includes(w), `${width} px: "${w}" on the page`);
    await page.screenshot({ path: join(shots, `portal-form-${width}.png`), fullPage: true });
    if (width < 900) await page.screenshot({ path: join(shots, `portal-form-${width}-typing.png`) });
    assert.deepEqual(problems, []);
    await page.close();
  }
  // A phone with the on-screen keyboard open (about half of 844 px left).
  const { page } = await open(browser, server.url, { width: 390, height: 460 });
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
  await typeText(page, `${WAGES}。${'我们一共有二十多个工友，都是同样的情况，去公司找了好几次都找不到人。'.repeat(4)}`);
  const r = await rects(page, ['text', 'prescreen-bar']);
  assert.ok(r['prescreen-bar'].visible && r['prescreen-bar'].top >= 0 && r['prescreen-bar'].bottom <= 460, JSON.stringify(r));
  assert.ok(r['prescreen-bar'].top >= r.text.top, JSON.stringify(r));
  await page.screenshot({ path: join(shots, 'portal-form-390-keyboard.png') });
  await page.close();
});

test('urgent: the first thing shown is the emergency lines (110, 119, 120, 12356); a threat quoted from the boss shows none', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, problems } = await open(browser, server.url, { width: 390, height: 844 });
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
  await typeText(page, '低保一直批不下来，看病的钱也没有了，我真的想不开……哪天就从楼上跳下去算了');
  await page.waitForSelector('#emergency:not([hidden])');
  // First in the pre-screen, before the channel; and first in the phone's summary.
  const order = await page.evaluate(() => {
    const shown = [...document.querySelectorAll('#result > *')].filter((el) => !el.hidden).map((el) => el.id);
    return { shown, bar: document.getElementById('bar-emergency').hidden ? null : document.getElementById('bar-emergency').textContent };
  });
  assert.equal(order.shown[0], 'emergency');
  assert.ok(order.shown.indexOf('verdict') > 0);
  const numbers = await page.locator('#emergency-lines a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  assert.deepEqual(numbers, [['110', 'tel:110'], ['119', 'tel:119'], ['120', 'tel:120'], ['12356', 'tel:12356']]);
  assert.match(await page.locator('#emergency-lines').textContent(), /心理援助/);
  assert.match(order.bar, /110.*119.*120.*12356/);
  const bar = await rects(page, ['bar-emergency']);
  assert.ok(bar['bar-emergency'].top >= 0 && bar['bar-emergency'].bottom <= 844, 'emergency lines in view while typing');
  await page.screenshot({ path: join(shots, 'portal-form-urgent-390.png') });

  // The boss's threat, quoted: routine guidance, no emergency box.
  await page.locator('#text').fill('');
  await typeText(page, '公司拖欠我们五个人三个月工资，老板扬言谁再来要钱就找人弄死他');
  assert.equal(await page.locator('#emergency').isVisible(), false);
  assert.equal(await page.locator('#bar-emergency').isVisible(), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('citizen view: channel and why, what to prepare, the citizen\'s time limits, a note that the office decides; no difficulty, delegation, office deadlines or decision words', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, problems } = await open(browser, server.url, { width: 1280, height: 900 });
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
  await page.locator('#title').fill('拖欠工资');
  await typeText(page, WAGES);
  // What the page shows is the package's citizen view of the same petition.
  const petition = { channel: 'online', title: '拖欠工资', text: WAGES, petitioners: 1, history: { prior_count: 0 } };
  const verdict = new Fenliu().classify(petition, { brief: true }).verdict;
  const view = citizenView(verdict);
  assert.equal(await page.locator('#route-name').textContent(), view.channel.name);
  assert.equal(await page.locator('#route-summary').textContent(), view.channel.summary);
  assert.equal(await page.locator('#route-why').textContent(), view.channel.why);
  assert.equal(await page.locator('#guidance').textContent(), view.prepare);
  assert.deepEqual(await page.locator('#deadlines li').allTextContents(), view.timeLimits.map((l) => l.text));
  assert.ok(view.timeLimits.some((l) => l.key === 'accept_notice'));
  assert.equal(await page.locator('#suggestion-note').textContent(), view.note);
  assert.equal(await page.locator('#ask').isVisible(), view.status === 'needs_info');

  const text = await page.evaluate(() => document.body.textContent);
  for (const w of [verdict.delegation.lead, '化解难度', '简易办理', '疑难复杂', '代办', '对转送交办有异议', '登记转送', '可以受理', '不作为信访事项受理', '规则集']) {
    assert.ok(!text.includes(w), `the page shows "${w}"`);
  }
  assert.match(text, /由收到您诉求的机关依法审查后决定/);

  // A statutory channel (a judgment not carried out) reads as a suggestion too.
  await page.locator('#court').selectOption('judged');
  await page.locator('#text').fill('');
  await typeText(page, '法院判决已经生效一年了，对方一直拒不履行，申请执行也没有结果');
  const summary = await page.locator('#route-summary').textContent();
  assert.match(summary, /通常|建议/);
  assert.doesNotMatch(summary, /受理/);
  await page.screenshot({ path: join(shots, 'portal-form-statutory.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a 30,000-character paste: the text keeps all of it; the pre-screen says it read the first 20,000', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, problems } = await open(browser, server.url, { width: 390, height: 844 });
  await page.waitForSelector('body[data-fenliu="ready"]', { timeout: 15_000 });
  const long = `${WAGES}。`.repeat(1200).slice(0, 30000);
  assert.equal(long.length, 30000);
  // Inserted as a paste is (one edit, as the user's): a maxlength would cut it here, silently.
  await page.locator('#text').focus();
  await page.keyboard.insertText(long);
  assert.equal((await page.locator('#text').inputValue()).length, 30000, 'the text keeps what was typed');
  await page.waitForSelector('#verdict:not([hidden])', { timeout: 10_000 });
  await page.waitForSelector('#notices:not([hidden])', { timeout: 10_000 });
  const notice = await page.locator('#notices').textContent();
  assert.match(notice, /共 30000 字/);
  assert.match(notice, /前 20000 字/);
  assert.match(notice, /都已保留/);
  assert.equal(await page.locator('#problem').isVisible(), false);
  // On a phone the notice is also in the summary under the text, in view.
  assert.equal(await page.locator('#bar-notice').textContent(), notice);
  const r = await rects(page, ['bar-notice']);
  assert.ok(r['bar-notice'].visible && r['bar-notice'].top >= 0 && r['bar-notice'].bottom <= 844, JSON.stringify(r));
  await page.screenshot({ path: join(shots, 'portal-form-long-paste.png') });
  // Back under the limit: the notice goes away.
  await page.locator('#text').fill(WAGES);
  await page.waitForSelector('#notices', { state: 'hidden', timeout: 10_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

/** The form where the pre-screen cannot run: the calm sentence, and submitting still works. */
async function assertFallback(b, url, label, reason) {
  const { page } = await open(b, url, { width: 390, height: 844 });
  await page.waitForSelector('body[data-fenliu="unavailable"]', { timeout: 15_000 });
  assert.equal(await page.locator('#engine-status').textContent(), PRESCREEN_UNAVAILABLE, label);
  assert.equal(await page.locator('#result').isVisible(), false, label);
  if (reason) assert.equal(await page.evaluate(() => document.body.dataset.fenliuReason), reason, label);
  await page.locator('#text').fill(WAGES);
  await page.locator('button[type="submit"]').click();
  assert.equal(await page.locator('#submit-note').textContent(), '这是演示页面，诉求不会真正提交。', label);
  await page.screenshot({ path: join(shots, `portal-form-fallback-${label}.png`) });
  await page.close();
}

test('the form never breaks: WebAssembly switched off (--js-flags=--jitless --noexpose_wasm)', async (t) => {
  if (skipReason) return t.skip(skipReason);
  // --noexpose_wasm alone no longer hides WebAssembly in Chromium 156 (checked; the context
  // snapshot seems to hold it already); with --jitless before it (in this order: the other order
  // left it on) WebAssembly is gone from the page and its workers, as in browsers that run
  // without a JIT (iOS Lockdown Mode, Edge's enhanced security mode).
  const noWasm = await launchChromium(['--js-flags=--jitless --noexpose_wasm']);
  try {
    const { page } = await open(noWasm, server.url, { width: 390, height: 844 });
    assert.equal(await page.evaluate(() => typeof WebAssembly), 'undefined', 'the flags switch WebAssembly off');
    await page.close();
    await assertFallback(noWasm, server.url, 'no-wasm', 'no_wasm');
  } finally {
    await noWasm.close();
  }
});

test('the form never breaks: WebAssembly blocked by a stricter CSP; no reference types (Chromium before 96); a package the browser cannot parse (Safari before 16.4)', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const pkg = join(root, 'test-results/package');
  // 1. A CSP without 'wasm-unsafe-eval' (header, on the page and on the worker).
  const strict = await serve({
    mounts: { '/': portalDir, '/vendor/fenliu/': pkg },
    headers: { 'content-security-policy': CSP.replace(" 'wasm-unsafe-eval'", '') },
  });
  // 2. A package whose JavaScript does not parse: what iOS Safari before 16.4 met in a regex
  //    lookbehind (simulated: Chromium parses lookbehind, so the copy gets a plain syntax error).
  const broken = join(root, 'test-results/package-broken-js');
  rmSync(broken, { recursive: true, force: true });
  cpSync(join(pkg, 'js'), broken, { recursive: true });
  writeFileSync(join(broken, 'core.js'), `${readFileSync(join(broken, 'core.js'), 'utf8')}\nconst = ;\n`);
  const unparsable = await serve({ mounts: { '/': portalDir, '/vendor/fenliu/js/': broken, '/vendor/fenliu/': pkg } });
  try {
    await assertFallback(browser, strict.url, 'csp', 'engine.load');
    await assertFallback(browser, unparsable.url, 'syntax', 'load');
    // 3. No reference types: WebAssembly.validate refuses them (as in Chromium 86, e.g. 360 安全浏览器 13).
    const context = await browser.newContext({ locale: 'zh-CN' });
    await context.addInitScript(() => {
      const validate = WebAssembly.validate;
      WebAssembly.validate = (bytes) => !Array.from(new Uint8Array(bytes.buffer ?? bytes)).includes(0x6f) && validate(bytes);
    });
    const page = await context.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-fenliu="unavailable"]', { timeout: 15_000 });
    assert.equal(await page.locator('#engine-status').textContent(), PRESCREEN_UNAVAILABLE);
    assert.equal(await page.evaluate(() => document.body.dataset.fenliuReason), 'no_reference_types');
    await context.close();
  } finally {
    await strict.close();
    await unparsable.close();
  }
});
