// What the rule editor (the workbench) gets from the package when a rule is wrong (issue 14,
// items 6 and 7): a keyword-group typo passed through a helper is an error with a location from
// `checkRuleset` and from `new Fenliu` (the calls the workbench's engine worker makes for its
// markers), and a rule that fails at run time says so in Chinese, with a location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { Fenliu, FenliuError, checkRuleset } from 'fenliu/authoring';
import { readRuleset, root, TODAY } from './helpers.mjs';

const files = readRuleset(join(root, 'rules'));
const CALL = 'salient(p, "noise")';
const source = files['route_civil.rhai'];
const typo = { ...files, 'route_civil.rhai': source.replace(CALL, 'salient(p, "nosie")') };
// Where "nosie" starts: 1-based line, 1-based UTF-16 column.
const before = source.slice(0, source.indexOf(CALL));
const line = before.split('\n').length;
const column = before.length - before.lastIndexOf('\n') + 'salient(p, '.length;

test('checkRuleset marks a group typo passed through a helper at the call site', () => {
  assert.ok(source.includes(CALL), 'the fixture call is still in route_civil.rhai');
  assert.deepEqual(checkRuleset(files).filter((d) => d.severity === 'error'), []);
  const errors = checkRuleset(typo).filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const [d] = errors;
  assert.equal(d.code, 'rule.unknown_group');
  assert.deepEqual(d.location, { file: 'route_civil.rhai', line, column });
  assert.match(d.message, /"nosie" 不存在.*salient/);
  assert.match(d.help, /是不是 "noise"/);
});

test('new Fenliu refuses the ruleset with the same diagnostic', () => {
  assert.throws(() => new Fenliu({ ruleset: typo }), (e) => e instanceof FenliuError && e.code === 'rule.unknown_group' && e.location?.line === line);
});

test('a rule that fails at run time says so in Chinese, with its location', () => {
  const when = 'p.title.sub_string(0, 2) == "噪音"';
  const rule = `\nrule(#{ id: "flags.try", title: "试", stage: "flags", flag: "urgent",\n  when: |p| ${when} });\n`;
  const f = new Fenliu({ ruleset: { ...files, 'flags.rhai': files['flags.rhai'] + rule } });
  const r = f.classify({ text: '楼上噪音扰民' }, { today: TODAY });
  assert.equal(r.ok, false);
  const [d] = r.errors;
  assert.equal(d.code, 'rule.runtime');
  assert.doesNotMatch(d.message, /Function not found|i64/);
  assert.match(d.message, /"sub_string".*空值/);
  assert.equal(d.location.file, 'flags.rhai');
  assert.equal(d.location.line, (files['flags.rhai'] + rule).split('\n').length - 1);
  // The case runner reports it the same way (the workbench's 案例 tab).
  const report = f.test();
  const failed = report.results.filter((c) => !c.passed && c.error);
  assert.ok(failed.length > 0 && failed.every((c) => c.error.code === 'rule.runtime' && c.error.location?.file === 'flags.rhai'), JSON.stringify(failed[0]));
  f.free();
});
