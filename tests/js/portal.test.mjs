// The two wasm builds of one crate: the portal runtime (`fenliu`, compiled bundles only, no Rhai,
// no TOML) and the authoring build (`fenliu/authoring`). Verdicts are byte-identical between the
// two on every case and on every real portal message; a bundle written by the authoring build,
// the workbench or `fenliu build` is the same file and loads in the portal runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Fenliu, FenliuError, checkRuleset } from 'fenliu';
import { Fenliu as Authoring } from 'fenliu/authoring';
import { fixtures, readRuleset, root, runCli, TODAY } from './helpers.mjs';

const shared = join(root, '../shared/data');
const dataFiles = ['portal-messages.jsonl', 'portal-replies.jsonl'].map((n) => join(shared, n));

test('the portal runtime loads the default bundle: the same ruleset as the authoring build', () => {
  const portal = new Fenliu();
  const authoring = new Authoring();
  assert.deepEqual(portal.ruleset, authoring.ruleset);
  assert.equal(portal.version, authoring.version);
});

test('byte-identical verdicts between the two builds on every case', () => {
  const authoring = new Authoring();
  const portal = new Fenliu();
  const { cases } = authoring.cases();
  assert.ok(cases.length >= 100, `${cases.length} cases`);
  for (const c of cases) {
    const options = { today: c.today ?? TODAY };
    const a = authoring.classify(c.petition, options);
    const p = portal.classify(c.petition, options);
    assert.equal(p.json ?? JSON.stringify(p.errors), a.json ?? JSON.stringify(a.errors), `case ${c.name}`);
  }
});

test('byte-identical verdicts between the two builds on every real portal message, full and brief', (t) => {
  const present = dataFiles.filter((f) => existsSync(f));
  if (present.length === 0) return t.skip(`${shared} is absent (the data is not copied into the project)`);
  const authoring = new Authoring();
  const portal = new Fenliu();
  let compared = 0;
  for (const file of present) {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    for (const [i, line] of lines.entries()) {
      for (const brief of [false, true]) {
        const a = authoring.classify(line, { today: TODAY, brief });
        const p = portal.classify(line, { today: TODAY, brief });
        if (p.json !== a.json) assert.fail(`${file}:${i + 1} (brief ${brief}) differs:\n${p.json?.slice(0, 300)}\n${a.json?.slice(0, 300)}`);
      }
      compared++;
    }
  }
  assert.ok(compared >= 4821, `${compared} messages`);
});

test('a bundle from the authoring build loads in the portal runtime and classifies as its rule files', () => {
  const files = readRuleset(join(fixtures, 'mini'));
  const authoring = new Authoring({ ruleset: files });
  const bytes = authoring.bundle();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(bytes.slice(0, 6)), 'FENLIU');
  const portal = new Fenliu({ bundle: bytes });
  assert.deepEqual(portal.ruleset, authoring.ruleset);
  // ArrayBuffer and a pinned fingerprint work too.
  const copy = bytes.slice().buffer;
  assert.deepEqual(new Fenliu({ bundle: copy, fingerprint: authoring.ruleset.fingerprint }).ruleset, authoring.ruleset);
  for (const { petition } of authoring.cases().cases) {
    assert.equal(portal.classify(petition, { today: TODAY }).json, authoring.classify(petition, { today: TODAY }).json);
  }
});

test('fenliu build writes the bundle the authoring build makes, byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fenliu-build-'));
  try {
    const out = join(dir, 'mini.fenliu');
    runCli(['build', join(fixtures, 'mini'), '-o', out]);
    const cli = new Uint8Array(readFileSync(out));
    const wasm = new Authoring({ ruleset: readRuleset(join(fixtures, 'mini')) }).bundle();
    assert.deepEqual(cli, wasm);
    // The package's default bundle is the default rule folder's.
    assert.deepEqual(new Uint8Array(readFileSync(join(root, 'dist/wasm/default.fenliu'))), new Authoring().bundle());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the portal runtime refuses rule files and authoring calls with a Chinese error, and stays usable', () => {
  const err = (() => {
    try {
      new Fenliu({ ruleset: readRuleset(join(fixtures, 'mini')) });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof FenliuError);
  assert.equal(err.code, 'options.ruleset');
  assert.match(err.help, /fenliu build|fenliu\/authoring/);
  const f = new Fenliu();
  assert.equal(f.test().errors[0].code, 'engine.authoring_only');
  assert.equal(f.cases().errors[0].code, 'engine.authoring_only');
  assert.equal(checkRuleset({})[0].code, 'engine.authoring_only');
  assert.throws(() => f.bundle(), (e) => e.code === 'engine.authoring_only');
  assert.equal(f.classify({ text: '楼下饭店每天半夜噪音扰民' }).ok, true);
});

test('a foreign, damaged or mismatched bundle is a FenliuError, never a crash', () => {
  const good = new Authoring({ ruleset: readRuleset(join(fixtures, 'mini')) }).bundle();
  const code = (bundle, extra = {}) => {
    try {
      new Fenliu({ bundle, ...extra });
      return 'loaded';
    } catch (e) {
      assert.ok(e instanceof FenliuError, String(e));
      return e.code;
    }
  };
  assert.equal(code(new TextEncoder().encode('{"manifest.toml": ""}')), 'bundle.magic');
  assert.equal(code(good.slice(0, good.length / 2)), 'bundle.damaged');
  const other = good.slice();
  other[7] += 1;
  assert.equal(code(other), 'bundle.version');
  assert.equal(code(good, { fingerprint: '0'.repeat(64) }), 'ruleset.fingerprint_mismatch');
  assert.equal(code('not bytes'), 'options.bundle');
  // The module is fine afterwards.
  assert.equal(new Fenliu({ bundle: good }).classify({ text: '噪音' }).ok, true);
});

test('a rule outside the IR cannot become a portal bundle: the error names the rule, line and construct', () => {
  const files = readRuleset(join(fixtures, 'mini'));
  files['extra.rhai'] = 'rule(#{ id: "flag.long", title: "篇幅很长", stage: "flags", flag: "slow",\n    when: |p| p.text.contains("附件") });\n';
  const authoring = new Authoring({ ruleset: files });
  assert.throws(() => authoring.bundle(), (e) => {
    assert.equal(e.code, 'bundle.not_compiled');
    assert.match(e.message, /flag\.long/);
    assert.match(e.message, /\.contains/);
    assert.deepEqual([e.location.file, e.location.line], ['extra.rhai', 2]);
    return true;
  });
});

test('fenliu/worker loads a bundle too: the portal runtime off the main thread', async () => {
  const { FenliuWorker } = await import('fenliu/worker');
  const files = readRuleset(join(fixtures, 'mini'));
  const authoring = new Authoring({ ruleset: files });
  const worker = await FenliuWorker.create({ bundle: authoring.bundle(), fingerprint: authoring.ruleset.fingerprint });
  try {
    assert.deepEqual(worker.ruleset, authoring.ruleset);
    for (const { petition } of authoring.cases().cases) {
      const r = await worker.classify(petition, { today: TODAY });
      assert.equal(r.json, authoring.classify(petition, { today: TODAY }).json);
    }
  } finally {
    worker.terminate();
  }
});
