// The ruleset the workbench's 下载规则集 writes loads everywhere (issue 14, item 10): in
// `new Fenliu({ ruleset })` as the parsed object or as its JSON text, in `checkRuleset`, in the
// worker, and in the CLI's `--rules 规则集.json`, all with the same verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Fenliu, FenliuError, checkRuleset } from 'fenliu/authoring';
import { FenliuWorker } from 'fenliu/worker';
import { readRuleset, root, runCli, TODAY } from './helpers.mjs';

const files = readRuleset(join(root, 'rules'));
const PETITION = { id: 'b1', text: '我对法院的判决不服，要求再审。' };

// The workbench's own format name (www/src/ruleset-files.js), read from its source so a change
// there fails here.
const workbenchSource = readFileSync(join(root, 'www/src/ruleset-files.js'), 'utf8');
const BUNDLE_FORMAT = /export const BUNDLE_FORMAT = '([^']+)'/.exec(workbenchSource)?.[1];

/** What 下载规则集 saves: `makeBundle(files, info)` as `JSON.stringify(…, null, 2)` + "\n". */
function download(info) {
  assert.match(workbenchSource, /format: BUNDLE_FORMAT,\s*name: info\?\.name \?\? null,\s*version: info\?\.version \?\? null,\s*fingerprint: info\?\.fingerprint \?\? null,\s*saved_at: new Date\(\)\.toISOString\(\),\s*files,/,
    'makeBundle still writes {format, name, version, fingerprint, saved_at, files}');
  const bundle = { format: BUNDLE_FORMAT, name: info?.name ?? null, version: info?.version ?? null, fingerprint: info?.fingerprint ?? null, saved_at: new Date().toISOString(), files };
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

const reference = new Fenliu({ ruleset: files });
const text = download(reference.ruleset);

test('new Fenliu({ ruleset }) takes the downloaded bundle, parsed or as text', () => {
  assert.equal(BUNDLE_FORMAT, 'fenliu-ruleset-bundle/1');
  const want = reference.classify(PETITION, { today: TODAY }).json;
  for (const ruleset of [JSON.parse(text), text]) {
    const f = new Fenliu({ ruleset });
    assert.deepEqual(f.ruleset, reference.ruleset);
    assert.equal(f.classify(PETITION, { today: TODAY }).json, want);
    f.free();
  }
  // The fingerprint the bundle records can be pinned.
  const pinned = new Fenliu({ ruleset: JSON.parse(text), fingerprint: JSON.parse(text).fingerprint });
  assert.equal(pinned.ruleset.fingerprint, reference.ruleset.fingerprint);
  assert.deepEqual(checkRuleset(JSON.parse(text)), checkRuleset(files));
  assert.deepEqual(checkRuleset(text), checkRuleset(files));
});

test('a bundle from a newer workbench or with a broken file is a FenliuError in Chinese', () => {
  const newer = { ...JSON.parse(text), format: 'fenliu-ruleset-bundle/2' };
  assert.throws(() => new Fenliu({ ruleset: newer }), (e) => e instanceof FenliuError && e.code === 'ruleset.bundle_format' && /升级/.test(e.help));
  const bad = { ...JSON.parse(text), files: { ...files, 'route_civil.rhai': 42 } };
  assert.throws(() => new Fenliu({ ruleset: bad }), (e) => e.code === 'options.ruleset' && /route_civil\.rhai/.test(e.message));
  assert.throws(() => new Fenliu({ ruleset: text.slice(0, 200) }), (e) => e.code === 'options.ruleset' && /第 \d+ 行第 \d+ 列/.test(e.message) && !/EOF/.test(e.message));
});

test('the worker takes the downloaded bundle', async () => {
  const w = await FenliuWorker.create({ ruleset: JSON.parse(text) });
  try {
    assert.deepEqual(w.ruleset, reference.ruleset);
    assert.equal((await w.classify(PETITION, { today: TODAY })).json, reference.classify(PETITION, { today: TODAY }).json);
  } finally {
    w.terminate();
  }
  const fromText = await FenliuWorker.create({ ruleset: text });
  fromText.terminate();
});

test('fenliu --rules 规则集.json gives the package\'s verdict, byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fenliu-bundle-'));
  try {
    const path = join(dir, '规则集.json');
    writeFileSync(path, text);
    const out = runCli(['classify', '--rules', path, '--today', TODAY, '--quiet'], `${JSON.stringify(PETITION)}\n`);
    assert.equal(out.trim(), reference.classify(PETITION, { today: TODAY }).json);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
