// "Today" is the date in China (UTC+8) in the wasm layer as in the CLI (src/date.rs,
// `Date::china_date_at`): the engine reads the browser's clock (`Date.now()`, through js-sys)
// when it is given no date. The package's API (js/core.js, `todayOf`) names the same day itself,
// from `Date.now()`, and takes a `Date` passed as `today` by its date in China too, whatever the
// machine's time zone (issue 13: it used the machine's local date). The clock is set here to
// either side of a Beijing midnight, and the time zone to one where the local date differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Fenliu, dateInChina, localDate } from 'fenliu';
import { FenliuWorker } from 'fenliu/worker';
import { initSync, todayInChina, Engine } from '../../dist/wasm/fenliu.js';
import { root, runCli } from './helpers.mjs';

initSync({ module: readFileSync(join(root, 'dist/wasm/fenliu_bg.wasm')) });

const realNow = Date.now;
function at(iso, f) {
  const ms = Date.parse(iso);
  Date.now = () => ms;
  try {
    return f();
  } finally {
    Date.now = realNow;
  }
}

/** Runs `f` with the process in time zone `tz` (Node re-reads `TZ` when it is assigned). */
async function inTimeZone(tz, f) {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

test('todayInChina: the date at UTC+8, whatever the machine\'s time zone', () => {
  assert.equal(at('2026-12-04T15:59:59.999Z', todayInChina), '2026-12-04');
  assert.equal(at('2026-12-04T16:00:00.000Z', todayInChina), '2026-12-05');
  assert.equal(at('2026-12-05T07:59:00.000Z', todayInChina), '2026-12-05');
  assert.equal(at('2026-12-31T16:00:00.000Z', todayInChina), '2027-01-01');
});

test('an undated petition without `today` is judged by the date in China, as the CLI judges it', () => {
  // The portal runtime's engine, from the default ruleset's compiled bundle.
  const engine = Engine.fromBundle(readFileSync(join(root, 'dist/wasm/default.fenliu')));
  const undated = '{"id": "t-1", "text": "楼下饭店每天半夜噪音扰民，请城管处理。"}';
  // 2026-12-04T17:00Z: still the 4th in UTC, already the 5th in China.
  const implicit = at('2026-12-04T17:00:00.000Z', () => engine.classify(undated, undefined, false));
  assert.equal(implicit, engine.classify(undated, '2026-12-05', false));
  assert.notEqual(implicit, engine.classify(undated, '2026-12-04', false));
  // The CLI gives the same verdict for that day.
  assert.equal(runCli(['classify', '--quiet', '--today', '2026-12-05'], undated).trim(), implicit);
  // And the real clock agrees with the CLI's `Date::today_china` rule.
  const ms = realNow();
  assert.equal(todayInChina(), new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10));
});

// 2026-01-01T20:00Z is 2026-01-02 04:00 in China, and 2026-01-01 12:00 in Los Angeles (UTC-8),
// where "the local date" would be a day early.
const EVENING_UTC = '2026-01-01T20:00:00.000Z';
const UNDATED = { id: 't-2', text: '楼下饭店每天半夜噪音扰民，请城管处理。' };

test('dateInChina: the date at UTC+8 of now or of a Date, in a time zone behind China\'s', () => inTimeZone('America/Los_Angeles', () => {
  assert.equal(localDate(new Date(EVENING_UTC)), '2026-01-01', 'the time zone took effect');
  assert.equal(at(EVENING_UTC, () => dateInChina()), '2026-01-02');
  assert.equal(dateInChina(new Date(EVENING_UTC)), '2026-01-02');
  assert.equal(dateInChina(new Date('2026-01-01T15:59:59.999Z')), '2026-01-01');
  assert.equal(dateInChina(new Date('2026-01-01T16:00:00.000Z')), '2026-01-02');
  assert.equal(dateInChina(new Date('2026-12-31T16:00:00.000Z')), '2027-01-01');
  assert.equal(at(EVENING_UTC, () => dateInChina()), at(EVENING_UTC, todayInChina), 'as the wasm names it');
}));

test('classify without today counts an undated petition\'s deadlines from the date in China, and a Date as its date in China', () => inTimeZone('America/Los_Angeles', () => {
  const f = new Fenliu();
  const implicit = at(EVENING_UTC, () => f.classify(UNDATED));
  assert.ok(implicit.ok, JSON.stringify(implicit.errors));
  const jan2 = f.classify(UNDATED, { today: '2026-01-02' });
  assert.notEqual(jan2.json, f.classify(UNDATED, { today: '2026-01-01' }).json, 'the day matters to this verdict');
  assert.equal(implicit.json, jan2.json);
  // The deadlines count from the 2nd: 告知是否受理 is due 15 days after it.
  assert.deepEqual([implicit.verdict.deadlines.accept_notice.days, implicit.verdict.deadlines.accept_notice.date], [15, '2026-01-17']);
  // A Date passed as today: its date in China, not the machine's local date.
  assert.equal(f.classify(UNDATED, { today: new Date(EVENING_UTC) }).json, jan2.json);
  // classifyMany: the same day for all.
  assert.deepEqual(at(EVENING_UTC, () => f.classifyMany([UNDATED, UNDATED])).map((r) => r.json), [jan2.json, jan2.json]);
  // And the CLI agrees on that day.
  assert.equal(runCli(['classify', '--quiet', '--today', '2026-01-02'], JSON.stringify(UNDATED)).trim(), implicit.json);
}));

test('the worker judges by the caller\'s date in China too', () => inTimeZone('America/Los_Angeles', async () => {
  const w = await FenliuWorker.create();
  try {
    // The day is named on the calling side when the call is made (the clock is faked there).
    const implicit = await at(EVENING_UTC, () => w.classify(UNDATED));
    assert.equal(implicit.json, new Fenliu().classify(UNDATED, { today: '2026-01-02' }).json);
    const many = await at(EVENING_UTC, () => w.classifyMany([UNDATED]));
    assert.equal(many[0].json, implicit.json);
    assert.equal((await w.classify(UNDATED, { today: new Date(EVENING_UTC) })).json, implicit.json);
  } finally {
    w.terminate();
  }
}));
