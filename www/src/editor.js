// The rule editor: CodeMirror 6, one editor view and one state per file (each file keeps its own
// undo history), a file list that works as vertical tabs, lint markers from the engine's
// diagnostics, and search in one file (Ctrl-F) or in every file (the box above the file list).
import { EditorState } from '@codemirror/state';
import {
  EditorView, crosshairCursor, drawSelection, dropCursor, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, keymap, lineNumbers, rectangularSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { LABELS } from './fields.js';
import { toml } from '@codemirror/legacy-modes/mode/toml';
import { rhai } from './rhai-mode.js';
import { groupOf, groupRank } from './ruleset-files.js';

// CodeMirror's own words (search panel, lint panel, folding) in Chinese.
const PHRASES = EditorState.phrases.of({
  Find: '查找', Replace: '替换', next: '下一个', previous: '上一个', all: '全部', 'match case': '区分大小写',
  regexp: '正则表达式', 'by word': '整词', replace: '替换', 'replace all': '全部替换', close: '关闭',
  'current match': '当前匹配', 'replaced $ matches': '已替换 $ 处', 'replaced match on line $': '已替换第 $ 行的匹配',
  'on line': '在第', 'Go to line': '跳转到行', go: '跳转', Diagnostics: '问题', 'No diagnostics': '没有问题',
  'Folded lines': '已折叠的行', 'Unfolded lines': '已展开的行', to: '到', 'folded code': '折叠的代码', unfold: '展开',
  'Fold line': '折叠', 'Unfold line': '展开', 'Control character': '控制字符', 'Selection deleted': '已删除所选内容',
  Completions: '补全', 'Completion list': '补全列表',
});

const rhaiLang = StreamLanguage.define(rhai);
const tomlLang = StreamLanguage.define(toml);

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '14px', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: '"Noto Sans Mono CJK SC", "Sarasa Mono SC", Consolas, "Microsoft YaHei Mono", monospace', lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: '#f4f6f8', color: '#4a5562', borderRight: '1px solid #d5dbe1' },
  '.cm-activeLine': { backgroundColor: '#eef4fb' },
  '.cm-activeLineGutter': { backgroundColor: '#dde8f5', color: '#1b2733' },
  '.cm-diagnostic-help': { display: 'block', marginTop: '4px', color: '#2f3b47' },
  '.cm-tooltip-lint': { maxWidth: '480px' },
  '.cm-lineNumbers .cm-gutterElement': { minWidth: '3ch' },
});

// What rules call on the petition `p.`: name, argument hint, what it does.
const METHODS = [
  ['has', 'has("词组")', '标题或正文命中这个词组（前有否定词的不算）'],
  ['count', 'count("词组")', '词组在标题和正文中命中的次数'],
  ['has_any', 'has_any(["词组", …])', '命中其中任何一个词组'],
  ['has_all', 'has_all(["词组", …])', '每个词组都命中'],
  ['in_title', 'in_title("词组")', '标题命中这个词组'],
  ['negated', 'negated("词组")', '词组命中了，但前有否定词'],
  ['known', 'known("字段")', '表单填写了这个字段'],
  ['has_flag', 'has_flag("标记")', '前面的阶段已加上这个标记'],
  ['has_number', 'has_number("数目")', '正文中有这类数目（金额、人数……）'],
];
// Calls whose string argument is not a keyword group.
const NOT_GROUPS = new Set(['has_flag', 'known', 'has_number', 'rule', 'contains', 'starts_with', 'ends_with', 'index_of', 'replace', 'split', 'sub_string', 'print', 'debug', 'throw', 'log']);
const VERDICT_LABELS = {
  category: '类别（前面阶段的结论）', route: '途径', accepted: '是否受理', separated: '诉访分离', score: '难度分', tier: '难度', level: '代办层级', flags: '标记',
};

/** Whether the end of `before` (a line up to the cursor) is inside a "…" string. */
function inString(before) {
  let inside = false;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === '\\') i++;
    else if (before[i] === '"') inside = !inside;
    else if (!inside && before[i] === '/' && before[i + 1] === '/') return false;
  }
  return inside;
}

/**
 * Completion in rule files, from `info()` = the package's description of the ruleset
 * ({groups, fields}) and the manifest's flags: keyword groups in a string passed to has, count,
 * has_any, … or to a helper function (`salient(p, "…")`), flags in has_flag, field paths in
 * known; the petition's fields and methods after `p.`, and sub-fields after `p.place.`.
 */
function rhaiCompletions(info) {
  return async (ctx) => {
    const d = await info?.();
    if (!d || ctx.aborted) return null;
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const word = /[A-Za-z0-9_]*$/.exec(before)[0];
    const from = ctx.pos - word.length;
    if (inString(before)) {
      const call = /([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?:[A-Za-z_][A-Za-z0-9_.]*\s*,\s*)?\[?\s*(?:"[^"]*"\s*,\s*)*"[A-Za-z0-9_]*$/.exec(before);
      if (!call) return null;
      const fn = call[1];
      let options;
      if (fn === 'has_flag') {
        options = Object.entries(d.flags ?? {}).map(([code, name]) => ({ label: code, detail: name, type: 'enum' }));
      } else if (fn === 'known') {
        options = d.fields.flatMap((f) => [f.name, ...f.fields.map((x) => `${f.name}.${x}`)])
          .map((path) => ({ label: path, detail: LABELS[path] ?? '', type: 'property' }));
      } else if (NOT_GROUPS.has(fn)) {
        return null;
      } else {
        options = d.groups.map((g) => ({
          label: g.id,
          detail: g.title ?? '',
          info: `词组 · ${g.words} 个词${g.location ? ` · ${g.location.file} 第 ${g.location.line} 行` : ''}`,
          type: 'constant',
        }));
      }
      return { from, options, validFor: /^[A-Za-z0-9_]*$/ };
    }
    const m = /(?:^|[^A-Za-z0-9_.])p\.(?:([A-Za-z_]+)\.)?[A-Za-z0-9_]*$/.exec(before);
    if (!m) return null;
    if (m[1]) {
      const field = d.fields.find((f) => f.name === m[1]);
      if (!field?.fields.length) return null;
      return {
        from,
        options: field.fields.map((x) => ({ label: x, detail: m[1] === 'verdict' ? VERDICT_LABELS[x] ?? '' : LABELS[`${m[1]}.${x}`] ?? '', type: 'property' })),
        validFor: /^[A-Za-z0-9_]*$/,
      };
    }
    return {
      from,
      options: [
        ...d.fields.map((f) => ({ label: f.name, detail: f.name === 'verdict' ? '前面阶段的结论' : LABELS[f.name] ?? '', type: f.fields.length ? 'namespace' : 'property' })),
        ...METHODS.map(([label, sig, info]) => ({ label, detail: sig, info, type: 'method' })),
      ],
      validFor: /^[A-Za-z0-9_]*$/,
    };
  };
}

function languageOf(path) {
  if (path.endsWith('.rhai')) return [rhaiLang];
  if (path.endsWith('.toml')) return [tomlLang];
  return [];
}

/** Offset of a 1-based line and 1-based UTF-16 column in `doc` (clamped to the document). */
export function offsetOf(doc, line, column) {
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  return l.from + Math.min(Math.max(0, column - 1), l.length);
}

/** A CodeMirror diagnostic for one of the engine's, marking the word at its position. */
function toCm(state, d) {
  const doc = state.doc;
  const pos = offsetOf(doc, d.location.line, d.location.column);
  const line = doc.lineAt(pos);
  const word = state.wordAt(pos);
  let from = pos;
  let to = pos;
  if (word) ({ from, to } = word);
  else if (pos < line.to) to = pos + 1;
  else if (pos > line.from) from = pos - 1;
  return {
    from,
    to,
    severity: d.severity === 'warning' ? 'warning' : 'error',
    source: d.code,
    message: `${d.message}${d.help ? `\n提示：${d.help}` : ''}`,
    renderMessage: () => {
      const box = document.createElement('div');
      const msg = document.createElement('span');
      msg.textContent = d.message;
      box.append(msg);
      if (d.help) {
        const help = document.createElement('span');
        help.className = 'cm-diagnostic-help';
        help.textContent = `提示：${d.help}`;
        box.append(help);
      }
      return box;
    },
  };
}

export class RuleEditor {
  /** path → EditorState (the open file's state lives in the view) */
  #states = new Map();
  #original = {};
  #diagnostics = new Map(); // path → engine diagnostics
  #view;
  #tabs;
  #title;
  #onChange;
  #onSave;
  #completions;
  active = null;

  constructor({ parent, tabs, title, onChange, onSave, completions }) {
    this.#completions = completions;
    this.#tabs = tabs;
    this.#title = title;
    this.#onChange = onChange;
    this.#onSave = onSave;
    // The editor lives in a shadow root: there CodeMirror adds its styles as constructed
    // stylesheets instead of <style> elements, which the page's strict Content-Security-Policy
    // (style-src 'self', no nonce on a static server) would block.
    const host = document.createElement('div');
    host.className = 'editor-host';
    parent.append(host);
    const root = host.attachShadow({ mode: 'open' });
    this.#view = new EditorView({ parent: root, root });
    this.#view.contentDOM.setAttribute('aria-label', '规则文件内容');
    tabs.addEventListener('keydown', (e) => this.#onTabKey(e));
    tabs.addEventListener('click', (e) => {
      const b = e.target.closest('[role=tab]');
      if (b) this.open(b.dataset.path);
    });
  }

  #extensions(path) {
    return [
      PHRASES,
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      foldGutter(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      bracketMatching(),
      closeBrackets(),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      search({ top: true }),
      lintGutter(),
      // Tab is not bound: Tab and Shift-Tab move the focus in and out of the editor.
      keymap.of([
        { key: 'Mod-s', preventDefault: true, run: () => { this.#onSave?.(); return true; } },
        ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap,
      ]),
      ...(path.endsWith('.rhai') ? [autocompletion({ override: [rhaiCompletions(this.#completions)], defaultKeymap: false, icons: false })] : []),
      theme,
      // Rule files hold long Chinese sentences (guidance, basis): wrapped, they read as prose.
      EditorView.lineWrapping,
      ...languageOf(path),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && this.active === path) {
          this.#renderTab(path);
          this.#onChange(path);
        }
      }),
    ];
  }

  /** Replaces every file (a new ruleset). `original` is what "modified" is measured against. */
  setFiles(files, original = files) {
    this.#states.clear();
    this.#original = original;
    this.#diagnostics.clear();
    for (const [path, content] of Object.entries(files)) {
      this.#states.set(path, EditorState.create({ doc: content, extensions: this.#extensions(path) }));
    }
    const first = this.#states.has(this.active) ? this.active : this.#states.keys().next().value;
    this.active = null;
    this.#renderTabs();
    this.open(first, { focus: false });
  }

  setOriginal(original) {
    this.#original = original;
    this.#renderTabs();
  }

  #stateOf(path) {
    return path === this.active ? this.#view.state : this.#states.get(path);
  }

  /** path → content of every file, as edited. */
  files() {
    const out = {};
    for (const path of this.#states.keys()) out[path] = this.#stateOf(path).doc.toString();
    return out;
  }

  paths() {
    return [...this.#states.keys()];
  }

  content(path) {
    return this.#stateOf(path)?.doc.toString();
  }

  /** Opens a file; with `line` (1-based) and `column`, puts the cursor there and scrolls to it. */
  open(path, { line, column = 1, focus = true, select } = {}) {
    if (!this.#states.has(path)) return false;
    if (this.active !== path) {
      if (this.active) this.#states.set(this.active, this.#view.state);
      this.active = path;
      this.#view.setState(this.#states.get(path));
      this.#title.textContent = path;
      this.#renderTabs();
    }
    if (line) {
      const anchor = offsetOf(this.#view.state.doc, line, column);
      const head = select ? Math.min(this.#view.state.doc.length, anchor + select) : anchor;
      this.#view.dispatch({ selection: { anchor, head }, effects: EditorView.scrollIntoView(anchor, { y: 'center' }) });
    }
    if (focus) this.#view.focus();
    return true;
  }

  /**
   * Appends `text` to the file at `path`, creating the file (with `header`) when the ruleset has
   * none; opens it at the new text. An edit like any other: it can be undone, and is checked and
   * saved.
   */
  append(path, text, header = '') {
    if (!this.#states.has(path)) {
      this.#states.set(path, EditorState.create({ doc: header, extensions: this.#extensions(path) }));
      // Keep the list order: the new file goes with its group.
      const order = [...this.#states.keys()].sort((a, b) => groupRank(a) - groupRank(b) || a.localeCompare(b));
      const states = new Map(order.map((p) => [p, this.#states.get(p)]));
      this.#states.clear();
      for (const [p, st] of states) this.#states.set(p, st);
      this.#renderTabs();
    }
    this.open(path, { focus: false });
    const doc = this.#view.state.doc;
    const sep = doc.length === 0 ? '' : doc.toString().endsWith('\n\n') ? '' : doc.toString().endsWith('\n') ? '\n' : '\n\n';
    const at = doc.length;
    this.#view.dispatch({
      changes: { from: at, insert: `${sep}${text}` },
      selection: { anchor: at + sep.length },
      effects: EditorView.scrollIntoView(at + sep.length, { y: 'start' }),
    });
  }

  /** Shows the engine's diagnostics (all files) as lint markers. */
  setDiagnostics(diagnostics) {
    this.#diagnostics.clear();
    for (const d of diagnostics) {
      if (!d.location || !this.#states.has(d.location.file)) continue;
      if (!this.#diagnostics.has(d.location.file)) this.#diagnostics.set(d.location.file, []);
      this.#diagnostics.get(d.location.file).push(d);
    }
    for (const path of this.#states.keys()) {
      const list = this.#diagnostics.get(path) ?? [];
      if (path === this.active) {
        this.#view.dispatch(setDiagnostics(this.#view.state, list.map((d) => toCm(this.#view.state, d))));
      } else {
        const s = this.#states.get(path);
        this.#states.set(path, s.update(setDiagnostics(s, list.map((d) => toCm(s, d)))).state);
      }
    }
    this.#renderTabs();
  }

  /** Every line of every file that contains `query`: {path, line, column, text}. */
  find(query, limit = 200) {
    const hits = [];
    if (!query) return hits;
    for (const path of this.#states.keys()) {
      const doc = this.#stateOf(path).doc;
      for (let n = 1; n <= doc.lines && hits.length < limit; n++) {
        const text = doc.line(n).text;
        const col = text.indexOf(query);
        if (col >= 0) hits.push({ path, line: n, column: col + 1, text });
      }
    }
    return hits;
  }

  // -- the file list --------------------------------------------------------------------------

  #tabId(path) {
    return `file-tab-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  #renderTabs() {
    const frag = document.createDocumentFragment();
    let group = null;
    for (const path of this.#states.keys()) {
      const g = groupOf(path);
      if (g !== group) {
        group = g;
        const h = document.createElement('div');
        h.className = 'file-group';
        h.setAttribute('role', 'presentation');
        h.textContent = g;
        frag.append(h);
      }
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'tab');
      b.id = this.#tabId(path);
      b.dataset.path = path;
      b.setAttribute('aria-controls', 'editor');
      frag.append(b);
    }
    this.#tabs.replaceChildren(frag);
    for (const path of this.#states.keys()) this.#renderTab(path);
  }

  #renderTab(path) {
    const b = this.#tabs.querySelector(`#${CSS.escape(this.#tabId(path))}`);
    if (!b) return;
    const selected = path === this.active;
    const modified = this.#original[path] !== this.content(path);
    const diags = this.#diagnostics.get(path) ?? [];
    const errors = diags.filter((d) => d.severity === 'error').length;
    const warnings = diags.length - errors;
    const short = path.includes('/') ? path.slice(path.indexOf('/') + 1) : path;
    b.setAttribute('aria-selected', String(selected));
    b.tabIndex = selected ? 0 : -1;
    b.classList.toggle('has-error', errors > 0);
    b.classList.toggle('has-warning', errors === 0 && warnings > 0);
    b.replaceChildren();
    const name = document.createElement('span');
    name.className = 'file-name';
    name.textContent = short;
    b.append(name);
    const notes = [];
    if (modified) {
      const m = document.createElement('span');
      m.className = 'file-modified';
      m.textContent = '已改';
      b.append(m);
      notes.push('已修改');
    }
    if (errors || warnings) {
      const c = document.createElement('span');
      c.className = errors ? 'file-errors' : 'file-warnings';
      c.textContent = String(errors || warnings);
      b.append(c);
      notes.push(errors ? `${errors} 个错误` : `${warnings} 个警告`);
    }
    b.setAttribute('aria-label', `${groupOf(path)} ${short}${notes.length ? `（${notes.join('，')}）` : ''}`);
    b.title = path;
  }

  #onTabKey(e) {
    const tabs = [...this.#tabs.querySelectorAll('[role=tab]:not([hidden])')];
    const i = tabs.indexOf(document.activeElement);
    let next = null;
    if (e.key === 'ArrowDown') next = tabs[Math.min(tabs.length - 1, i + 1)];
    else if (e.key === 'ArrowUp') next = tabs[Math.max(0, i - 1)];
    else if (e.key === 'Home') next = tabs[0];
    else if (e.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      e.preventDefault();
      this.open(next.dataset.path, { focus: false });
      this.#tabs.querySelector(`#${CSS.escape(this.#tabId(next.dataset.path))}`)?.focus();
    }
  }

  /** Shows only the files whose path contains `text`. */
  filter(text) {
    for (const b of this.#tabs.querySelectorAll('[role=tab]')) b.hidden = Boolean(text) && !b.dataset.path.includes(text);
  }

  focus() {
    this.#view.focus();
  }

  get view() {
    return this.#view;
  }
}
