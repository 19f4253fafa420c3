// The "测试" tab: the ruleset's own cases, run with the current ruleset. A table of every case
// (passed or not, with the keys that differ: expected and actual), and the rules no case
// fires (coverage).
import { h } from './dom.js';

const KEY_NAMES = {
  route: '途径', category: '类别', tier: '难度', level: '代办层级', status: '状态', accepted: '是否受理', separated: '诉访分离',
  flags: '标记', has_flags: '应有标记', lacks_flags: '不应有标记', missing: '需补充', fires: '应触发规则', not_fires: '不应触发规则',
  deadlines: '期限', error: '错误',
};

export function keyName(key) {
  const [head, rest] = key.split('.');
  return `${KEY_NAMES[head] ?? head}${rest ? `.${rest}` : ''}`;
}

/** Renders a test report. `onLocation(loc)` opens a file at a location; `onTry(name)` tries a case. */
export function renderReport({ summary, table, uncovered, onlyFailed }, report, { onLocation, onTry }) {
  if (!report) {
    summary.textContent = '规则集还没有建成，无法运行案例。';
    return;
  }
  if (!report.ok) {
    summary.textContent = `案例无法运行：${report.errors.map((e) => e.message).join('；')}`;
    table.tBodies[0].replaceChildren();
    return;
  }
  const total = report.passed + report.failed;
  summary.textContent = report.failed === 0
    ? `${total} 个案例全部通过。`
    : `${total} 个案例：${report.passed} 个通过，${report.failed} 个未通过。`;
  summary.dataset.passed = String(report.passed);
  summary.dataset.failed = String(report.failed);
  const rows = report.results
    .filter((r) => !onlyFailed || !r.passed)
    .map((r) => h(`tr.${r.passed ? 'pass' : 'fail'}`, {},
      h('td.result', {}, h('span', { 'aria-hidden': 'true' }, r.passed ? '✓ ' : '✗ '), r.passed ? '通过' : '未通过'),
      h('td', {}, h('button.link', { type: 'button', title: '在“试一件”中打开这个案例', onclick: () => onTry(r.name) }, r.name)),
      h('td', {}, r.location
        // Every case file is under cases/: the folder is left out to keep the column narrow.
        ? h('button.link.loc', { type: 'button', title: `在编辑器中打开 ${r.location.file} 第 ${r.location.line} 行`, onclick: () => onLocation(r.location) },
          `${r.location.file.replace(/^cases\//, '')}:${r.location.line}`)
        : ''),
      h('td', {}, r.mismatches.length || r.error
        ? h('ul.mismatches', {},
          r.mismatches.map((m) => h('li', {}, h('strong', {}, keyName(m.key)), `：期望 ${m.expected}，实际 ${m.actual}`)),
          r.error ? h('li', {}, h('strong', {}, '错误：'), r.error.message) : null)
        : '')));
  table.tBodies[0].replaceChildren(...rows);
  uncovered.replaceChildren(...(report.uncovered.length
    ? report.uncovered.map((id) => h('li', {}, h('button.link', { type: 'button', dataset: { rule: id } }, id)))
    : [h('li.muted', {}, '每条规则都至少有一个案例触发。')]));
}
