// The workbench page: wires the rule editor, the engine worker, the "试一件" form, the cases and
// the batch together. State in one place:
//   original  – the ruleset as opened (default or a file the officer opened); "已改" is
//               measured against it and it is the first comparison baseline;
//   good      – the last edit that built: everything on the page uses it while an edit is broken;
//   baseline  – "before the edit" for the comparisons (the original, or what the officer set).
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { RuleEditor } from './editor.js';
import { EngineClient } from './engine-client.js';
import { PetitionForm } from './petition-form.js';
import { names, renderVerdict } from './verdict-view.js';
import { renderReport } from './tests-view.js';
import { BatchView } from './batch-view.js';
import { h } from './dom.js';
import {
  changedSinceDownload, clearDownloaded, clearEdits, defaultFiles, download, lastDownload, loadEdits, makeBundle, markDownloaded,
  readPicked, saveEdits, sortFiles,
} from './ruleset-files.js';

const $ = (id) => document.getElementById(id);

/**
 * Today in China (UTC+8), YYYY-MM-DD: the day the package and the CLI judge undated petitions by
 * when given none (the package's `dateInChina`; not imported here, to keep the wasm glue out of
 * the page's own bundle), whatever the officer's machine's time zone.
 */
function todayInChina() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const state = {
  original: { source: 'default', label: '默认规则集', files: defaultFiles() },
  good: null, // {files, info, cases, report}
  baseline: null, // {files, fingerprint, label}
  diagnostics: [], // the last check's, for the text in the editor
  built: false, // whether the text in the editor built (runtime errors belong to it then)
  tryError: null, // a rule's runtime error for the petition in 试一件
  batchErrors: 0, // petitions of the batch a rule failed on (current ruleset)
  builtin: null,
};

// ---------------------------------------------------------------------------------------------
// Engine

const engine = new EngineClient(async (client) => {
  // A fresh worker after a timeout: back to the last good ruleset and the baseline.
  if (state.baseline) await client.call('setBaseline', [state.baseline.files]);
  if (state.good) await client.call('update', [state.good.files]);
});

// ---------------------------------------------------------------------------------------------
// Editor and live checking

const editor = new RuleEditor({
  parent: $('editor'),
  tabs: $('file-tabs'),
  title: $('editor-title'),
  onChange: () => {
    scheduleCheck();
    scheduleSave();
  },
  onSave: () => setStatus('修改已自动保存在本浏览器。要保存为文件或交给同事，请点“下载规则集”。', 'info'),
  // Completion: groups and fields from the package's description of the last ruleset that
  // built; flag codes and names from its manifest.
  completions: () => describeGood(),
});

/**
 * The package's description of the last ruleset that built. Only the lexicons change it (the
 * fields are the engine's), so it is asked again only when a lexicon changed: a rule edit does
 * not wait for the worker.
 */
let described = { key: null, promise: null };
function describeGood() {
  const g = state.good;
  if (!g) return Promise.resolve(null);
  const key = Object.keys(g.files).filter((p) => p.startsWith('lexicon/')).map((p) => `${p}\u0000${g.files[p]}`).join('\u0001');
  if (described.key !== key) {
    const previous = described.promise;
    described = {
      key,
      promise: engine.call('describe', [g.files])
        .then((d) => d ?? previous)
        .catch(() => previous), // the last description stays
    };
  }
  return described.promise.then((d) => d && { ...d, flags: names.flags });
}

let checkTimer = 0;
let checking = false;
let dirty = false;
let edits = 0;

function scheduleCheck() {
  edits++;
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 300);
}

async function runCheck() {
  if (checking) {
    dirty = true;
    return;
  }
  checking = true;
  dirty = false;
  const seq = edits;
  const files = editor.files();
  setStatus('正在检查规则…', 'checking');
  let res;
  try {
    res = await engine.call('update', [files]);
  } catch (e) {
    res = { built: false, diagnostics: e.diagnostics ?? [{ code: e.code ?? 'engine', severity: 'error', message: e.message, help: '刷新页面后重试；如果重复出现，请把规则报告给开发者。' }] };
  }
  checking = false;
  // Markers only for the text they were computed on: a newer edit gets its own check.
  if (seq === edits && !dirty) applyCheck(files, res);
  else if (res.built) applyGood(files, res);
  if (dirty || seq !== edits) runCheck();
}

function applyCheck(files, res) {
  state.diagnostics = res.diagnostics;
  state.built = res.built;
  $('verdict-stale').hidden = res.built || !state.good;
  if (res.built) applyGood(files, res);
  refreshProblems();
}

/**
 * Errors rules raised while running (a rule that throws, calls a missing function, …): from the
 * cases, and from the petition in 试一件. They belong to the text in the editor only when it
 * built. Each is a diagnostic with the location of the throw.
 */
function runtimeErrors() {
  if (!state.built || !state.good) return [];
  const seen = new Map();
  const add = (e, where) => {
    if (!e || !String(e.code ?? '').startsWith('rule.')) return;
    const key = `${e.location?.file}:${e.location?.line}:${e.location?.column}:${e.message}`;
    if (!seen.has(key)) seen.set(key, { ...e, severity: 'error', runtime: true, where: [] });
    seen.get(key).where.push(where);
  };
  const r = state.good.report;
  if (r?.ok) for (const c of r.results) if (c.error) add(c.error, `案例“${c.name}”`);
  if (state.tryError) add(state.tryError, '当前信访件');
  return [...seen.values()];
}

/** The rule ids named by runtime errors (`规则 "id" …`), in order. */
const thrownBy = (errors) => [...new Set(errors.map((e) => /规则 "([^"]+)"/.exec(e.message)?.[1] ?? (e.location ? `${e.location.file} 第 ${e.location.line} 行` : e.code)))];

/** Markers, the 问题 list and the status bar, from the check and the runtime errors. */
function refreshProblems() {
  const all = [...state.diagnostics, ...runtimeErrors()];
  editor.setDiagnostics(all);
  renderProblems(all);
  renderStatus();
}

function applyGood(files, res) {
  const changed = state.good?.info.fingerprint !== res.info.fingerprint;
  state.good = { files, info: res.info, version: res.version, cases: res.cases, report: res.report };
  readNames(files);
  renderSamples();
  renderTests(res.report);
  renderInfo();
  tryNow();
  if (changed) batch.rulesChanged();
}

/** Names of flags, routes, … from the manifest, and titles of keyword groups from the lexicons. */
function readNames(files) {
  try {
    const m = parseToml(files['manifest.toml']);
    for (const k of ['flags', 'routes', 'categories', 'levels']) {
      names[k] = Object.fromEntries(Object.entries(m[k] ?? {}).map(([code, v]) => [code, v.name ?? code]));
    }
    names.tiers = Object.fromEntries((m.tiers ?? []).map((t) => [t.code, t.name]));
  } catch { /* the engine accepted it; keep the names we had */ }
  const groups = {};
  for (const [path, content] of Object.entries(files)) {
    if (!path.startsWith('lexicon/')) continue;
    try {
      for (const [id, g] of Object.entries(parseToml(content))) if (g && typeof g === 'object') groups[id] = g.title ?? id;
    } catch { /* ignore */ }
  }
  names.groups = groups;
}

function renderProblems(diagnostics) {
  const list = $('problem-list');
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  $('problem-count').textContent = diagnostics.length ? `${errors} 个错误，${diagnostics.length - errors} 个警告` : '没有';
  list.replaceChildren(...diagnostics.map((d) => {
    const where = d.location ? `${d.location.file} 第 ${d.location.line} 行第 ${d.location.column} 列` : '规则集';
    const shown = d.where?.slice(0, 3).join('、');
    return h(`li.${d.severity}${d.runtime ? '.runtime' : ''}`, { dataset: { file: d.location?.file ?? '', line: String(d.location?.line ?? '') } },
      h('button.link', {
        type: 'button',
        onclick: () => d.location && editor.open(d.location.file, { line: d.location.line, column: d.location.column }),
      }, h('span.sev', {}, d.runtime ? '运行时错误' : d.severity === 'error' ? '错误' : '警告'), ` ${where}：`),
      h('span', {}, d.message),
      d.runtime ? h('div.help', {}, `出错的是：${shown}${d.where.length > 3 ? ` 等 ${d.where.length} 处` : ''}`) : null,
      d.help ? h('div.help', {}, `提示：${d.help}`) : null);
  }));
}

function setStatus(text, kind) {
  const el = $('status');
  el.textContent = text;
  el.dataset.state = kind;
}

/**
 * What is wrong with a ruleset that built: cases that fail or cannot run, rules that throw
 * (in the cases, for the petition in 试一件, in the batch). Empty when nothing is.
 */
function ruleTrouble() {
  const out = [];
  const r = state.good?.report;
  if (r && !r.ok) out.push(`案例无法运行（${r.errors?.[0]?.message ?? ''}）`);
  if (r?.ok && r.failed) out.push(`${r.failed} 个案例未通过`);
  const runtime = runtimeErrors();
  const inCases = runtime.filter((e) => e.where.some((w) => w !== '当前信访件'));
  if (inCases.length) {
    const ids = thrownBy(inCases);
    out.push(`运行时出错的规则：${ids.slice(0, 3).join('、')}${ids.length > 3 ? ` 等 ${ids.length} 条` : ''}`);
  }
  if (state.tryError && String(state.tryError.code ?? '').startsWith('rule.')) out.push(`当前信访件分类时规则运行出错：${state.tryError.message}`);
  if (state.batchErrors) out.push(`批量中 ${state.batchErrors} 件信访件因规则运行出错无法分类`);
  return out;
}

function renderStatus() {
  if (checking) return; // "正在检查规则…" until the check is applied
  const errors = state.diagnostics.filter((d) => d.severity === 'error');
  const warnings = state.diagnostics.length - errors.length;
  const fp = state.good ? state.good.info.fingerprint.slice(0, 12) : '';
  if (errors.length) {
    setStatus(state.good
      ? `规则有 ${errors.length} 个错误。页面仍在使用上一次正确的规则（指纹 ${fp}）。`
      : `规则有 ${errors.length} 个错误，无法建成规则集。`, 'broken');
  } else if (state.good) {
    // Never "规则正确" while a case fails or a rule throws: the rules parse, but are not right.
    const trouble = ruleTrouble();
    const r = state.good.report;
    if (trouble.length) {
      setStatus(`规则能建成（指纹 ${fp}），但${trouble.join('；')}。请看“测试”和下方“问题”。`, 'warn');
    } else if (warnings) {
      setStatus(`规则已生效（指纹 ${fp}${r?.ok ? `，${r.passed} 个案例全部通过` : ''}），有 ${warnings} 个警告，见下方“问题”。`, 'ok');
    } else {
      setStatus(`规则正确，已生效（指纹 ${fp}${r?.ok ? `，${r.passed} 个案例全部通过` : ''}）。`, 'ok');
    }
  }
}

function renderInfo() {
  const g = state.good;
  const changed = editor.paths().filter((p) => state.original.files[p] !== editor.content(p)).length;
  $('ruleset-info').replaceChildren(
    h('span', {}, `${g.info.name} ${g.info.version}`),
    h('span', { title: g.info.fingerprint }, ` · 指纹 ${g.info.fingerprint.slice(0, 12)}`),
    h('span', {}, ` · ${state.original.label}${changed ? `，已改 ${changed} 个文件` : ''}`),
  );
  const builtin = state.builtin;
  $('engine-info').textContent = `引擎 ${g.version}。`
    + (builtin && state.original.source === 'default' && state.baseline && builtin.fingerprint !== state.baseline.fingerprint
      ? `注意：页面内的默认规则（指纹 ${state.baseline.fingerprint.slice(0, 12)}）与引擎内置的默认规则集（指纹 ${builtin.fingerprint.slice(0, 12)}）不同。`
      : '');
}

// ---------------------------------------------------------------------------------------------
// Unsaved edits

let saveTimer = 0;
function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    if (!saveEdits(state.original, editor.files())) setStatus('浏览器存储已满或被禁用：修改没有自动保存，请下载规则集。', 'warn');
    if (state.good) renderInfo();
  }, 500);
}

// ---------------------------------------------------------------------------------------------
// 试一件

const form = new PetitionForm($('try-form'), $('form-fields'), $('extra-note'), [$('today-field')]);
$('today').value = todayInChina();
let tryTimer = 0;
let tryToken = 0;
$('try-form').addEventListener('input', (e) => {
  if (e.target.id === 'sample') return;
  clearTimeout(tryTimer);
  tryTimer = setTimeout(tryNow, 250);
});
$('try-form').addEventListener('submit', (e) => e.preventDefault());
$('clear-form').addEventListener('click', () => {
  form.clear();
  $('sample').value = '';
  $('case-expect').hidden = true;
  tryNow();
});

function renderSamples() {
  const select = $('sample');
  const chosen = select.value;
  const byFile = new Map();
  for (const c of state.good.cases) {
    const file = c.location?.file ?? '';
    if (!byFile.has(file)) byFile.set(file, []);
    byFile.get(file).push(c);
  }
  select.replaceChildren(new Option('— 选一个案例填入表单 —', ''),
    ...[...byFile].map(([file, cases]) => h('optgroup', { label: file.replace(/^cases\//, '') }, cases.map((c) => new Option(c.name, c.name)))));
  select.value = chosen && state.good.cases.some((c) => c.name === chosen) ? chosen : '';
}

function trySample(name) {
  const c = state.good?.cases.find((x) => x.name === name);
  if (!c) return;
  $('sample').value = name;
  form.fill(c.petition && typeof c.petition === 'object' ? c.petition : { text: String(c.petition ?? '') });
  if (c.today) $('today').value = c.today;
  const exp = Object.entries(c.expect).map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('；');
  $('case-expect').textContent = `案例期望：${exp}${c.note ? `。说明：${c.note}` : ''}`;
  $('case-expect').hidden = false;
  tryNow();
}
$('sample').addEventListener('change', () => trySample($('sample').value));

async function tryNow() {
  clearTimeout(tryTimer);
  const petition = form.read();
  const root = $('verdict');
  if (!petition.text.trim()) {
    root.replaceChildren(h('p.muted', {}, '在上面填写诉求内容或选一个案例，结论会随输入即时更新。'));
    root.dataset.route = '';
    state.lastTry = null;
    $('save-case').disabled = true;
    if (state.tryError) {
      state.tryError = null;
      refreshProblems();
    }
    return;
  }
  if (!state.good) return;
  const token = ++tryToken;
  root.setAttribute('aria-busy', 'true');
  let result;
  try {
    result = await engine.call('classify', [petition, $('today').value || todayInChina()]);
  } catch (e) {
    result = { current: { ok: false, errors: [{ message: e.message, help: '' }] }, baseline: null };
  }
  if (token !== tryToken) return;
  root.setAttribute('aria-busy', 'false');
  if (!result) return;
  const failure = result.current.ok ? null : result.current.errors?.find((e) => String(e.code ?? '').startsWith('rule.')) ?? null;
  if ((failure?.message ?? null) !== (state.tryError?.message ?? null)) {
    state.tryError = failure;
    refreshProblems();
  }
  renderVerdict(root, result, petition, { onRule: openRule });
  state.lastTry = result.current.ok ? { petition, today: $('today').value || todayInChina(), verdict: result.current.verdict } : null;
  $('save-case').disabled = !state.lastTry;
  root.dataset.route = result.current.ok ? result.current.verdict.route.code : 'error';
  root.dataset.fingerprint = state.good.info.fingerprint;
  if (document.body.dataset.state !== 'ready') document.body.dataset.state = 'ready';
}

// 存为案例: the petition in 试一件 and its verdict, as a case of the ruleset (cases/*.toml, the
// format rules/README.md describes), appended to a case file in the editor: the cases run it
// from then on, and 下载规则集 holds it.

const CASE_FILE = 'cases/workbench.toml';
const CASE_HEADER = '# 在分流规则工作台中用“存为案例”保存的案例：信访件和保存时的结论。\n# 案例里的文字要自己写，不要抄录真实留言（原文许可不明）。\n';
const CASE_KEYS = [
  ['route', '途径', (v) => v.route.code, (v) => v.route.name],
  ['category', '类别', (v) => v.category.code, (v) => v.category.name],
  ['tier', '难度', (v) => v.difficulty.tier, (v) => v.difficulty.name],
  ['level', '代办层级', (v) => v.delegation.level, (v) => v.delegation.name],
  ['status', '状态', (v) => v.status, (v) => (v.status === 'needs_info' ? '需补充信息' : '已判定')],
  ['flags', '标记（恰好这些）', (v) => v.flags, (v) => v.flags.map((f) => names.flags[f] ?? f).join('、') || '无'],
];
const CASE_DEFAULT = new Set(['route', 'tier', 'level', 'flags']);

function caseToml() {
  const { petition, today, verdict } = state.lastTry;
  const expect = {};
  for (const [key, , value] of CASE_KEYS) if ($(`case-key-${key}`)?.checked) expect[key] = value(verdict);
  const c = { name: $('case-name').value.trim() };
  const note = $('case-note').value.trim();
  if (note) c.note = note;
  // An undated petition is judged by a day: the case keeps the one it was saved with.
  if (!petition.submitted_at) c.today = today;
  c.petition = petition;
  c.expect = expect;
  return stringifyToml({ case: [c] });
}

$('save-case').addEventListener('click', () => {
  if (!state.lastTry) return;
  const { petition, verdict } = state.lastTry;
  const taken = new Set(state.good?.cases.map((c) => c.name) ?? []);
  const base = (petition.title || petition.text).trim().slice(0, 30);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}（${i}）`;
  $('case-name').value = name;
  $('case-note').value = '';
  const files = editor.paths().filter((p) => p.startsWith('cases/') && p.endsWith('.toml'));
  $('case-file').replaceChildren(...[...new Set([CASE_FILE, ...files])].map((p) => new Option(p === CASE_FILE && !files.includes(p) ? `${p}（新文件）` : p, p)));
  $('case-file').value = CASE_FILE;
  $('case-keys').replaceChildren(...CASE_KEYS.map(([key, label, , shown]) => h('label.check', {},
    h('input', { type: 'checkbox', id: `case-key-${key}`, checked: CASE_DEFAULT.has(key), onchange: () => { $('case-preview').textContent = caseToml(); } }),
    ` ${label}：${shown(verdict)}`)));
  $('case-preview').textContent = caseToml();
  $('case-dialog').returnValue = '';
  $('case-dialog').showModal();
});
$('case-name').addEventListener('input', () => { $('case-preview').textContent = caseToml(); });
$('case-note').addEventListener('input', () => { $('case-preview').textContent = caseToml(); });
$('case-dialog').addEventListener('close', () => {
  if ($('case-dialog').returnValue !== 'save' || !state.lastTry) return;
  if (!$('case-name').value.trim()) $('case-name').value = (state.lastTry.petition.title || state.lastTry.petition.text).trim().slice(0, 30);
  const path = $('case-file').value || CASE_FILE;
  editor.append(path, caseToml(), CASE_HEADER);
  setStatus(`已把案例“${$('case-name').value.trim()}”加入 ${path}，正在检查规则…`, 'checking');
});

/** Opens the file that defines rule `id` at its `id:` line. */
function openRule(id) {
  const hit = editor.find(`"${id}"`).find((x) => x.path.endsWith('.rhai') && /\bid\s*:/.test(x.text)) ?? editor.find(`"${id}"`)[0];
  if (hit) editor.open(hit.path, { line: hit.line, column: hit.column });
}

// ---------------------------------------------------------------------------------------------
// 测试

function renderTests(report) {
  renderReport({ summary: $('test-summary'), table: $('test-table'), uncovered: $('uncovered'), onlyFailed: $('only-failed').checked }, report, {
    onLocation: (loc) => editor.open(loc.file, { line: loc.line, column: loc.column }),
    onTry: (name) => {
      selectTab('tab-try');
      trySample(name);
    },
  });
  const badge = $('test-badge');
  badge.textContent = report?.ok ? (report.failed ? `${report.failed} 未通过` : '✓') : '';
  badge.className = `count ${report?.ok && report.failed ? 'bad' : 'good'}`;
  badge.setAttribute('aria-label', report?.ok ? (report.failed ? `${report.failed} 个案例未通过` : '案例全部通过') : '');
}
$('run-tests').addEventListener('click', async () => {
  $('test-summary').textContent = '正在运行案例…';
  const report = await engine.call('test').catch((e) => ({ ok: false, errors: [{ message: e.message }] }));
  if (state.good) state.good.report = report;
  renderTests(report);
  refreshProblems();
  $('test-summary').dataset.ran = String(Date.now());
});
$('only-failed').addEventListener('change', () => renderTests(state.good?.report));
$('uncovered').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-rule]');
  if (b) openRule(b.dataset.rule);
});

// ---------------------------------------------------------------------------------------------
// 批量与对比

const batch = new BatchView({
  root: $('batch'), file: $('batch-file'), info: $('batch-info'), start: $('batch-start'), cancel: $('batch-cancel'),
  progress: $('batch-progress'), progressText: $('batch-progress-text'), status: $('batch-status'), auto: $('auto-compare'),
  charts: $('charts'), chartRoute: $('chart-route'), chartTier: $('chart-tier'), chartLevel: $('chart-level'),
  tableRoute: $('table-route'), tableTier: $('table-tier'), tableLevel: $('table-level'),
  compare: $('compare'), baselineInfo: $('baseline-info'), setBaseline: $('set-baseline'), counts: $('compare-counts'),
  transitions: $('transitions'), moversWrap: $('movers-wrap'), movers: $('movers'), moversCaption: $('movers-caption'),
  filter: $('movers-filter'), more: $('movers-more'), csv: $('download-csv'),
  eval: $('eval'), evalSplit: $('eval-split'), evalSummary: $('eval-summary'), evalFields: $('eval-fields'),
  evalRoutes: $('eval-routes'), evalMatrix: $('eval-matrix'), evalCell: $('eval-cell'), evalCellTitle: $('eval-cell-title'),
  evalCellList: $('eval-cell-list'),
  problems: $('batch-problems'), routeList: $('route-list'), routeListTitle: $('route-list-title'),
  routeListTable: $('route-list-table'), routeListMore: $('route-list-more'), ruleHits: $('rule-hits'), ruleHitsWrap: $('rule-hits-wrap'),
}, {
  ruleset: () => ({
    current: state.good && { files: state.good.files, fingerprint: state.good.info.fingerprint, label: '当前规则' },
    baseline: state.baseline,
  }),
  onOpen: (petition) => {
    $('sample').value = '';
    $('case-expect').hidden = true;
    form.fill(petition);
    selectTab('tab-try');
    tryNow();
  },
  onBaseline: () => setBaseline(state.good.files, '修改后的规则（已设为基准）'),
  onRule: (id) => openRule(id),
  onResults: ({ ruleErrors }) => {
    if (ruleErrors === state.batchErrors) return;
    state.batchErrors = ruleErrors;
    renderStatus();
  },
});

async function setBaseline(files, label) {
  const res = await engine.call('setBaseline', [files]).catch(() => ({ built: false }));
  state.baseline = res.built ? { files, fingerprint: res.info.fingerprint, label } : null;
  if (state.good) {
    renderInfo();
    tryNow();
    batch.rulesChanged();
  }
}

// ---------------------------------------------------------------------------------------------
// Work-area tabs (arrow keys move between them)

const workTabs = [...document.querySelectorAll('.work-tabs [role=tab]')];
function selectTab(id) {
  for (const t of workTabs) {
    const on = t.id === id;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
}
for (const t of workTabs) {
  t.addEventListener('click', () => selectTab(t.id));
  t.addEventListener('keydown', (e) => {
    const i = workTabs.indexOf(t);
    const j = e.key === 'ArrowRight' ? (i + 1) % workTabs.length : e.key === 'ArrowLeft' ? (i + workTabs.length - 1) % workTabs.length : -1;
    if (j >= 0) {
      e.preventDefault();
      selectTab(workTabs[j].id);
      workTabs[j].focus();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Find in every file

const findInput = $('find-all');
const findResults = $('find-results');
let findTimer = 0;
findInput.addEventListener('input', () => {
  clearTimeout(findTimer);
  findTimer = setTimeout(() => {
    const q = findInput.value.trim();
    editor.filter('');
    if (!q) {
      findResults.hidden = true;
      return;
    }
    const hits = editor.find(q);
    findResults.hidden = false;
    findResults.replaceChildren(...(hits.length
      ? hits.map((x) => h('li', {}, h('button.link', {
        type: 'button',
        dataset: { path: x.path, line: String(x.line) },
        onclick: () => editor.open(x.path, { line: x.line, column: x.column, select: q.length }),
      }, h('span.where', {}, `${x.path}:${x.line}`), h('span.snippet', {}, x.text.trim().slice(0, 60)))))
      : [h('li.muted', {}, '没有找到')]));
    findResults.dataset.query = q;
  }, 150);
});

// ---------------------------------------------------------------------------------------------
// Save and open

function bundleName() {
  const info = state.good?.info;
  return `${info?.name ?? 'ruleset'}-${info?.version ?? ''}-${(info?.fingerprint ?? '').slice(0, 8)}.json`;
}
$('download-bundle').addEventListener('click', () => {
  if (state.diagnostics.some((d) => d.severity === 'error') && !confirm('规则还有错误。仍要下载（指纹为上一次正确的规则）吗？')) return;
  const trouble = state.built ? ruleTrouble() : [];
  if (trouble.length && !confirm(`${trouble.join('；')}。\n这样的规则集交给同事或上线，会把这些信访件分错或无法分类。仍要下载吗？`)) return;
  const files = editor.files();
  const name = bundleName();
  download(name, `${JSON.stringify(makeBundle(files, state.good?.info), null, 2)}\n`, 'application/json');
  markDownloaded(files, name);
});
// The portal bundle: what `fenliu build` writes, for `new Fenliu({ bundle })` in a citizen's page.
$('download-portal').addEventListener('click', async () => {
  if (state.diagnostics.some((d) => d.severity === 'error')) {
    setStatus('规则还有错误：门户规则包只能由编译成功的规则生成。请先改正错误。', 'error');
    return;
  }
  const trouble = state.built ? ruleTrouble() : [];
  if (trouble.length && !confirm(`${trouble.join('；')}。\n这样的规则包上线，会把这些信访件分错或无法分类。仍要下载吗？`)) return;
  const out = await engine.call('portalBundle');
  if (!out.ok) {
    state.diagnostics = [...state.diagnostics.filter((d) => d.code !== 'bundle.not_compiled'), ...out.errors];
    refreshProblems();
    setStatus(`${out.errors.length} 条规则不能编入门户规则包（门户运行时不执行 Rhai）：${out.errors[0].message}`, 'error');
    return;
  }
  download(bundleName().replace(/\.json$/, '.fenliu'), out.bytes, 'application/octet-stream');
  setStatus(`已下载门户规则包（${Math.round(out.bytes.length / 1024)} KB）：在门户页面中用 new Fenliu({ bundle }) 加载，或 fenliu classify --rules 规则包.fenliu。`, 'ok');
});
$('download-file').addEventListener('click', () => {
  const path = editor.active;
  download(path.split('/').pop(), editor.content(path), 'text/plain;charset=utf-8');
});
$('download-changed').addEventListener('click', () => {
  const changed = editor.paths().filter((p) => state.original.files[p] !== editor.content(p));
  if (!changed.length) {
    setStatus('没有改动的文件。', 'info');
    return;
  }
  changed.forEach((p, i) => setTimeout(() => download(p.replaceAll('/', '_'), editor.content(p), 'text/plain;charset=utf-8'), i * 300));
});

async function openPicked(list) {
  $('more-menu').open = false;
  if (!list.length) return;
  let picked;
  try {
    picked = await readPicked(list);
  } catch (e) {
    setStatus(e.message, 'broken');
    return;
  }
  state.original = { source: 'opened', label: picked.label, files: picked.files };
  startWith(picked.files, state.original);
  saveEdits(state.original, picked.files);
}
$('open-files').addEventListener('change', (e) => openPicked(e.target.files));
$('open-folder').addEventListener('change', (e) => openPicked(e.target.files));
$('reset-rules').addEventListener('click', () => {
  $('more-menu').open = false;
  if (!confirm('放弃全部修改，回到打开时的规则集？')) return;
  startWith(state.original.files, state.original);
  saveEdits(state.original, state.original.files);
});

// ---------------------------------------------------------------------------------------------
// Layout

$('toggle-wide').addEventListener('click', () => {
  const wide = document.body.classList.toggle('wide');
  $('toggle-wide').setAttribute('aria-pressed', String(wide));
  $('toggle-wide').textContent = wide ? '显示编辑器' : '加宽试验区';
});

// ---------------------------------------------------------------------------------------------
// Start

/** Loads a ruleset into the editor; the original becomes the comparison baseline. */
async function startWith(files, original) {
  state.good = null;
  editor.setFiles(sortFiles(files), original.files);
  await setBaseline(original.files, original.source === 'default' ? '默认规则集（修改前）' : `${original.label}（修改前）`);
  edits++;
  await runCheck();
}

const restored = loadEdits();
if (restored) {
  state.original = restored.original;
  const when = restored.savedAt ? new Date(restored.savedAt).toLocaleString('zh-CN') : '';
  // The last download of the whole ruleset tells edits that were saved as a file from edits
  // that were not.
  const last = lastDownload();
  const since = last ? changedSinceDownload(last, restored.files) : null;
  const at = last ? new Date(last.at).toLocaleString('zh-CN') : '';
  const edits = `已恢复上次的规则修改（${restored.changedCount} 个文件，${when}）`;
  $('banner-text').textContent = since === 0
    ? `${edits}。这些修改已下载保存为“${last.name}”（${at}）。信访件不会保存，需要时请重新选择文件。`
    : last
      ? `${edits}。上次下载“${last.name}”（${at}）之后又改了 ${since} 个文件，还没有下载保存。信访件不会保存，需要时请重新选择文件。`
      : `已恢复上次没有下载保存的规则修改（${restored.changedCount} 个文件，${when}）。信访件不会保存，需要时请重新选择文件。`;
  $('banner').dataset.kind = since === 0 ? 'saved' : 'unsaved';
  $('banner').hidden = false;
}
$('banner-close').addEventListener('click', () => { $('banner').hidden = true; });
$('banner-discard').addEventListener('click', () => {
  $('banner').hidden = true;
  clearEdits();
  clearDownloaded();
  state.original = { source: 'default', label: '默认规则集', files: defaultFiles() };
  startWith(state.original.files, state.original);
});

engine.call('builtinInfo').then((info) => {
  state.builtin = info;
  if (state.good) renderInfo();
}).catch(() => {});

await startWith(restored ? restored.files : state.original.files, state.original);
if (restored) {
  // Open the first file that was edited, where the officer left off.
  const first = editor.paths().find((p) => state.original.files[p] !== editor.content(p));
  if (first) editor.open(first, { focus: false });
}
if (!state.good) document.body.dataset.state = 'ready';

// Open the first case so the page shows a verdict from the start.
if (state.good?.cases.length && !form.read().text) trySample(state.good.cases[0].name);

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register('./sw.js').catch(() => { /* the page works without it, just not offline */ });
}
