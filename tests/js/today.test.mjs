// "Today" is the date in China (UTC+8) in the wasm layer as in the CLI (src/date.rs,
// `Date::china_date_at`): the engine reads the browser's clock (`Date.now()`, through js-sys)
// when it is given no date. The clock is set here to either side of a Beijing midnight.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
