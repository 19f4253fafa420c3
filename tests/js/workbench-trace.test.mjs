// The rule workbench (www/), issue 13: the trace's 结果 column reads each outcome by its kind
// (`{kind: 'points', points: 4, at_least: 'complex'}`), names codes from the manifest, and never
// shows a raw key such as `at_least` or a bare kind. Screenshot to test-results/workbench-trace/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Fenliu } from 'fenliu/authoring';
import { chromiumMissing, launchChromium, readRuleset, root } from './helpers.mjs';
import { serve } from '../../scripts/serve.mjs';
import { buildWorkbench } from '../../www/build.mjs';

const shots = join(root, 'test-results/workbench-trace');
const RULES = readRuleset(join(root, 'rules'));

let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = chromiumMissing();
  if (skipReason) return;
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const dir = await buildWorkbench({ outDir: join(root, 'test-results/workbench-trace-site') });
  server = await serve({ mounts: { '/': dir } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('issue 13: an at_least rule reads 难度 +4 分，至少 <tier name>, and no outcome shows a raw key', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-state=ready]', { timeout: 30_000 });

  const fenliu = new Fenliu({ ruleset: RULES });
  const c = fenliu.cases().cases.find((x) => x.name.startsWith('钉子案'));
  assert.ok(c, 'the nail-case case is in rules/cases');
  const today = await page.locator('#today').inputValue();
  const v = fenliu.classify(c.petition, { today }).verdict;
  const nail = v.trace.find((e) => e.rule === 'difficulty.history.nail_case');
  // The package's own outcome is data: the points and the floor are fields.
  assert.deepEqual(nail.outcome, { kind: 'points', points: 4, at_least: 'complex' });
  assert.equal(v.difficulty.tier, 'complex');

  await page.locator('#sample').selectOption(c.name);
  await page.waitForSelector('#verdict table.trace tbody tr[data-rule="difficulty.history.nail_case"]');
  const cell = (rule) => page.locator(`#verdict table.trace tbody tr[data-rule="${rule}"] td`).nth(2).textContent();
  // The tier's Chinese name, from the manifest, after 至少.
  assert.equal(await cell('difficulty.history.nail_case'), `难度 +4 分，至少 ${v.difficulty.name}`);
  const route = v.trace.findLast((e) => e.outcome.kind === 'route');
  assert.equal(await cell(route.rule), `途径 → ${v.route.name}`);

  const cells = await page.locator('#verdict table.trace tbody tr td:nth-child(3)').allTextContents();
  assert.equal(cells.length, v.trace.length);
  for (const text of cells) {
    assert.ok(text.trim(), 'every outcome is in words');
    assert.doesNotMatch(text, /at_least|runner_up|undefined|object Object|[a-z_]+=/, text);
    assert.doesNotMatch(text, /^(category|route|points|tier|level|flags|deadlines|violation)$/, text);
  }
  assert.deepEqual(errors, []);
  await page.locator('#verdict table.trace').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'trace-at-least.png') });
});
