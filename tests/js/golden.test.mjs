// The package against the native engine: the ruleset's golden cases give the same results, and
// verdicts are the same JSON byte for byte (the CLI's `classify` lines), in both wasm builds: the
// authoring build from the rule files, the portal runtime from their compiled bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Fenliu } from 'fenliu';
import { Fenliu as Authoring } from 'fenliu/authoring';
import { displayTestReport, fixtures, portalMessages, readRuleset, runCli, TODAY } from './helpers.mjs';

/** Classifies JSON lines natively with one `today`; returns the output lines. */
function nativeLines(lines, today, rulesDir, brief = false) {
  const args = ['classify', '--quiet', '--today', today];
  if (rulesDir) args.push('--rules', rulesDir);
  if (brief) args.push('--brief');
  const out = runCli(args, `${lines.join('\n')}\n`).split('\n');
  out.pop();
  assert.equal(out.length, lines.length);
  return out;
}

/** The wasm result in the CLI's shape: the verdict line, or the error line's `errors`. */
function comparable(result) {
  return result.ok ? result.json : JSON.stringify(result.errors.map(sortKeys));
}
function nativeComparable(line) {
  const v = JSON.parse(line);
  return v.ok === false ? JSON.stringify(v.errors.map(sortKeys)) : line;
}
// The CLI builds its error lines with serde_json's `json!`, whose maps sort their keys.
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

for (const [label, dir] of [['default ruleset (rules/)', null], ['fixture ruleset', join(fixtures, 'mini')]]) {
  test(`${label}: every golden case passes in WASM with the same report as \`fenliu test\``, () => {
    const f = dir ? new Authoring({ ruleset: readRuleset(dir) }) : new Authoring();
    const report = f.test();
    assert.equal(report.ok, true, JSON.stringify(report.errors));
    assert.ok(report.results.length > 0, 'the ruleset has cases');
    const native = runCli(dir ? ['test', dir] : ['test']);
    assert.equal(displayTestReport(report), native);
    const failures = report.results.filter((r) => !r.passed).map((r) => `${r.name}: ${JSON.stringify(r.mismatches)} ${JSON.stringify(r.error ?? '')}`);
    assert.deepEqual(failures, []);
  });

  test(`${label}: each golden case's verdict is the CLI's JSON byte for byte`, () => {
    const authoring = dir ? new Authoring({ ruleset: readRuleset(dir) }) : new Authoring();
    const portal = new Fenliu({ bundle: authoring.bundle() });
    const { cases } = authoring.cases();
    // One native run per `today`.
    const byToday = new Map();
    for (const c of cases) {
      const today = c.today ?? TODAY;
      if (!byToday.has(today)) byToday.set(today, []);
      byToday.get(today).push(c);
    }
    let compared = 0;
    for (const [today, group] of byToday) {
      const lines = group.map((c) => JSON.stringify(c.petition));
      const native = nativeLines(lines, today, dir);
      group.forEach((c, i) => {
        for (const [build, f] of [['authoring', authoring], ['portal', portal]]) {
          const wasm = f.classify(c.petition, { today });
          assert.equal(comparable(wasm), nativeComparable(native[i]), `${build}: case "${c.name}" (${c.location?.file}:${c.location?.line})`);
        }
        compared++;
      });
    }
    assert.equal(compared, cases.length);
  });
}

test('a few petitions: the verdict JSON equals the CLI line byte for byte', () => {
  const petitions = [
    { id: 'p-1', text: '法院判决已经生效一年了，对方一直拒不履行，申请执行也没有结果', submitted_at: '2024-05-06' },
    { id: 2, title: '欠薪', text: '公司拖欠我三个月工资，老板一直推脱', submitted_at: '2024-03-01', channel: 'online' },
    { text: '楼下饭店每天营业到凌晨，噪音扰民严重，我们没有判决书，只想请城管管一管', place: { county: '甲县', town: '乙镇' } },
    { text: '征地补偿问题反映了很多年', history: { prior_count: 6, national_visits: 2 }, petitioners: 12 },
    { text: '村里的路灯坏了半年没人修 😀 \u2028 "引号" \\ 反斜杠', extra_field: true },
    { id: 1.5e3, text: '我想建议在小区门口增设公交站' },
  ].map((p) => JSON.stringify(p));
  // An id beyond 2^53 survives only because the petition crosses as a JSON string.
  petitions.push('{"id": 9007199254740993, "text": "小区停车位被长期占用", "submitted_at": "2024-02-29T08:00:00"}');
  const native = nativeLines(petitions, TODAY);
  const f = new Fenliu();
  petitions.forEach((p, i) => {
    const r = f.classify(p, { today: TODAY });
    assert.equal(r.ok, true, JSON.stringify(r.errors));
    assert.equal(r.json, native[i]);
  });
});

test('every real portal message: WASM verdicts equal the CLI lines byte for byte', (t) => {
  if (!portalMessages) {
    t.skip('../shared/data/portal-messages.jsonl is absent (the data is not copied into the project)');
    return;
  }
  const lines = readFileSync(portalMessages, 'utf8').split('\n').filter((l) => l.trim());
  const native = nativeLines(lines, TODAY);
  const f = new Fenliu();
  let differ = 0;
  let first = null;
  lines.forEach((line, i) => {
    const got = comparable(f.classify(line, { today: TODAY }));
    const want = nativeComparable(native[i]);
    if (got !== want) {
      differ++;
      first ??= { line: i + 1, got: got.slice(0, 300), want: want.slice(0, 300) };
    }
  });
  assert.equal(differ, 0, `${differ} of ${lines.length} differ; first: ${JSON.stringify(first)}`);
});

test('brief: every real portal message, WASM equals the CLI --brief byte for byte, and is the full verdict without its trace', (t) => {
  if (!portalMessages) {
    t.skip('../shared/data/portal-messages.jsonl is absent (the data is not copied into the project)');
    return;
  }
  const lines = readFileSync(portalMessages, 'utf8').split('\n').filter((l) => l.trim());
  const native = nativeLines(lines, TODAY, undefined, true);
  const f = new Fenliu();
  let differ = 0;
  let first = null;
  let saved = 0;
  lines.forEach((line, i) => {
    const brief = f.classify(line, { today: TODAY, brief: true });
    const got = comparable(brief);
    if (got !== nativeComparable(native[i])) {
      differ++;
      first ??= { line: i + 1, got: got.slice(0, 300), want: native[i].slice(0, 300) };
    }
    if (brief.ok) {
      const full = f.classify(line, { today: TODAY });
      assert.deepEqual(brief.verdict, { ...full.verdict, trace: [] });
      saved += full.json.length - brief.json.length;
    }
  });
  assert.equal(differ, 0, `${differ} of ${lines.length} differ; first: ${JSON.stringify(first)}`);
  assert.ok(saved / lines.length > 1000, `brief saves ${saved / lines.length} characters per verdict`);
});
