// The package's API in Node, against the built package (`npm run build`): construction, errors
// as data, fingerprint pinning, and an instance that survives every kind of bad input and
// misbehaving rule inside WASM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Fenliu, FenliuError, checkRuleset, dateInChina, describeRuleset } from 'fenliu/authoring';
import { fixtures, readRuleset, root, runCli, trapRuleset, TODAY } from './helpers.mjs';

const mini = readRuleset(join(fixtures, 'mini'));
const NOISE = { text: '楼下饭店每天半夜噪音扰民', submitted_at: '2024-03-01' };

function codeOf(result) {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result).slice(0, 200)}`);
  return result.errors[0].code;
}

test('default ruleset: version and ruleset info match the native engine', () => {
  const f = new Fenliu();
  const cargoVersion = /^version = "([^"]+)"/m.exec(readFileSync(join(root, 'Cargo.toml'), 'utf8'))[1];
  assert.equal(f.version, cargoVersion);
  assert.match(f.ruleset.fingerprint, /^[0-9a-f]{64}$/);
  assert.ok(runCli(['check']).includes(f.ruleset.fingerprint), 'native `fenliu check` prints the same fingerprint');
  assert.ok(Object.isFrozen(f.ruleset));
  assert.throws(() => { f.ruleset.name = 'x'; }, TypeError);
});

test('Fenliu.create gives the same instance as new Fenliu in Node', async () => {
  const a = await Fenliu.create({ ruleset: mini });
  const b = new Fenliu({ ruleset: mini });
  assert.deepEqual(a.ruleset, b.ruleset);
  assert.equal(a.classify(NOISE).json, b.classify(NOISE).json);
});

test('a ruleset can be an object or a Map of path → content; the fingerprint is the native one', () => {
  const a = new Fenliu({ ruleset: mini });
  const b = new Fenliu({ ruleset: new Map(Object.entries(mini)) });
  assert.deepEqual(a.ruleset, b.ruleset);
  assert.equal(a.ruleset.name, 'fenliu-js-fixture');
  assert.ok(runCli(['check', join(fixtures, 'mini')]).includes(a.ruleset.fingerprint));
});

test('classify takes an object or a JSON string and returns the verdict with its exact JSON', () => {
  const f = new Fenliu({ ruleset: mini });
  const fromObject = f.classify(NOISE);
  const fromString = f.classify(JSON.stringify(NOISE));
  assert.equal(fromObject.ok, true);
  assert.equal(fromObject.json, fromString.json);
  assert.deepEqual(fromObject.verdict, JSON.parse(fromObject.json));
  const v = fromObject.verdict;
  assert.equal(v.status, 'needs_info');
  assert.deepEqual(v.missing, ['place.town']);
  assert.equal(v.route.code, 'enforcement');
  assert.equal(v.route.guidance, '请向城管或公安机关反映噪音问题。');
  assert.deepEqual(v.ruleset, f.ruleset);
  assert.equal(v.engine, f.version);
});

test('today: an undated petition is judged by options.today (string or Date), else today in China', () => {
  const f = new Fenliu({ ruleset: mini });
  const p = { text: '路灯坏了' };
  // A Date counts as its date in China (noon there: the 31st in any time zone's reading too).
  assert.equal(f.classify(p, { today: '2024-01-31' }).json, f.classify(p, { today: new Date('2024-01-31T12:00:00+08:00') }).json);
  assert.equal(f.classify(p).json, f.classify(p, { today: dateInChina() }).json);
  assert.equal(codeOf(f.classify(p, { today: '31/01/2024' })), 'options.today');
});

test('classifyMany keeps order; each result stands alone', () => {
  const f = new Fenliu({ ruleset: mini });
  const results = f.classifyMany([NOISE, { text: 'x', channel: 'fax' }, '{"text": "路灯坏了"}', 'not json'], { today: TODAY });
  assert.deepEqual(results.map((r) => r.ok), [true, false, true, false]);
  assert.equal(results[0].verdict.route.code, 'enforcement');
  assert.equal(results[1].errors[0].code, 'petition.enum');
  assert.equal(results[2].verdict.route.code, 'petition');
  assert.equal(results[3].errors[0].code, 'petition.json');
});

test('errors are data: code, message, help, path; never an exception', () => {
  const f = new Fenliu({ ruleset: mini });
  const cases = [
    [{ text: 'x', channel: 'fax' }, 'petition.enum', 'channel'],
    [{ title: '只有标题' }, 'petition.missing_text', undefined],
    ['{"text": ', 'petition.json', undefined],
    [[1, 2], 'petition.type', undefined],
    [null, 'petition.type', undefined],
    [undefined, 'petition.type', undefined],
    [42, 'petition.type', undefined],
    [{ text: 'x'.repeat(300_000) }, 'petition.too_large', undefined],
    [`{"text":"x","a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'petition.too_deep', undefined],
    [{ text: 1n }, 'petition.json', undefined], // BigInt: JSON.stringify throws
  ];
  for (const [petition, code, path] of cases) {
    const r = f.classify(petition);
    assert.equal(codeOf(r), code, `${String(petition).slice(0, 40)} → ${JSON.stringify(r.errors)}`);
    const d = r.errors[0];
    assert.equal(d.severity, 'error');
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0 && typeof d.help === 'string', JSON.stringify(d));
    if (path) assert.equal(d.path, path);
  }
  const cyclic = { text: 'x' };
  cyclic.self = cyclic;
  assert.equal(codeOf(f.classify(cyclic)), 'petition.json');
});

test('hostile input from JS: clear errors or a correct verdict, and the instance stays usable', () => {
  const f = new Fenliu();
  const before = f.classify({ text: '公司拖欠我三个月工资' }, { today: TODAY }).json;
  const errors = [
    // 1 MB of text: refused by size before anything else runs.
    [{ text: '欠薪'.repeat(500_000) }, 'petition.too_large', /262144 字节/],
    // Lone UTF-16 surrogates (a truncated emoji): as an object (JSON.stringify escapes them) …
    [{ text: '工资被拖欠\uD83D' }, 'petition.surrogate', /\\ud83d.*第 1 行第 15 列/],
    [{ text: '\uDE00开头' }, 'petition.surrogate', /\\ude00/],
    // … and as a JSON string holding the raw code unit (would otherwise become U+FFFD silently).
    ['{"text": "拖欠\uD800工资"}', 'petition.surrogate', /\\uD800.*第 1 行第 13 列/],
    // Numbers where strings belong, strings where numbers belong.
    [{ text: 12345 }, 'petition.type', /数字 12345/],
    [{ text: '噪音', petitioners: '三' }, 'petition.type', /整数/],
  ];
  for (const [petition, code, message] of errors) {
    const r = f.classify(petition, { today: TODAY });
    assert.equal(codeOf(r), code, JSON.stringify(r.errors ?? r).slice(0, 300));
    assert.match(r.errors[0].message, message);
    assert.ok(r.errors[0].help.length > 0);
  }
  // Well-formed oddities classify: nulls mean absent; control characters, full-width digits and
  // emoji are text; a whole surrogate pair (an emoji) is one character.
  const fine = [
    [{ text: '公司拖欠我三个月工资', title: null, place: null, history: { prior_count: null } }, 'enforcement'],
    [{ text: '公司\u0000拖欠\u0007我\u001b三个月工资\u2028' }, 'enforcement'],
    [{ text: '公司拖欠我３个月工资１２０００元😡😡' }, 'enforcement'],
    [{ text: '😀'.repeat(5000) }, 'petition'],
  ];
  for (const [petition, route] of fine) {
    const r = f.classify(petition, { today: TODAY });
    assert.equal(r.ok, true, JSON.stringify(r.errors));
    assert.equal(r.verdict.route.code, route, petition.text.slice(0, 30));
  }
  // Offsets of matched words are UTF-16 units, as JS counts them, even after emoji.
  const text = '😀😀公司拖欠工资';
  const v = f.classify({ text }, { today: TODAY }).verdict;
  const hits = v.trace.flatMap((t) => t.matched ?? []);
  assert.ok(hits.length > 0, JSON.stringify(v.trace).slice(0, 300));
  for (const h of hits.filter((x) => x.field === 'text')) assert.equal(text.slice(h.start, h.end), h.word, JSON.stringify(h));
  // A lone surrogate in a rule file is named too, not turned into U+FFFD.
  assert.throws(() => new Fenliu({ ruleset: { ...mini, 'extra.rhai': '// 注释\uD800' } }), (e) => e.code === 'options.ruleset' && /\\ud800/.test(e.message));
  assert.equal(f.classify({ text: '公司拖欠我三个月工资' }, { today: TODAY }).json, before);
});

test('unknown petition fields are warnings in the verdict, not errors', () => {
  const f = new Fenliu({ ruleset: mini });
  const r = f.classify({ ...NOISE, portal_extra: 1 });
  assert.equal(r.ok, true);
  assert.equal(r.verdict.warnings[0].code, 'petition.unknown_field');
});

test('the instance survives 1,000 bad inputs and then classifies exactly as before', () => {
  const f = new Fenliu({ ruleset: mini });
  const before = f.classify(NOISE).json;
  const bad = ['', '{', '[]', 'null', '{"text": 5}', '{"text": "x", "petitioners": -1}', '{"text": "x", "history": {"prior_count": "many"}}', '\u0000', '{"text": "\\ud800"}'];
  for (let i = 0; i < 1000; i++) {
    const r = f.classify(bad[i % bad.length]);
    assert.equal(r.ok, false, bad[i % bad.length]);
  }
  assert.equal(f.classify(NOISE).json, before);
});

test('a looping rule, runaway recursion, string growth, throw and a bad condition are errors with a location; the instance stays usable', () => {
  const f = new Fenliu({ ruleset: trapRuleset() });
  const before = f.classify(NOISE).json;
  const traps = [
    ['死循环', 'rule.limit', 'check.trap.loop'],
    ['无限递归', 'rule.limit', 'check.trap.recursion'],
    ['闭包递归', 'rule.limit', 'check.trap.recursion_map'],
    ['字符串爆炸', 'rule.limit', 'check.trap.string'],
    ['规则抛错', 'rule.throw', 'check.trap.throw'],
    ['返回数字', 'rule.type', 'check.trap.type'],
    ['数组爆炸', 'rule.limit', 'check.trap.array'],
    ['对象爆炸', 'rule.limit', 'check.trap.map'],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [word, code, rule] of traps) {
      const r = f.classify({ text: `测试${word}` });
      assert.equal(codeOf(r), code, word);
      assert.ok(r.errors[0].message.includes(rule), r.errors[0].message);
      assert.equal(r.errors[0].location.file, 'traps.rhai');
      assert.ok(r.errors[0].location.line > 0 && r.errors[0].location.column > 0);
    }
  }
  assert.equal(f.classify(NOISE).json, before);
});

test('the native engine reports the same errors for the same traps', () => {
  const f = new Fenliu({ ruleset: trapRuleset() });
  const petitions = ['死循环', '无限递归', '闭包递归', '字符串爆炸', '规则抛错', '返回数字', '数组爆炸', '对象爆炸'].map((w) => JSON.stringify({ text: w }));
  // The native CLI reads a folder: write the same files to a temporary one.
  const dir = join(root, 'test-results/trap-ruleset');
  writeRuleset(dir, trapRuleset());
  const native = runCli(['classify', '--quiet', '--today', TODAY, '--rules', dir], petitions.join('\n')).trim().split('\n').map((l) => JSON.parse(l));
  const wasm = petitions.map((p) => f.classify(p, { today: TODAY }));
  assert.deepEqual(wasm.map((r) => r.errors), native.map((r) => r.errors));
});

test('a syntax error in a rule: FenliuError with file, line and UTF-16 column; checkRuleset lists it', () => {
  // The 😀 before the error is one character for Rhai and two UTF-16 code units for an editor.
  const broken = { ...mini, 'broken.rhai': 'rule(#{ id: "x", title: "坏😀", stage: "check", message: "m",\n  when: |p| p.has("noise") &&, });\n' };
  let caught;
  try { new Fenliu({ ruleset: broken }); } catch (e) { caught = e; }
  assert.ok(caught instanceof Error && caught instanceof FenliuError);
  assert.equal(caught.code, 'rule.syntax');
  assert.deepEqual(caught.location, { file: 'broken.rhai', line: 2, column: 30 });
  assert.equal(typeof caught.help, 'string');
  assert.equal(caught.diagnostics[0].message, caught.message);
  assert.deepEqual(checkRuleset(broken).filter((d) => d.severity === 'error'), caught.diagnostics);

  const emoji = { ...mini, 'broken.rhai': 'let s = "😀"; 甲 +;\n' };
  const d = checkRuleset(emoji).find((x) => x.code === 'rule.syntax');
  // Rhai reports character column 14 ("甲"); the 😀 makes it UTF-16 column 15.
  assert.deepEqual(d.location, { file: 'broken.rhai', line: 1, column: 15 });

  // Deep expression nesting is refused at compile time (the parser's depth limit), inside the
  // wasm stack, with a location; so is a 100,000-deep one, which would overflow a naive parser.
  for (const depth of [200, 100_000]) {
    const nested = { ...mini, 'deep.rhai': `rule(#{ id: "deep", title: "深", stage: "check", message: "m",\n  when: |p| ${'('.repeat(depth)}1${')'.repeat(depth)} == 1 });\n` };
    const deep = checkRuleset(nested).find((x) => x.severity === 'error');
    assert.equal(deep?.code, 'rule.syntax', JSON.stringify(deep));
    assert.equal(deep.location.file, 'deep.rhai');
    assert.equal(deep.location.line, 2);
  }
  assert.equal(new Fenliu({ ruleset: mini }).classify({ text: '噪音' }).ok, true);
});

test('a broken ruleset never breaks the module: other instances and new ones keep working', () => {
  const good = new Fenliu({ ruleset: mini });
  const before = good.classify(NOISE).json;
  const broken = [
    [{ ...mini, 'manifest.toml': 'name = 1' }, 'toml.syntax'],
    [{ 'route.rhai': '' }, 'ruleset.no_manifest'],
    [{ ...mini, 'lexicon/x.toml': '[g]\ntitle = "t"\nwords = [' }, 'toml.syntax'],
    [{ ...mini, 'x.rhai': 'rule(#{ id: "y", title: "t", stage: "nowhere" });' }, null],
    [{ ...mini, 'x.rhai': 'rule(#{ id: "y", title: "t", stage: "route", route: "petition", guidance: "g", when: |p| p.nosuchfield > 1 });' }, null],
    [{ ...mini, 'x.rhai': `let x = ${'['.repeat(5000)}${']'.repeat(5000)};` }, 'rule.syntax'],
    [{ ...mini, 'lexicon/x.toml': `x = ${'['.repeat(5000)}${']'.repeat(5000)}` }, 'toml.syntax'],
  ];
  for (const [files, code] of broken) {
    let caught;
    try { new Fenliu({ ruleset: files }); } catch (x) { caught = x; }
    assert.ok(caught instanceof FenliuError, JSON.stringify(Object.keys(files)));
    if (code) assert.equal(caught.code, code);
    assert.ok(caught.diagnostics.length >= 1);
  }
  assert.equal(good.classify(NOISE).json, before);
  assert.equal(new Fenliu({ ruleset: mini }).classify(NOISE).json, before);
});

test('options are checked: ruleset type, limits', () => {
  assert.throws(() => new Fenliu({ ruleset: [['manifest.toml', '']] }), (e) => e instanceof FenliuError && e.code === 'options.ruleset');
  assert.throws(() => new Fenliu({ ruleset: 'manifest.toml' }), (e) => e.code === 'options.ruleset');
  assert.throws(() => new Fenliu({ ruleset: { 'manifest.toml': 5 } }), (e) => e.code === 'options.ruleset');
  assert.throws(() => new Fenliu({ limits: { maxOperations: '1' } }), (e) => e.code === 'options.limits');
  assert.throws(() => new Fenliu({ limits: { maxOperations: -1 } }), (e) => e.code === 'options.limits');
  assert.throws(() => new Fenliu({ fingerprint: 42 }), (e) => e.code === 'options.fingerprint');
  assert.equal(new Fenliu(null).ruleset.name, new Fenliu().ruleset.name);
});

test('fingerprint pinning: the right one (any case) is accepted, a wrong one refused', () => {
  const { fingerprint } = new Fenliu({ ruleset: mini }).ruleset;
  assert.equal(new Fenliu({ ruleset: mini, fingerprint: fingerprint.toUpperCase() }).ruleset.fingerprint, fingerprint);
  let caught;
  try {
    new Fenliu({ ruleset: { ...mini, 'rules.rhai': `${mini['rules.rhai']}\n// 改动\n` }, fingerprint });
  } catch (e) { caught = e; }
  assert.ok(caught instanceof FenliuError);
  assert.equal(caught.code, 'ruleset.fingerprint_mismatch');
  assert.ok(caught.message.includes(fingerprint));
  assert.throws(() => new Fenliu({ fingerprint: '0'.repeat(64) }), (e) => e.code === 'ruleset.fingerprint_mismatch');
});

test('check(), test() and cases() return data', () => {
  const f = new Fenliu({ ruleset: mini });
  assert.deepEqual(f.check(), []);
  const report = f.test();
  assert.equal(report.ok, true);
  assert.equal(report.passed, 2);
  assert.equal(report.failed, 0);
  assert.deepEqual(report.results[0].location, { file: 'cases/basic.toml', line: 2, column: 8 });
  assert.deepEqual(report.uncovered, ['level.town'].filter((id) => !report.results.some((r) => r.fired.includes(id))));
  const { cases } = f.cases();
  assert.equal(cases.length, 2);
  assert.deepEqual(cases[0].petition, { text: '楼下饭店半夜噪音扰民' });

  const warned = new Fenliu({ ruleset: { ...mini, 'empty.rhai': '// 还没有规则\n' } });
  assert.equal(warned.check()[0].code, 'rule.empty_file');
  assert.equal(warned.check()[0].severity, 'warning');

  const badCases = new Fenliu({ ruleset: { ...mini, 'cases/bad.toml': '[[case]]\nname = ' } });
  assert.equal(codeOf(badCases.test()), 'case.syntax');
  assert.equal(codeOf(badCases.cases()), 'case.syntax');
});

test('free() ends an instance; later calls are errors, not crashes', () => {
  const f = new Fenliu({ ruleset: mini });
  f.free();
  assert.equal(codeOf(f.classify(NOISE)), 'engine.freed');
  assert.equal(codeOf(f.test()), 'engine.freed');
  assert.throws(() => f.check(), (e) => e.code === 'engine.freed');
  f.free(); // twice is fine
});

function writeRuleset(dir, files) {
  rmSync(dir, { recursive: true, force: true });
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
}

test('a WASM trap (an engine bug) poisons the module: every later call is engine.crashed, never a rerun', async () => {
  // A stand-in module whose classify traps the way a Rust panic under panic=abort does.
  const { bind } = await import('../../js/core.js');
  let calls = 0;
  class Engine {
    info() { return '{"name":"x","version":"1","fingerprint":"0"}'; }
    classifyUtf16() { calls++; throw new WebAssembly.RuntimeError('unreachable'); }
    check() { calls++; return '[]'; }
    test() { calls++; return '{"ok":true}'; }
    cases() { calls++; return '{"ok":true}'; }
    bundle() { return new Uint8Array(); }
  }
  const { Fenliu: Fake } = bind(() => ({ Engine, engineVersion: () => '0', checkFiles: () => '[]' }));
  const f = new Fake();
  const first = f.classify({ text: 'x' });
  assert.equal(codeOf(first), 'engine.crashed');
  assert.ok(first.errors[0].message.includes('unreachable'));
  assert.equal(codeOf(f.classify({ text: 'x' })), 'engine.crashed');
  assert.equal(codeOf(f.test()), 'engine.crashed');
  assert.throws(() => f.check(), (e) => e instanceof Error && e.code === 'engine.crashed');
  assert.throws(() => new Fake(), (e) => e.code === 'engine.crashed');
  assert.equal(calls, 1, 'nothing runs in a trapped module again');
});

test('evaluate(): the report of `fenliu eval`, from verdicts or from summaries, and bad labels as data', () => {
  const text = readFileSync(join(root, 'tests/eval/fixture/labelled.jsonl'), 'utf8');
  const labels = text.trim().split('\n').map((l) => JSON.parse(l));
  const f = new Fenliu();
  const verdicts = labels.map(({ id, title, text: body, submitted_at }) => f.classify({ id, title, text: body, submitted_at }).verdict);
  const fromVerdicts = f.evaluate(text, verdicts);
  assert.equal(fromVerdicts.ok, true);
  const native = JSON.parse(runCli(['eval', 'tests/eval/fixture/labelled.jsonl', '--json'])).report;
  assert.deepEqual(fromVerdicts.report, native, 'the same report as the native CLI');
  // Summaries (what the workbench's batch workers keep) and label objects give the same report.
  const summaries = verdicts.map((v) => ({ route: v.route.code, category: v.category.code, tier: v.difficulty.tier, level: v.delegation.level, flags: v.flags, rule: v.trace.findLast((t) => t.stage === 'route' && t.outcome.kind === 'route').rule }));
  assert.deepEqual(f.evaluate(labels, summaries).report, native);
  // A failed petition counts as 无法分类; a split filters.
  const withError = f.evaluate(labels, [null, ...summaries.slice(1)]);
  assert.equal(withError.report.errors, 1);
  assert.equal(withError.report.confusion.codes.at(-1), 'error');
  assert.equal(f.evaluate(labels, summaries, { split: 'dev' }).report.n, 3);
  // Unknown codes and a count mismatch are failures with stable codes, never exceptions.
  assert.equal(codeOf(f.evaluate([{ id: '1', route: 'court' }], [null])), 'label.code');
  assert.equal(codeOf(f.evaluate(labels, [])), 'eval.predictions');
});

test('describeRuleset: the keyword groups and petition fields a rule editor completes, without compiling', () => {
  const RULES = readRuleset(join(root, 'rules'));
  const d = describeRuleset(RULES);
  const lexiconGroups = Object.entries(RULES)
    .filter(([p]) => p.startsWith('lexicon/'))
    .flatMap(([, src]) => [...src.matchAll(/^\[([a-z_0-9]+)\]\s*$/gm)].map((m) => m[1]));
  assert.ok(lexiconGroups.length > 100, 'the default lexicons hold many groups');
  assert.deepEqual(d.groups.map((g) => g.id).sort(), [...new Set(lexiconGroups)].sort());
  const noise = d.groups.find((g) => g.id === 'noise');
  assert.ok(noise.title && noise.words > 0 && noise.location.file.startsWith('lexicon/'), JSON.stringify(noise));
  assert.ok(d.fields.some((f) => f.name === 'place' && f.fields.includes('town')), JSON.stringify(d.fields));
  // A lexicon that is not TOML is a FenliuError with its file, not a crash.
  assert.throws(() => describeRuleset({ ...RULES, 'lexicon/extra.toml': '[noise_two\nwords = [' }), (e) => e instanceof FenliuError && e.diagnostics[0].location?.file === 'lexicon/extra.toml');
});
