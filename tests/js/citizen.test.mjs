// The citizen-facing helpers of the package (js/citizen.js) on real verdicts of the built
// package: what a citizen reads, the emergency lines, the cut of a long text.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';

import {
  Fenliu, citizenView, fitPetition, prescreen, prescreenSupport, CITIZEN_DEADLINES, EMERGENCY_LINES, MAX_TEXT_CHARS,
  PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE,
} from 'fenliu';
import * as worker from 'fenliu/worker';
import { loneSurrogate } from '../../js/core.js';
import { TODAY, root } from './helpers.mjs';

const fenliu = new Fenliu();
const verdictOf = (p) => {
  const r = fenliu.classify({ submitted_at: TODAY, ...p });
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  return r.verdict;
};

test('citizenView: the channel, what to prepare and the time limits that concern the citizen; none of the office file', () => {
  const v = verdictOf({ title: '拖欠工资', text: '公司拖欠我三个月工资，老板一直推脱，电话也不接了' });
  const view = citizenView(v);
  assert.equal(view.channel.name, v.route.name);
  assert.equal(view.channel.handler, v.route.handler);
  assert.equal(view.prepare, v.route.guidance);
  assert.equal(view.note, SUGGESTION_NOTE);
  assert.match(view.note, /仅供参考/);
  assert.match(view.note, /收到您诉求的机关/);
  assert.equal(view.emergency, null);
  assert.match(view.channel.why, /^因为您的诉求提到「/);
  // Only the citizen's time limits: the office's own (登记转送, 转送异议) are not there.
  assert.ok(Object.keys(v.deadlines).includes('transfer_objection'), 'the verdict has the office deadline');
  const keys = view.timeLimits.map((t) => t.key);
  assert.ok(keys.includes('accept_notice'));
  for (const k of keys) assert.ok(CITIZEN_DEADLINES.includes(k), k);
  assert.ok(!keys.includes('transfer_objection') && !keys.includes('transfer'));
  assert.deepEqual(view.timeLimits.map((t) => t.date), [...view.timeLimits.map((t) => t.date)].sort());
  // Nothing of difficulty, delegation, or a decision.
  const all = JSON.stringify(view);
  for (const word of [v.difficulty.name, v.delegation.name, v.delegation.lead, '对转送交办有异议', '可以受理', '不作为信访事项受理', '化解难度', '代办']) {
    assert.ok(!all.includes(word), `the citizen view mentions ${word}`);
  }
});

test('citizenView: a statutory channel (court judgment) reads as a suggestion, not a refusal', () => {
  const v = verdictOf({ text: '法院判决已经生效一年了，对方一直拒不履行，申请执行也没有结果', legal: { court: 'judged' } });
  assert.equal(v.route.accepted, false);
  const view = citizenView(v);
  assert.equal(view.channel.statutory, true);
  assert.match(view.channel.summary, /通常|建议/);
  assert.doesNotMatch(view.channel.summary, /受理/);
});

test('urgent: emergency lines first (110, 119, 120, 12356) for threats to life; not for a threat quoted from someone else', () => {
  assert.deepEqual(EMERGENCY_LINES.map((l) => l.number), ['110', '119', '120', '12356']);
  for (const text of ['再不给钱我就跳楼', '我真的想不开了……准备从楼上跳下去', '楼下饭店后厨着火了，浓烟往楼上冒，随时会烧到我们家', '我家孩子走失了，从昨天下午到现在都没找到']) {
    const v = verdictOf({ text });
    assert.ok(v.flags.includes('urgent'), text);
    const view = citizenView(v);
    assert.ok(view.emergency, text);
    assert.deepEqual(view.emergency.lines.map((l) => l.number), ['110', '119', '120', '12356']);
  }
  const quoted = verdictOf({ text: '公司拖欠我们五个人三个月工资，老板扬言谁再来要钱就找人弄死他' });
  assert.ok(!quoted.flags.includes('urgent'));
  assert.equal(citizenView(quoted).emergency, null);
});

test('fitPetition / prescreen: a 30,000-character text is read in part, and the view says so; the text itself is kept', async () => {
  assert.equal(MAX_TEXT_CHARS, 20000);
  // The engine's own limit is the same number: one more character is `petition.too_long`.
  assert.equal(fenliu.classify({ text: '字'.repeat(MAX_TEXT_CHARS) }).ok, true);
  assert.equal(fenliu.classify({ text: '字'.repeat(MAX_TEXT_CHARS + 1) }).errors[0].code, 'petition.too_long');

  const text = '公司拖欠工资。'.repeat(30000 / 7 + 1).slice(0, 30000);
  const petition = { text };
  const fitted = fitPetition(petition);
  assert.deepEqual(fitted.truncated, { total: 30000, read: 20000 });
  assert.equal(fitted.petition.text, text.slice(0, 20000));
  assert.equal(petition.text.length, 30000, 'the caller\'s petition is not changed');

  const r = await prescreen(fenliu, petition, { today: TODAY });
  assert.equal(r.ok, true);
  assert.equal(r.view.notices.length, 1);
  assert.equal(r.view.notices[0].code, 'text.truncated');
  assert.match(r.view.notices[0].message, /共 30000 字.*前 20000 字/);
  assert.deepEqual(r.verdict.trace, [], 'prescreen classifies briefly');

  // Never inside a character: 20,001 emoji are 40,002 UTF-16 units; 20,000 of them are read.
  const emoji = fitPetition({ text: '😀'.repeat(20001) });
  assert.deepEqual(emoji.truncated, { total: 20001, read: 20000 });
  assert.equal(loneSurrogate(emoji.petition.text), -1);
  assert.equal(fitPetition({ text: '😀'.repeat(20000) }).truncated, null);
  assert.equal((await prescreen(fenliu, { text: '噪音扰民' })).view.notices.length, 0);
});

test('prescreenSupport: true here; without WebAssembly or reference types it says so with the one calm sentence', () => {
  assert.deepEqual(prescreenSupport(), { ok: true });
  const real = globalThis.WebAssembly;
  try {
    globalThis.WebAssembly = undefined;
    assert.deepEqual(prescreenSupport(), { ok: false, reason: 'no_wasm', message: PRESCREEN_UNAVAILABLE });
    globalThis.WebAssembly = { ...real, validate: () => false, instantiate: real.instantiate };
    assert.equal(prescreenSupport().reason, 'no_reference_types');
  } finally {
    globalThis.WebAssembly = real;
  }
});

test('fenliu/worker exports the same citizen helpers', () => {
  assert.equal(worker.citizenView, citizenView);
  assert.equal(worker.PRESCREEN_UNAVAILABLE, PRESCREEN_UNAVAILABLE);
});

test('loneSurrogate (no regex lookbehind): finds lone halves, passes pairs', () => {
  assert.equal(loneSurrogate('abc'), -1);
  assert.equal(loneSurrogate('a😀b'), -1);
  assert.equal(loneSurrogate('a\uD83Db'), 1);
  assert.equal(loneSurrogate('a\uDE00b'), 1);
  assert.equal(loneSurrogate('\uD83D\uD83D\uDE00'), 0);
  assert.equal(loneSurrogate('xx\uDE00\uD83D'), 2);
  assert.equal(loneSurrogate('😀\uDE00'), 2);
});

test('docs/npm.md example examples/loading/citizen.mjs runs: emergency lines first, then the channel and the note', () => {
  const out = execFileSync(process.execPath, [join(root, 'examples/loading/citizen.mjs')], { encoding: 'utf8' }).trim().split('\n');
  assert.match(out[0], /^如果有人正面临危险.*110 报警电话.*119.*120.*12356/);
  assert.match(out[1], /^建议途径：/);
  assert.equal(out[out.length - 1], SUGGESTION_NOTE);
});
