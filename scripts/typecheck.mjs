// npm run typecheck: checks the hand-written declarations (js/*.d.ts) two ways with tsc:
//   1. examples/typescript/portal.ts uses them as a portal developer would;
//   2. real output of the built package — verdicts of every kind, failures, diagnostics with
//      locations, case reports — is written as typed object literals to
//      test-results/types/samples.ts. Excess-property and missing-property checks then fail on
//      any field the Rust types produce that the declarations lack, or the reverse.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { citizenView } from 'fenliu';
// Rule files, cases and checks: the authoring build (verdicts are the portal runtime's, byte for byte).
import { Fenliu, checkRuleset } from 'fenliu/authoring';
import { readRuleset, trapRuleset } from '../tests/js/helpers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const today = { today: '2024-06-01' };
const fenliu = new Fenliu();
const traps = new Fenliu({ ruleset: trapRuleset() });
const mini = readRuleset(join(root, 'tests/js/fixtures/mini'));

const petitions = [
  { id: 'a-1', title: '欠薪', text: '公司拖欠我三个月工资，老板一直推脱', submitted_at: '2024-03-01', channel: 'online', extra: 1 },
  { id: 7, text: '法院判决已经生效一年了，对方一直拒不履行，申请执行也没有结果', legal: { court: 'judged' } },
  { text: '征地补偿问题反映了很多年', history: { prior_count: 6, national_visits: 2, highest_level: 'national' }, petitioners: 30 },
  { text: '楼下饭店每天营业到凌晨，噪音扰民严重', place: { county: '甲县', town: '乙镇', village: '丙村' }, cross: { region: true } },
];
const verdicts = [...petitions.map((p) => fenliu.classify(p, today)), ...fenliu.cases().cases?.map((c) => fenliu.classify(c.petition, today)) ?? []]
  .filter((r) => r.ok)
  .map((r) => r.verdict);
const failures = [
  fenliu.classify({ text: 'x', channel: 'fax', history: { prior_count: 'x' } }),
  traps.classify({ text: '死循环' }),
  traps.classify({ text: '规则抛错' }),
];
const diagnostics = [
  ...checkRuleset({ ...mini, 'x.rhai': 'rule(#{ id: "x",\n when: |p| p.has("noise") &&, });' }),
  ...checkRuleset({ ...mini, 'empty.rhai': '' }),
  ...checkRuleset({ 'route.rhai': '' }),
];
const reports = [fenliu.test(), new Fenliu({ ruleset: mini }).test(), new Fenliu({ ruleset: { ...mini, 'cases/x.toml': '[[case]]' } }).test()];
const caseLists = [fenliu.cases(), new Fenliu({ ruleset: mini }).cases()];

const lit = (v) => JSON.stringify(v, null, 1);
const samples = `// Written by scripts/typecheck.mjs from the built package's real output. Do not edit.
import type { CaseList, CitizenView, ClassifyResult, Diagnostic, RulesetInfo, TestReport, Verdict } from 'fenliu';

export const verdicts: Verdict[] = ${lit(verdicts)};
export const failures: ClassifyResult[] = ${lit(failures)};
export const diagnostics: Diagnostic[] = ${lit(diagnostics)};
export const reports: TestReport[] = ${lit(reports)};
export const caseLists: CaseList[] = ${lit(caseLists)};
export const info: RulesetInfo = ${lit(fenliu.ruleset)};
export const citizenViews: CitizenView[] = ${lit(verdicts.map((v, i) => citizenView(v, i === 0 ? { truncated: { total: 30000, read: 20000 } } : {})))};
`;
mkdirSync(join(root, 'test-results/types'), { recursive: true });
writeFileSync(join(root, 'test-results/types/samples.ts'), samples);
console.log(`typecheck: ${verdicts.length} verdicts and their citizen views, ${failures.length} failures, ${diagnostics.length} diagnostics, ${reports.length} case reports`);

try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error('typecheck: tsc found errors (see above)');
  process.exit(1);
}
console.log('typecheck: tsc --noEmit passed');
