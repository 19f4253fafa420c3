// What a portal developer writes with the types: checked by `npm run typecheck` (tsc --noEmit).
import { Fenliu, FenliuError, checkRuleset, dateInChina, type CitizenView, type Petition, type ClassifyResult, type Diagnostic, type Verdict } from 'fenliu';
import { FenliuWorker } from 'fenliu/worker';

const petition: Petition = {
  title: '拖欠工资',
  text: '公司拖欠我三个月工资，老板一直推脱',
  place: { county: '甲县', town: '乙镇' },
  legal: { arbitration: 'none', court: null },
  petitioners: 1,
  history: { prior_count: 0 },
};

/** The sentence shown under the form. */
export function describe(result: ClassifyResult): string {
  if (!result.ok) return result.errors.map((e: Diagnostic) => `${e.message}（${e.help}）`).join('\n');
  const v: Verdict = result.verdict;
  const ask = v.status === 'needs_info' ? `请补充：${(v.missing ?? []).join('、')}` : '';
  const deadline = v.deadlines.accept_notice?.date ?? '';
  return [v.route.name, v.route.guidance, ask, deadline].filter(Boolean).join('\n');
}

export async function main(): Promise<string> {
  const fenliu = await Fenliu.create();
  const text: string = describe(fenliu.classify(petition, { today: new Date() }));
  // The day undated petitions are judged by when no `today` is given (UTC+8, any time zone).
  const judgedOn: string = dateInChina();
  const json: string | undefined = ((r) => (r.ok ? r.json : undefined))(fenliu.classify(JSON.stringify(petition)));
  const many: ClassifyResult[] = fenliu.classifyMany([petition, '{"text":"噪音扰民"}']);
  const report = fenliu.test();
  const failed: number = report.ok ? report.failed : report.errors.length;
  const lines: number[] = checkRuleset({ 'manifest.toml': 'name = "x"' }).map((d) => d.location?.line ?? 0);
  const { name, version, fingerprint } = fenliu.ruleset;

  try {
    new Fenliu({ ruleset: new Map([['manifest.toml', '']]), fingerprint: 'ab'.repeat(32), limits: { maxOperations: 10_000 } });
  } catch (e) {
    if (e instanceof FenliuError) console.log(e.code, e.location?.column, e.diagnostics.length);
  }

  const worker = await FenliuWorker.create({ timeout: 2000 });
  try {
    const r = await worker.classify(petition, { timeout: 500, today: '2024-06-01' });
    if (r.ok) console.log(r.verdict.difficulty.tier, r.verdict.delegation.lead);
  } catch (e) {
    if (e instanceof FenliuError && e.code === 'worker.timeout') console.log('规则运行超时');
  } finally {
    worker.terminate();
  }
  return [text, judgedOn, json, many.length, failed, lines, name, version, fingerprint, fenliu.version].join(' ');
}

/** The citizen's pre-screen: emergency lines first, then the suggestion, never the office's file. */
export async function citizenLines(text: string): Promise<string[]> {
  const { citizenView, prescreen, prescreenSupport, PRESCREEN_UNAVAILABLE, MAX_TEXT_CHARS } = await import('fenliu');
  const support = prescreenSupport();
  if (!support.ok) return [support.message];
  const worker = await FenliuWorker.create();
  try {
    const r = await prescreen(worker, { text });
    if (!r.ok) return [PRESCREEN_UNAVAILABLE, r.errors[0]?.code ?? ''];
    const v: CitizenView = r.view;
    const again: CitizenView = citizenView(r.verdict, { truncated: { total: MAX_TEXT_CHARS + 1, read: MAX_TEXT_CHARS } });
    return [
      ...(v.emergency ? [v.emergency.title, ...v.emergency.lines.map((l) => `${l.number} ${l.name}`)] : []),
      v.channel.name, v.channel.summary, v.channel.why, v.prepare,
      ...v.timeLimits.map((t) => t.text), v.note, ...again.notices.map((n) => n.message),
    ];
  } finally {
    worker.terminate();
  }
}

/** Why the tier is what it is: each trace outcome is narrowed by its `kind`, never split. */
export function tierReasons(v: Verdict): string[] {
  return v.trace.flatMap(({ outcome: o, title }) => {
    switch (o.kind) {
      case 'points': return [`${title}：${o.points >= 0 ? '+' : ''}${o.points}${o.at_least ? `，至少 ${o.at_least}` : ''}`];
      case 'tier': return [`${title}：${o.code}`];
      default: return [];
    }
  });
}
