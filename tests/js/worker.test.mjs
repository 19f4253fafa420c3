// `fenliu/worker` in Node (worker_threads): the same answers as the main-thread API, errors as
// data, and a looping rule that would run forever ends in a `worker.timeout` error while the
// replaced worker goes on serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { Fenliu } from 'fenliu';
import { FenliuWorker, FenliuError, DEFAULT_TIMEOUT_MS } from 'fenliu/worker';
import { fixtures, readRuleset, trapRuleset, TODAY } from './helpers.mjs';

const mini = readRuleset(join(fixtures, 'mini'));
const NOISE = { text: '楼下饭店每天半夜噪音扰民', submitted_at: '2024-03-01' };

test('the worker answers exactly as the main-thread API', async () => {
  const w = await FenliuWorker.create();
  const f = new Fenliu();
  try {
    assert.deepEqual(w.ruleset, f.ruleset);
    assert.equal(w.version, f.version);
    const petitions = [NOISE, { text: '公司拖欠我三个月工资' }, { text: 'x', channel: 'fax' }, 'not json', { text: 1n }];
    const one = await w.classify(NOISE, { today: TODAY });
    assert.equal(one.json, f.classify(NOISE, { today: TODAY }).json);
    const many = await w.classifyMany(petitions, { today: TODAY });
    assert.deepEqual(many, f.classifyMany(petitions, { today: TODAY }));
    const brief = await w.classify(NOISE, { today: TODAY, brief: true });
    assert.equal(brief.json, f.classify(NOISE, { today: TODAY, brief: true }).json);
    assert.deepEqual(brief.verdict.trace, []);
    assert.deepEqual(await w.classifyMany(petitions, { today: TODAY, brief: true }), f.classifyMany(petitions, { today: TODAY, brief: true }));
    assert.deepEqual(await w.check(), f.check());
    assert.deepEqual(await w.test(), f.test());
  } finally {
    w.terminate();
  }
});

test('a broken ruleset rejects create() with a FenliuError carrying the location', async () => {
  const broken = { ...mini, 'broken.rhai': 'rule(#{ id: "x",\n  when: |p| p.has("noise") &&, });\n' };
  await assert.rejects(FenliuWorker.create({ ruleset: broken }), (e) => {
    assert.ok(e instanceof FenliuError);
    assert.equal(e.code, 'rule.syntax');
    assert.equal(e.location.file, 'broken.rhai');
    assert.equal(e.location.line, 2);
    return true;
  });
  await assert.rejects(FenliuWorker.create({ fingerprint: 'f'.repeat(64) }), (e) => e.code === 'ruleset.fingerprint_mismatch');
});

test('a rule that loops forever: the call times out with worker.timeout, and the next call works', async () => {
  // With the operation limit lifted, `loop {}` really runs forever: only the timeout saves the page.
  const w = await FenliuWorker.create({ ruleset: trapRuleset(), limits: { maxOperations: 1e18 }, timeout: 500 });
  try {
    const before = await w.classify(NOISE);
    assert.equal(before.ok, true);
    const started = Date.now();
    const looping = w.classify({ text: '死循环' });
    const queued = w.classify(NOISE); // waits behind the looping call, then runs in the new worker
    await assert.rejects(looping, (e) => {
      assert.ok(e instanceof FenliuError);
      assert.equal(e.code, 'worker.timeout');
      assert.ok(e.message.includes('500'));
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 450 && elapsed < 5000, `timed out after ${elapsed} ms`);
    assert.equal((await queued).json, before.json);
    // A per-call timeout overrides the instance's.
    await assert.rejects(w.classify({ text: '死循环' }, { timeout: 100 }), (e) => e.code === 'worker.timeout');
    assert.equal((await w.classify(NOISE)).json, before.json);
  } finally {
    w.terminate();
  }
});

test('with the default limits a looping rule is an ordinary rule.limit error, well inside the timeout', async () => {
  const w = await FenliuWorker.create({ ruleset: trapRuleset() });
  try {
    const r = await w.classify({ text: '死循环' });
    assert.equal(r.ok, false);
    assert.equal(r.errors[0].code, 'rule.limit');
    assert.equal((await w.classify(NOISE)).ok, true);
    assert.equal(DEFAULT_TIMEOUT_MS, 5000);
  } finally {
    w.terminate();
  }
});

test('terminate() rejects pending and later calls with worker.terminated', async () => {
  const w = await FenliuWorker.create({ ruleset: trapRuleset(), limits: { maxOperations: 1e18 }, timeout: 10_000 });
  const pending = w.classify({ text: '死循环' });
  const queued = w.classify(NOISE);
  w.terminate();
  await assert.rejects(pending, (e) => e.code === 'worker.terminated');
  await assert.rejects(queued, (e) => e.code === 'worker.terminated');
  await assert.rejects(w.classify(NOISE), (e) => e.code === 'worker.terminated');
});
