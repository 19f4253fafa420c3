// A verdict as a person reads it: the route with its guidance and basis, what to ask when one
// fact is missing, the difficulty and the points that made it, the delegation level and why,
// the deadlines, the flags, and the trace; the petition with the words that matched marked
// (the trace's UTF-16 offsets are JS string indices, so they slice the text directly).
import { h } from './dom.js';
import { missingLabel, STAGE_NAMES } from './fields.js';

/** Names from the manifest and lexicons, for codes the verdict gives bare. */
export const names = { flags: {}, routes: {}, categories: {}, levels: {}, tiers: {}, groups: {} };

const flagName = (code) => names.flags[code] ?? code;

const signed = (n) => (n > 0 ? `+${n}` : `${n}`);

/** A trace outcome (`{kind, …}`, see TraceOutcome in js/types.d.ts) in words, codes named from the manifest. */
function outcomeText(o, v) {
  switch (o?.kind) {
    case 'route': return `途径 → ${names.routes[o.code] ?? o.code}`;
    case 'runner_up': return `落选途径：${names.routes[o.code] ?? o.code}`;
    case 'category': return `类别 → ${names.categories[o.code] ?? o.code}`;
    case 'level': return `代办 → ${names.levels[o.code] ?? o.code}`;
    case 'tier': return `难度 → ${names.tiers[o.code] ?? o.code}`;
    case 'points': return `难度 ${signed(o.points)} 分${o.at_least ? `，至少 ${names.tiers[o.at_least] ?? o.at_least}` : ''}`;
    case 'flags': return `标记：${o.codes.map(flagName).join('、')}`;
    case 'deadlines': return `期限：${o.keys.map((k) => v.deadlines[k]?.name ?? k).join('、')}`;
    case 'violation': return `一致性问题：${o.message}`;
    default: return o?.kind ?? '';
  }
}

/** Every distinct keyword hit in the trace, with the rules that consulted it. */
export function hitsOf(verdict) {
  const byKey = new Map();
  for (const t of verdict.trace) {
    for (const m of t.matched ?? []) {
      const key = `${m.field}:${m.start}:${m.end}:${m.group}`;
      if (!byKey.has(key)) byKey.set(key, { ...m, rules: [] });
      const hit = byKey.get(key);
      if (!hit.rules.includes(t.rule)) hit.rules.push(t.rule);
    }
  }
  return [...byKey.values()];
}

/** `text` with the hits marked: <mark> for each stretch covered by one or more hits. */
export function highlighted(text, hits) {
  const cuts = new Set([0, text.length]);
  const valid = hits.filter((x) => x.start >= 0 && x.end <= text.length && x.start < x.end);
  for (const x of valid) cuts.add(x.start).add(x.end);
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = text.slice(a, b);
    const over = valid.filter((x) => x.start <= a && x.end >= b);
    if (over.length === 0) {
      out.push(piece);
      continue;
    }
    const negated = over.every((x) => x.negated);
    const title = over.map((x) => `“${x.word}” 词组 ${names.groups[x.group] ?? x.group}（${x.group}）${x.negated ? '，前有否定词，不计' : ''}；规则 ${x.rules.join('、')}`).join('\n');
    out.push(h(`mark${negated ? '.negated' : ''}`, { title, dataset: { rules: over.flatMap((x) => x.rules).join(' ') } }, piece));
  }
  return out;
}

function diffLine(now, before) {
  if (!before) return null;
  if (!before.ok) return h('p.compare-note', {}, `对比基准规则对此件无法分类：${before.errors[0]?.message ?? ''}`);
  const a = before.verdict;
  const b = now;
  const parts = [];
  if (a.route.code !== b.route.code) parts.push(`途径：${a.route.name} → ${b.route.name}`);
  if (a.difficulty.tier !== b.difficulty.tier || a.difficulty.score !== b.difficulty.score) parts.push(`难度：${a.difficulty.name}（${a.difficulty.score} 分）→ ${b.difficulty.name}（${b.difficulty.score} 分）`);
  if (a.delegation.level !== b.delegation.level) parts.push(`代办：${a.delegation.name} → ${b.delegation.name}`);
  if (a.status !== b.status) parts.push(`状态：${a.status === 'needs_info' ? '需补充信息' : '已判定'} → ${b.status === 'needs_info' ? '需补充信息' : '已判定'}`);
  const fa = a.flags.join(',');
  const fb = b.flags.join(',');
  if (fa !== fb) parts.push(`标记：${a.flags.map(flagName).join('、') || '无'} → ${b.flags.map(flagName).join('、') || '无'}`);
  if (parts.length === 0) return h('p.compare-note.same', {}, '与对比基准（修改前的规则）结论相同。');
  return h('div.compare-note.changed', { role: 'note' }, h('strong', {}, '与对比基准（修改前的规则）相比：'), h('ul', {}, parts.map((p) => h('li', {}, p))));
}

/**
 * Renders `result` ({current, baseline} from the engine worker) for `petition` into `root`.
 * `onRule(id)` opens a rule in the editor.
 */
/** A feature's rule id, when it is a rule (`rule:route.civil.debt`), for the editor link. */
const ruleOf = (feature) => (feature.startsWith('rule:') ? feature.slice(5) : null);

/** How the letter was read (`slots.toml`): who it is against, what it asks for, the table's row. */
function slotsLine(slots) {
  const names = (values) => (values.length ? values.map((x) => x.name).join('；') : '未找到');
  return h('p#v-slots.slots', {},
    h('span.k', {}, '读信：'), `对方 ${names(slots.counterparty)}；诉求 ${names(slots.request)}`,
    slots.table ? `；决策表：${slots.table.note}` : '');
}

/** How sure the weighed evidence is, what counted, and the runner-up with why it lost. */
function evidenceBlock(route, onRule) {
  const pct = (x) => `${Math.round(x * 100)}%`;
  const list = (evidence) => h('ul.evidence', {}, evidence.map((e) => h('li', {},
    h(`span.weight${e.weight > 0 ? '.plus' : '.minus'}`, {}, e.weight > 0 ? `+${e.weight.toFixed(2)}` : e.weight.toFixed(2)), ' ',
    ruleOf(e.feature) ? h('button.link.small', { type: 'button', title: '在编辑器中打开这条规则', onclick: () => onRule(ruleOf(e.feature)) }, e.label) : e.label)));
  const alt = route.alternatives?.[0];
  return h('div.evidence-block', { dataset: { confidence: String(route.confidence) } },
    h('p', {}, h('span.k', {}, '把握：'), h('strong#v-confidence', {}, pct(route.confidence)), '（按各项证据的权重计算，权重由 fenliu fit 在人工标注的留言上拟合）'),
    route.slots ? slotsLine(route.slots) : null,
    route.evidence?.length ? list(route.evidence) : null,
    alt ? h('details.runner-up', { open: route.confidence < 0.6 },
      h('summary', {}, '其次可能：', h('strong#v-runner-up', {}, alt.name), `（把握 ${pct(alt.confidence)}）`),
      h('p.muted', {}, `落选原因：${alt.lost_because}`),
      alt.evidence.length ? list(alt.evidence) : null) : null);
}

export function renderVerdict(root, result, petition, { onRule }) {
  const r = result.current;
  if (!r.ok) {
    root.replaceChildren(
      h('h3', {}, '无法分类'),
      h('ul.errors', {}, r.errors.map((e) => h('li', {}, h('strong', {}, e.message), e.path ? `（位置：${e.path}）` : '', e.help ? h('div.help', {}, `提示：${e.help}`) : ''))),
    );
    return;
  }
  const v = r.verdict;
  const hits = hitsOf(v);
  const cards = [];

  cards.push(h('section.card.route-card', { 'aria-labelledby': 'v-route' },
    h('p.eyebrow', {}, '法定途径'),
    h('h3#v-route', {}, v.route.name),
    h('p.badges', {},
      h(`span.badge.${v.route.accepted ? 'ok' : 'warn'}`, {}, v.route.accepted ? '作为信访事项受理' : '不作为信访事项受理，告知法定途径'),
      v.separated ? h('span.badge.info', {}, '诉访分离') : null,
      h('span.badge', {}, v.category.name)),
    h('p', {}, h('span.k', {}, '处理机关：'), v.route.handler),
    h('p.guidance', {}, v.route.guidance),
    v.route.basis.length ? h('div.basis', {}, h('span.k', {}, '依据：'), h('ul', {}, v.route.basis.map((b) => h('li', {}, b)))) : null,
    v.route.confidence != null ? evidenceBlock(v.route, onRule) : null,
    v.question ? h('div.ask.question', { role: 'note' }, h('strong', {}, '需要问清：'), v.question) : null,
    v.status === 'needs_info' && v.missing?.length
      ? h('div.ask', { role: 'note' }, h('strong', {}, '需补充信息：'), '以下情况会改变途径，请向信访人确认：',
        h('ul', {}, (v.missing ?? []).map((m) => h('li', {}, missingLabel(m), h('code', {}, m)))))
      : null,
  ));

  cards.push(diffLine(v, result.baseline));

  cards.push(h('section.card.two', {},
    h('div', {},
      h('h4', {}, '化解难度：', h('span.value', {}, v.difficulty.name), h('span.score', {}, `${v.difficulty.score} 分`)),
      v.difficulty.factors.length
        ? h('ul.factors', { 'aria-label': '难度的得分' }, v.difficulty.factors.map((f) => h('li', {},
          h(`span.points${f.points > 0 ? '.plus' : ''}`, {}, f.points > 0 ? `+${f.points}` : String(f.points)),
          h('span', {}, f.reason, ' ', h('button.link.small', { type: 'button', title: '在编辑器中打开这条规则', onclick: () => onRule(f.rule) }, f.rule)))))
        : h('p.muted', {}, '没有规则加分。')),
    h('div', {},
      h('h4', {}, '三级代办：', h('span.value', {}, v.delegation.name)),
      h('p', {}, h('span.k', {}, '牵头：'), v.delegation.lead),
      h('p', {}, h('span.k', {}, '理由：'), v.delegation.reason)),
  ));

  const deadlines = Object.entries(v.deadlines);
  cards.push(h('section.card', {},
    h('h4', {}, '办理期限'),
    deadlines.length
      ? h('table.deadlines', {}, h('caption.sr-only', {}, '办理期限'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '事项'), h('th', { scope: 'col' }, '截止日期'), h('th', { scope: 'col' }, '期限'))),
        h('tbody', {}, deadlines.map(([key, d]) => h('tr', { dataset: { key } },
          h('td', {}, d.name), h('td.date', {}, d.date),
          h('td', {}, `${d.days} ${d.working_days ? '个工作日' : '日'}`, d.after ? `（自“${v.deadlines[d.after]?.name ?? d.after}”起算）` : '')))))
      : h('p.muted', {}, '没有期限（未填提交日期时，按判断日期计算）。'),
    h('h4', {}, '标记'),
    v.flags.length ? h('ul.flags', {}, v.flags.map((f) => h('li', { title: f }, flagName(f)))) : h('p.muted', {}, '无'),
    v.violations?.length ? h('div.violations', { role: 'note' }, h('strong', {}, '一致性校验发现问题：'),
      h('ul', {}, v.violations.map((x) => h('li', {}, x.message, '（', h('button.link', { type: 'button', onclick: () => onRule(x.rule) }, x.rule), '）')))) : null,
    v.warnings?.length ? h('div.warnings', {}, h('strong', {}, '信访件提示：'), h('ul', {}, v.warnings.map((x) => h('li', {}, x.message)))) : null,
    v.log?.length ? h('div.log', {}, h('strong', {}, '规则输出：'), h('ul', {}, v.log.map((x) => h('li', {}, `${x.rule}：${x.message}`)))) : null,
  ));

  const titleHits = hits.filter((x) => x.field === 'title');
  const textHits = hits.filter((x) => x.field === 'text');
  cards.push(h('section.card.matched', { 'aria-labelledby': 'v-matched' },
    h('h4#v-matched', {}, `命中的词（${hits.filter((x) => !x.negated).length} 处${hits.some((x) => x.negated) ? `，另有 ${hits.filter((x) => x.negated).length} 处因否定不计` : ''}）`),
    petition.title ? h('p.petition-title', {}, h('span.k', {}, '标题：'), highlighted(petition.title, titleHits)) : null,
    h('p.petition-text', {}, highlighted(petition.text ?? '', textHits)),
    h('p.legend', {}, h('mark', {}, '命中'), ' ', h('mark.negated', {}, '前有否定词、不计'), '　把鼠标移到词上可看词组和规则。'),
  ));

  cards.push(h('section.card', {},
    h('details.trace', { open: true },
      h('summary', {}, `规则轨迹（${v.trace.length} 条规则生效，按执行顺序）`),
      h('table.trace', {}, h('caption.sr-only', {}, '规则轨迹'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '阶段'), h('th', { scope: 'col' }, '规则'), h('th', { scope: 'col' }, '结果'), h('th', { scope: 'col' }, '命中词'))),
        h('tbody', {}, v.trace.map((t) => h('tr', { dataset: { rule: t.rule } },
          h('td', {}, STAGE_NAMES[t.stage] ?? t.stage),
          h('td', {}, h('button.link', { type: 'button', title: '在编辑器中打开这条规则', onclick: () => onRule(t.rule) }, t.rule), h('div.rule-title', {}, t.title)),
          h('td', {}, outcomeText(t.outcome, v)),
          h('td', {}, (t.matched ?? []).map((m) => h(`span.chip${m.negated ? '.negated' : ''}`, { title: `${names.groups[m.group] ?? m.group}（${m.group}）` }, m.word))))))))));

  root.replaceChildren(...cards.filter(Boolean));

  // Pointing at a trace row marks the words that rule consulted. Only the petition's marks
  // carry rules: the legend's sample marks have none.
  const rows = root.querySelectorAll('table.trace tbody tr');
  const focus = (rule) => root.querySelectorAll('mark[data-rules]').forEach((m) => m.classList.toggle('focus', rule !== null && m.dataset.rules.split(' ').includes(rule)));
  rows.forEach((tr) => {
    tr.addEventListener('mouseenter', () => focus(tr.dataset.rule));
    tr.addEventListener('mouseleave', () => focus(null));
    tr.addEventListener('focusin', () => focus(tr.dataset.rule));
    tr.addEventListener('focusout', () => focus(null));
  });
}
