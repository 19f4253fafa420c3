// The three ways to load the package that docs/npm.md shows — Node, a <script type="module">,
// a bundler (Vite) — each run for real, and each code block in the doc equal to the example
// file it names, so the doc cannot drift from tested code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Fenliu } from 'fenliu';
import { chromiumMissing, launchChromium, root } from './helpers.mjs';
import { packPackage, serve } from '../../scripts/serve.mjs';

const NOISE = { text: '楼下饭店每天半夜噪音扰民' };
let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = chromiumMissing();
  if (skipReason) return;
  const pkg = packPackage();
  // A Vite app that depends on the packed package, as `npm install fenliu` would lay it out.
  const app = join(root, 'test-results/bundler-app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  cpSync(pkg, join(app, 'node_modules/fenliu'), { recursive: true });
  cpSync(join(root, 'examples/loading/bundler'), app, { recursive: true });
  execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--base', './', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });

  server = await serve({
    mounts: { '/vendor/fenliu/': pkg, '/loading/': join(root, 'examples/loading'), '/bundler/': join(app, 'dist') },
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function textsOf(path, ids) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${server.url}${path}`);
  const out = {};
  for (const id of ids) {
    await page.waitForFunction((i) => document.getElementById(i)?.textContent, id, { timeout: 15_000 });
    out[id] = await page.locator(`#${id}`).textContent();
  }
  await page.close();
  assert.deepEqual(problems, []);
  return out;
}

test('Node: examples/loading/node.mjs runs and prints the route and the CLI-identical JSON', () => {
  const out = execFileSync(process.execPath, [join(root, 'examples/loading/node.mjs')], { encoding: 'utf8' }).trim().split('\n');
  const expected = new Fenliu().classify({ text: '公司拖欠我三个月工资，老板一直推脱', submitted_at: '2024-03-01' });
  assert.equal(out[0], `${expected.verdict.route.code} ${expected.verdict.status}`);
  assert.equal(out[1], expected.json);
});

test('script tag: examples/loading/script-tag.html under the strict CSP', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { route } = await textsOf('/loading/script-tag.html', ['route']);
  assert.equal(route, new Fenliu().classify(NOISE).verdict.route.name);
});

test('bundler: examples/loading/bundler built with Vite, main thread and worker', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const out = await textsOf('/bundler/index.html', ['route', 'worker-route']);
  const name = new Fenliu().classify(NOISE).verdict.route.name;
  assert.equal(out.route, name);
  assert.equal(out['worker-route'], name);
});

for (const [docFile, min] of [['docs/npm.md', 4], ['README.md', 3]]) {
  test(`${docFile}: every code block that names an example file is that file, verbatim`, () => {
    const doc = readFileSync(join(root, docFile), 'utf8');
    const blocks = [...doc.matchAll(/<!-- example: (\S+) -->\s*```\w*\n([\s\S]*?)```/g)];
    assert.ok(blocks.length >= min, `found ${blocks.length} example blocks`);
    for (const [, file, code] of blocks) {
      assert.equal(code, readFileSync(join(root, file), 'utf8'), `${docFile} block for ${file}`);
    }
  });
}
