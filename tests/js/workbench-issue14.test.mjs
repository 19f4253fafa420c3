// The rule workbench (www/), issue 14: what an officer hits first. Each test opens its own
// browser context (fresh localStorage) on the same build, so the tests do not depend on each
// other:
//   - hovering the trace rows throws nothing (the legend's <mark>s carry no rules);
//   - the status bar never says 规则正确 / 已生效 while a case fails or a rule throws at run
//     time, and 下载规则集 asks first when cases fail;
//   - CSV and JSON parse errors of the batch tab read as Chinese, with the line;
//   - the editor completes keyword groups and petition fields from the package's description of
//     the ruleset (describeRuleset);
//   - 存为案例 adds the petition and its verdict as a case, which the tests run and the bundle holds;
//   - a batch counts each rule's hits; a click on a route count, or on 无法分类, lists those
//     petitions; moved petitions show the words that decided them;
//   - the reload banner knows about the last download;
//   - at 1,024 px no table header wraps one character per line.
// Screenshots go to test-results/workbench-issue14/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { parse as parseToml } from 'smol-toml';
import { Fenliu } from 'fenliu/authoring';
import { chromiumMissing, launchChromium, portalMessages, readRuleset, root } from './helpers.mjs';
import { serve } from '../../scripts/serve.mjs';
import { buildWorkbench } from '../../www/build.mjs';

const shots = join(root, 'test-results/workbench-issue14');
const RULES = readRuleset(join(root, 'rules'));

let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = chromiumMissing();
  if (skipReason) return;
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const dir = await buildWorkbench({ outDir: join(root, 'test-results/workbench-issue14-site') });
  server = await serve({ mounts: { '/': dir } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh context and page on the workbench, ready; page errors are collected in `errors`. */
async function open(t, { width = 1366, height = 768 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  t.after(() => context.close());
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-state=ready]', { timeout: 30_000 });
  await page.waitForSelector('#status[data-state=ok]');
  return { context, page, errors };
}

/** Types into the global find box and opens the first hit (the editor selects the match). */
async function findAndOpen(page, text) {
  await page.locator('#find-all').fill(text);
  await page.waitForFunction((q) => document.getElementById('find-results').dataset.query === q, text);
  await page.locator('#find-results button').first().click();
}

/**
 * Replaces the first occurrence of `from` in the rule files with `to`, as an officer would: the
 * selected match deleted, the new text pasted. (Pasting over a selection of highlighted tokens
 * makes Chromium's editing try to keep their colours in a style attribute, which the page's CSP
 * blocks; the editor redraws the line either way.)
 */
async function replaceInRules(page, from, to) {
  await findAndOpen(page, from);
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(to);
}

/** Waits until the check of the latest edit has been applied (status no longer "checking"). */
async function checked(page) {
  await page.waitForFunction(() => !['checking', 'loading'].includes(document.getElementById('status').dataset.state));
  await page.waitForTimeout(400);
  await page.waitForFunction(() => !['checking', 'loading'].includes(document.getElementById('status').dataset.state));
}

const jsonl = (rows) => Buffer.from(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);

async function loadBatch(page, name, buffer, mimeType = 'application/x-ndjson') {
  await page.locator('#tab-batch').click();
  await page.locator('#batch-file').setInputFiles({ name, mimeType, buffer });
}

// ---------------------------------------------------------------------------------------------

test('issue 14 · 9: pointing at the trace rows marks the rule\'s words and throws nothing', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, errors } = await open(t);
  const c = new Fenliu({ ruleset: RULES }).cases().cases.find((x) => x.name.startsWith('拖欠工资请劳动监察'));
  await page.locator('#sample').selectOption(c.name);
  await page.waitForSelector('#verdict table.trace tbody tr');
  const rows = page.locator('#verdict table.trace tbody tr');
  const n = await rows.count();
  assert.ok(n > 0);
  let focused = 0;
  for (let i = 0; i < n; i++) {
    await rows.nth(i).hover();
    const rule = await rows.nth(i).getAttribute('data-rule');
    // Every mark in focus is one the rule consulted.
    const marks = await page.locator('#verdict mark.focus').evaluateAll((ms) => ms.map((m) => m.dataset.rules ?? ''));
    for (const m of marks) assert.ok(m.split(' ').includes(rule), `a mark of other rules is in focus for ${rule}`);
    focused += marks.length;
  }
  // The legend itself holds marks: hovering its rows must not throw on them either.
  await page.locator('#verdict .legend').hover();
  await page.locator('#verdict table.trace tbody tr').first().focus().catch(() => {});
  assert.ok(focused > 0, 'some trace row marks words');
  assert.deepEqual(errors, []);
});

test('issue 14 · 6: the status bar never says 规则正确 while a case fails or a rule throws; 下载规则集 asks first', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page, errors } = await open(t);
  assert.match(await page.locator('#status').textContent(), /规则正确/);

  // A rule that throws at run time for every noise petition (nothing a static check can see).
  const helper = 'fn salient(p, group) {';
  const thrown = `${helper} if group == "noise" { throw "故意的运行时错误"; }`;
  const files = { ...RULES, 'route_civil.rhai': RULES['route_civil.rhai'].replace(helper, thrown) };
  const report = new Fenliu({ ruleset: files }).test();
  const threw = [...new Set(report.results.filter((r) => r.error).map((r) => /规则 "([^"]+)"/.exec(r.error.message)?.[1]))];
  assert.ok(report.failed > 0 && threw.length > 0, 'the edit makes cases throw');
  await replaceInRules(page, helper, thrown);
  await page.waitForFunction((n) => document.getElementById('test-badge').textContent.includes(`${n} 未通过`), report.failed);
  await checked(page);
  const status = await page.locator('#status').textContent();
  assert.doesNotMatch(status, /规则正确|已生效/);
  assert.match(status, new RegExp(`${report.failed} 个案例未通过`));
  assert.match(status, /运行时出错/);
  assert.match(status, new RegExp(threw[0].replaceAll('.', '\\.')));
  assert.notEqual(await page.locator('#status').getAttribute('data-state'), 'ok');
  // The runtime error is marked where it was thrown, and listed under 问题.
  const thrownLine = RULES['route_civil.rhai'].split('\n').findIndex((l) => l.startsWith(helper)) + 1;
  assert.ok(await page.locator('#problem-list li.runtime').count() > 0);
  assert.deepEqual([...new Set(await page.locator('#problem-list li.runtime').evaluateAll((lis) => lis.map((li) => `${li.dataset.file}:${li.dataset.line}`)))], [`route_civil.rhai:${thrownLine}`]);
  assert.equal(await page.locator('#editor-title').textContent(), 'route_civil.rhai');
  assert.ok(await page.locator('.cm-lintRange-error').count() > 0, 'a marker where the rule threw');
  await page.screenshot({ path: join(shots, '6-runtime-status.png') });

  // 下载规则集 asks first: dismissed, nothing is downloaded; accepted, the bundle comes.
  let message = '';
  page.once('dialog', (d) => {
    message = d.message();
    d.dismiss();
  });
  let downloaded = false;
  const onDownload = () => { downloaded = true; };
  page.on('download', onDownload);
  await page.locator('#download-bundle').click();
  await page.waitForTimeout(500);
  assert.match(message, new RegExp(`${report.failed} 个案例未通过`));
  assert.equal(downloaded, false);
  page.off('download', onDownload);
  page.once('dialog', (d) => d.accept());
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-bundle').click()]);
  assert.ok(JSON.parse(readFileSync(await download.path(), 'utf8')).files['route_civil.rhai'].includes('故意的运行时错误'));

  // Undone, then a case whose expectation no longer holds: failing, not thrown.
  await replaceInRules(page, thrown, helper);
  await page.waitForFunction(() => document.getElementById('test-badge').textContent === '✓');
  await checked(page);
  assert.match(await page.locator('#status').textContent(), /规则正确/);
  const anchor = 'name = "小区旁新建搅拌站，粉尘噪音扰民"';
  const caseText = RULES['cases/portal.toml'];
  const at = caseText.indexOf('route = "enforcement"', caseText.indexOf(anchor));
  await page.locator('#find-all').fill('route = "enforcement"');
  await page.waitForFunction(() => document.getElementById('find-results').dataset.query === 'route = "enforcement"');
  const line = caseText.slice(0, at).split('\n').length;
  await page.locator(`#find-results button[data-path="cases/portal.toml"][data-line="${line}"]`).click();
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText('route = "civil"');
  await page.waitForFunction(() => document.getElementById('test-badge').textContent.includes('1 未通过'));
  await checked(page);
  const status2 = await page.locator('#status').textContent();
  assert.doesNotMatch(status2, /规则正确|已生效/);
  assert.match(status2, /1 个案例未通过/);
  assert.deepEqual(errors, []);
});

test('issue 14 · 6: a rule that throws for the petition being tried shows in the status bar', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t);
  // Throws only for a word no case has: every case passes, the tried petition fails.
  const helper = 'fn salient(p, group) {';
  const thrown = `${helper} if p.text.contains("试一件专用词") { throw "只对这一件出错"; }`;
  await replaceInRules(page, helper, thrown);
  await checked(page);
  await page.waitForFunction(() => document.getElementById('test-badge').textContent === '✓');
  // A petition that reaches the helper: one of the cases the helper's noise throw stops.
  const noisy = { ...RULES, 'route_civil.rhai': RULES['route_civil.rhai'].replace(helper, `${helper} if group == "noise" { throw "x"; }`) };
  const stopped = new Fenliu({ ruleset: noisy }).test().results.find((r) => r.error);
  const sample = new Fenliu({ ruleset: RULES }).cases().cases.find((c) => c.name === stopped.name).petition;
  await page.locator('#tab-try').click();
  await page.locator('#clear-form').click();
  if (sample.title) await page.locator('#p-title').fill(sample.title);
  await page.locator('#p-text').fill(`${sample.text}试一件专用词`);
  await page.waitForSelector('#verdict[data-route=error]');
  await checked(page);
  const status = await page.locator('#status').textContent();
  assert.doesNotMatch(status, /规则正确|已生效/);
  assert.match(status, /当前信访件/);
  assert.match(status, /route\.civil\./);
});

test('issue 14 · 7: CSV and JSON that cannot be read are reported in Chinese, with the line', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t);
  const english = /Unexpected|Expected|JSON at position|Too (few|many) fields|Quoted field|delimiter|Unterminated|is not valid JSON|token/i;

  // CSV: a row with too few fields, one with too many, an unclosed quote.
  const csv = '编号,标题,诉求内容\r\n1,工资,公司拖欠工资三个月\r\n2,噪音\r\n3,a,b,c\r\n4,"未闭合,楼下噪音\r\n';
  await loadBatch(page, 'bad.csv', Buffer.from(csv), 'text/csv');
  await page.waitForSelector('#batch-problems li');
  const csvProblems = await page.locator('#batch-problems li').allTextContents();
  assert.ok(csvProblems.length >= 3, csvProblems.join('\n'));
  for (const p of csvProblems) {
    assert.doesNotMatch(p, english);
    assert.match(p, /第 \d+ 行/);
  }
  assert.ok(csvProblems.some((p) => /第 3 行.*(少|缺)/.test(p)), csvProblems.join('\n'));
  assert.ok(csvProblems.some((p) => /第 4 行.*多/.test(p)), csvProblems.join('\n'));
  assert.ok(csvProblems.some((p) => /引号/.test(p)), csvProblems.join('\n'));
  await page.screenshot({ path: join(shots, '7-csv-problems.png') });

  // A JSON array with a trailing comma on line 3.
  await loadBatch(page, 'bad.json', Buffer.from('[\n{"text": "公司拖欠工资"},\n{"text": "噪音"},\n]\n'), 'application/json');
  await page.waitForFunction(() => document.querySelector('#batch-problems li')?.textContent.includes('JSON'));
  const jsonProblems = await page.locator('#batch-problems li').allTextContents();
  assert.equal(jsonProblems.length, 1);
  assert.doesNotMatch(jsonProblems[0], english);
  assert.match(jsonProblems[0], /第 4 行第 1 列/);

  // JSONL: line 2 is broken.
  await loadBatch(page, 'bad.jsonl', Buffer.from('{"text": "公司拖欠工资"}\n{"text": "噪音\n{"text": "楼下噪音扰民"}\n'));
  await page.waitForSelector('#batch-status[data-state=done]');
  const lineProblems = await page.locator('#batch-problems li').allTextContents();
  assert.equal(lineProblems.length, 1);
  assert.doesNotMatch(lineProblems[0], english);
  assert.match(lineProblems[0], /第 2 行/);
  assert.match(await page.locator('#batch-info').textContent(), /2 件信访件/);
});

test('issue 14 · 9: the editor completes keyword groups and petition fields from the package\'s description of the ruleset', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t);
  const lexicon = parseToml(RULES['lexicon/labour.toml']);
  assert.ok(lexicon.wage_arrears, 'lexicon/labour.toml has [wage_arrears]');
  // A new helper above `fn salient` (never called: only the names matter).
  await findAndOpen(page, 'fn salient(p, group) {');
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowUp');
  // Closing brackets and quotes are inserted by the editor.
  await page.keyboard.type('fn probe_completion(p) { let a = p.has("wage_arr');
  // CodeMirror ignores Enter for 75 ms after the list opens (interactionDelay): wait past it.
  const pick = async (label) => {
    await page.locator('.cm-tooltip-autocomplete li', { hasText: label }).first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(250);
    await page.keyboard.press('Enter');
  };
  await page.locator('.cm-tooltip-autocomplete li', { hasText: 'wage_arrears' }).first().waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.cm-tooltip-autocomplete').textContent(), new RegExp(lexicon.wage_arrears.title.slice(0, 6)));
  await page.screenshot({ path: join(shots, '9-complete-group.png') });
  await pick('wage_arrears');
  const skip = async (n) => { for (let i = 0; i < n; i++) await page.keyboard.press('ArrowRight'); };
  await skip(2); // ")
  // A helper's parameter takes groups too, and has_any's list.
  await page.keyboard.type('; let b = salient(p, "nois');
  await pick('noise');
  await skip(2);
  await page.keyboard.type('; let c = p.has_any(["noise", "pollu');
  await pick('pollution');
  await skip(3); // "])
  // Fields after `p.`, and the sub-fields of an object.
  await page.keyboard.type('; let d = p.pla');
  await pick('place');
  await page.keyboard.type('.cou');
  await pick('county');
  await page.keyboard.type(';');
  const line = await page.evaluate(() => [...document.querySelector('.editor-host').shadowRoot.querySelectorAll('.cm-line')]
    .map((l) => l.textContent).find((l) => l.includes('probe_completion')));
  assert.equal(line.replace(/\s+}$/, '}').trim(), 'fn probe_completion(p) { let a = p.has("wage_arrears"); let b = salient(p, "noise"); let c = p.has_any(["noise", "pollution"]); let d = p.place.county;}');
  // The edit is valid Rhai with known names: no error.
  await checked(page);
  assert.equal(await page.locator('#problem-list li.error').count(), 0);
});

test('issue 14 · 9: 存为案例 saves the petition and its verdict as a case that the tests run and the bundle holds', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t);
  await page.locator('#tab-try').click();
  await page.locator('#clear-form').click();
  const petition = { title: '楼下烧烤店油烟', text: '楼下烧烤店每天油烟很大，熏得窗户都不能开，噪音也大，请城管和环保部门查处' };
  await page.locator('#p-title').fill(petition.title);
  await page.locator('#p-text').fill(petition.text);
  await page.waitForFunction(() => document.querySelector('#verdict #v-route'));
  const today = await page.locator('#today').inputValue();
  const verdict = new Fenliu({ ruleset: RULES }).classify(petition, { today }).verdict;
  await page.locator('#save-case').click();
  await page.locator('#case-dialog[open]').waitFor();
  assert.equal(await page.locator('#case-name').inputValue(), petition.title);
  await page.locator('#case-name').fill('烧烤油烟（工作台存的案例）');
  await page.locator('#case-dialog button[value=save]').click();
  // The case file is in the ruleset, opened in the editor; the cases run with it.
  await page.waitForSelector('#file-tabs [data-path="cases/workbench.toml"]');
  await checked(page);
  const report = await page.locator('#test-summary').getAttribute('data-passed');
  assert.equal(Number(report), new Fenliu({ ruleset: RULES }).test().passed + 1);
  await page.locator('#tab-test').click();
  assert.equal(await page.locator('#test-table tbody tr.pass', { hasText: '烧烤油烟（工作台存的案例）' }).count(), 1);
  await page.screenshot({ path: join(shots, '9-saved-case.png') });
  // In the bundle, in the case file format of rules/cases.
  page.on('dialog', (d) => d.accept());
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-bundle').click()]);
  const bundle = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const file = parseToml(bundle.files['cases/workbench.toml']);
  const saved = file.case.find((c) => c.name === '烧烤油烟（工作台存的案例）');
  assert.deepEqual({ ...saved.petition }, petition);
  assert.equal(saved.expect.route, verdict.route.code);
  assert.equal(saved.expect.tier, verdict.difficulty.tier);
  assert.equal(saved.expect.level, verdict.delegation.level);
  assert.deepEqual(saved.expect.flags, verdict.flags);
  assert.equal(saved.today, today);
  const rerun = new Fenliu({ ruleset: bundle.files }).test();
  assert.equal(rerun.failed, 0);
  assert.ok(rerun.results.some((r) => r.name === '烧烤油烟（工作台存的案例）' && r.passed));
  // A second case goes to the same file.
  await page.locator('#tab-try').click();
  await page.locator('#p-text').fill('小区门口的路灯坏了一个月了，晚上很黑，希望尽快修好');
  await page.waitForFunction(() => document.querySelector('#verdict #v-route'));
  await page.locator('#save-case').click();
  await page.locator('#case-dialog[open]').waitFor();
  await page.locator('#case-dialog button[value=save]').click();
  const want = String(new Fenliu({ ruleset: RULES }).test().passed + 2);
  await page.waitForFunction((n) => document.getElementById('test-summary').dataset.passed === n, want);
  assert.equal((await page.locator('#editor').evaluate(() => document.getElementById('editor-title').textContent)), 'cases/workbench.toml');
});

test('issue 14 · 9: a batch counts each rule\'s hits, and a click on a route count or on 无法分类 lists those petitions', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t);
  const f = new Fenliu({ ruleset: RULES });
  const petitions = f.cases().cases.map((c) => c.petition).filter((p) => p && typeof p === 'object' && typeof p.text === 'string' && p.text.trim())
    .map((p, i) => ({ id: `c${i + 1}`, ...p }));
  petitions.push({ id: 'empty-1', text: '' });
  const today = await page.locator('#today').inputValue();
  const results = f.classifyMany(petitions, { today });
  await loadBatch(page, 'cases.jsonl', jsonl(petitions));
  await page.waitForSelector('#batch-status[data-state=done]', { timeout: 60_000 });

  // Hits per rule: in how many petitions each rule fired, as the package's traces say.
  const hits = {};
  for (const r of results) if (r.ok) for (const id of new Set(r.verdict.trace.map((e) => e.rule))) hits[id] = (hits[id] ?? 0) + 1;
  await page.waitForSelector('#rule-hits tbody tr');
  const shown = await page.locator('#rule-hits tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.rule, Number(tr.querySelector('td.now').textContent.replaceAll(',', ''))]));
  assert.deepEqual(Object.fromEntries(shown.filter(([, n]) => n > 0)), hits);
  await page.locator('#rule-hits').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, '9-rule-hits.png') });

  // A route count lists its petitions.
  const byRoute = {};
  results.forEach((r, i) => {
    const k = r.ok ? r.verdict.route.code : '__error';
    (byRoute[k] ??= []).push(petitions[i].id);
  });
  const route = Object.keys(byRoute).filter((k) => k !== '__error').sort((a, b) => byRoute[b].length - byRoute[a].length)[1];
  await page.locator(`#table-route tbody tr[data-code="${route}"] button`).click();
  await page.waitForSelector('#route-list:not([hidden]) tbody tr');
  assert.deepEqual((await page.locator('#route-list tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id))).sort(), [...byRoute[route]].sort());
  // 无法分类 lists the petitions that failed, with why.
  await page.locator('#table-route tbody tr[data-code="__error"] button').click();
  await page.waitForSelector('#route-list[data-code="__error"]');
  assert.deepEqual(await page.locator('#route-list tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), byRoute.__error);
  assert.ok(byRoute.__error.includes('empty-1'));
  assert.match(await page.locator('#route-list tr[data-id="empty-1"]').textContent(), /petition\.empty_text/);
  // 试一件 opens one.
  await page.locator(`#table-route tbody tr[data-code="${route}"] button`).click();
  const first = byRoute[route][0];
  await page.locator(`#route-list tr[data-id="${first}"] button`).click();
  await page.waitForFunction((text) => document.getElementById('p-text').value === text, petitions.find((p) => p.id === first).text);
});

test('issue 14 · 9: moved petitions show the words that decided them', async (t) => {
  if (skipReason) return t.skip(skipReason);
  if (!portalMessages) return t.skip('../shared/data/portal-messages.jsonl is absent: the moved petitions come from the real messages');
  const { page } = await open(t);
  const lines = readFileSync(portalMessages, 'utf8').trim().split('\n').slice(0, 500);
  await loadBatch(page, 'portal-500.jsonl', Buffer.from(`${lines.join('\n')}\n`));
  await page.waitForSelector('#batch-status[data-state=done]', { timeout: 60_000 });
  await replaceInRules(page, '["拖欠工资"', '["工资", "拖欠工资"');
  await page.waitForFunction(() => Number(document.getElementById('compare-counts').dataset.moved) > 0, null, { timeout: 60_000 });
  await page.waitForSelector('#batch-status[data-state=done]');
  const rows = page.locator('#movers tbody tr');
  const n = await rows.count();
  assert.ok(n > 0);
  const texts = new Map(lines.map((l) => JSON.parse(l)).map((p) => [p.id, `${p.title ?? ''}\n${p.text}`]));
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const id = await row.locator('.id').textContent();
    for (const side of [0, 1]) {
      const words = await row.locator('td.side').nth(side).locator('.words .word').allTextContents();
      assert.ok(words.length > 0, `${id}: no deciding words on side ${side}`);
      for (const w of words) assert.ok(texts.get(id).includes(w), `${id}: “${w}” is not in the petition`);
    }
  }
  await page.locator('#compare').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, '9-moved-words.png') });
});

test('issue 14 · 9: the reload banner knows about the last download', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t);
  await replaceInRules(page, 'guidance: "用人单位拖欠工资的', 'guidance: "【试改】用人单位拖欠工资的');
  await checked(page);
  await page.waitForTimeout(700); // the edit is saved to localStorage after 0.5 s
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-bundle').click()]);
  const name = download.suggestedFilename();
  await page.reload();
  await page.waitForSelector('body[data-state=ready]', { timeout: 30_000 });
  const text = await page.locator('#banner-text').textContent();
  assert.doesNotMatch(text, /没有下载/);
  assert.match(text, /已下载/);
  assert.ok(text.includes(name), `the banner names the download ${name}: ${text}`);
  assert.equal(await page.locator('#banner').getAttribute('data-kind'), 'saved');
  await page.screenshot({ path: join(shots, '9-banner-downloaded.png') });
  // Edited again after the download: the banner says so.
  await replaceInRules(page, '【试改】', '【再改】');
  await checked(page);
  await page.waitForTimeout(700);
  await page.reload();
  await page.waitForSelector('body[data-state=ready]', { timeout: 30_000 });
  const text2 = await page.locator('#banner-text').textContent();
  assert.match(text2, /下载.*之后又改了 1 个文件/);
  assert.equal(await page.locator('#banner').getAttribute('data-kind'), 'unsaved');
});

test('issue 14 · 9: at 1,024 px no table header wraps one character per line', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { page } = await open(t, { width: 1024, height: 768 });
  const fixture = join(root, 'tests/eval/fixture');
  await page.locator('#tab-batch').click();
  await page.locator('#batch-file').setInputFiles([
    { name: 'labels-only.jsonl', mimeType: 'application/x-ndjson', buffer: readFileSync(join(fixture, 'labels-only.jsonl')) },
    { name: 'texts.jsonl', mimeType: 'application/x-ndjson', buffer: readFileSync(join(fixture, 'texts.jsonl')) },
  ]);
  await page.waitForSelector('#eval[data-state=done]', { timeout: 60_000 });
  await replaceInRules(page, '["拖欠工资"', '["工资", "拖欠工资"');
  await checked(page);
  await page.waitForSelector('#batch-status[data-state=done]');
  // A header's text, line by line (the line boxes of its text): a short header (up to six
  // characters) on one line, a longer one at least four characters a line.
  const wrapped = async () => page.evaluate(() => [...document.querySelectorAll('th')].filter((th) => th.offsetParent !== null && !th.closest('.sr-only')).flatMap((th) => {
    const text = th.textContent.trim();
    const chars = [...text.replace(/\s/g, '')].length;
    if (chars < 2) return [];
    const range = document.createRange();
    range.selectNodeContents(th);
    const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
    const bad = chars <= 6 ? lines > 1 : chars / lines < 4;
    return bad ? [`${th.closest('table')?.id || th.closest('table')?.className}: “${text}” ${lines} lines`] : [];
  }));
  const checks = [];
  for (const tab of ['tab-batch', 'tab-test', 'tab-try']) {
    await page.locator(`#${tab}`).click();
    if (tab === 'tab-test') await page.locator('#run-tests').click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, `9-1024-${tab}.png`), fullPage: true });
    checks.push(...await wrapped());
  }
  await page.locator('#tab-batch').click();
  await page.locator('#eval').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, '9-1024-eval.png') });
  await page.locator('#charts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, '9-1024-charts.png') });
  assert.deepEqual(checks, []);
});
