// The workbench page: wires the rule editor, the engine worker, the "试一件" form, the cases and
// the batch together. State in one place:
//   original  – the ruleset as opened (default or a file the officer opened); "已改" is
//               measured against it and it is the first comparison baseline;
//   good      – the last edit that built: everything on the page uses it while an edit is broken;
//   baseline  – "before the edit" for the comparisons (the original, or what the officer set).
import { parse as parseToml } from 'smol-toml';
import { RuleEditor } from './editor.js';
import { EngineClient } from './engine-client.js';
import { PetitionForm } from './petition-form.js';
import { names, renderVerdict } from './verdict-view.js';
import { renderReport } from './tests-view.js';
import { BatchView } from './batch-view.js';
import { h } from './dom.js';
import {
  clearEdits, defaultFiles, download, loadEdits, makeBundle, readPicked, saveEdits, sortFiles,
} from './ruleset-files.js';

const $ = (id) => document.getElementById(id);

/** The local calendar date, YYYY-MM-DD (what an officer calls "today"). */
function localDate(d = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const state = {
  original: { source: 'default', label: '默认规则集', files: defaultFiles() },
  good: null, // {files, info, cases, report}
  baseline: null, // {files, fingerprint, label}
  diagnostics: [],
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
});

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
  $('verdict-stale').hidden = res.built || !state.good;
  editor.setDiagnostics(res.diagnostics);
  renderProblems(res.diagnostics);
  if (res.built) applyGood(files, res);
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
    return h(`li.${d.severity}`, { dataset: { file: d.location?.file ?? '', line: String(d.location?.line ?? '') } },
      h('button.link', {
        type: 'button',
        onclick: () => d.location && editor.open(d.location.file, { line: d.location.line, column: d.location.column }),
      }, h('span.sev', {}, d.severity === 'error' ? '错误' : '警告'), ` ${where}：`),
      h('span', {}, d.message),
      d.help ? h('div.help', {}, `提示：${d.help}`) : null);
  }));
}

function setStatus(text, kind) {
  const el = $('status');
  el.textContent = text;
  el.dataset.state = kind;
}

function renderStatus() {
  const errors = state.diagnostics.filter((d) => d.severity === 'error');
  const fp = state.good ? state.good.info.fingerprint.slice(0, 12) : '';
  if (errors.length) {
    setStatus(state.good
      ? `规则有 ${errors.length} 个错误。页面仍在使用上一次正确的规则（指纹 ${fp}）。`
      : `规则有 ${errors.length} 个错误，无法建成规则集。`, 'broken');
  } else if (state.good) {
    const r = state.good.report;
    const cases = r?.ok ? (r.failed ? `，${r.failed} 个案例未通过` : `，${r.passed} 个案例全部通过`) : '';
    setStatus(`规则正确，已生效（指纹 ${fp}${cases}）。`, r?.ok && r.failed ? 'warn' : 'ok');
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
$('today').value = localDate();
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
    return;
  }
  if (!state.good) return;
  const token = ++tryToken;
  root.setAttribute('aria-busy', 'true');
  let result;
  try {
    result = await engine.call('classify', [petition, $('today').value || localDate()]);
  } catch (e) {
    result = { current: { ok: false, errors: [{ message: e.message, help: '' }] }, baseline: null };
  }
  if (token !== tryToken) return;
  root.setAttribute('aria-busy', 'false');
  if (!result) return;
  renderVerdict(root, result, petition, { onRule: openRule });
  root.dataset.route = result.current.ok ? result.current.verdict.route.code : 'error';
  root.dataset.fingerprint = state.good.info.fingerprint;
  if (document.body.dataset.state !== 'ready') document.body.dataset.state = 'ready';
}

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
  download(bundleName(), `${JSON.stringify(makeBundle(editor.files(), state.good?.info), null, 2)}\n`, 'application/json');
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
  $('banner-text').textContent = `已恢复上次没有下载保存的规则修改（${restored.changedCount} 个文件，${when}）。信访件不会保存，需要时请重新选择文件。`;
  $('banner').hidden = false;
}
$('banner-close').addEventListener('click', () => { $('banner').hidden = true; });
$('banner-discard').addEventListener('click', () => {
  $('banner').hidden = true;
  clearEdits();
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
