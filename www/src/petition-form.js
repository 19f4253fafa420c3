// The "试一件" form: built from FIELDS, read into a petition object and filled from one (a case
// of the ruleset, or a petition of the batch). Fields the form has no control for are kept
// as they came and sent along, and the page says which they are.
import { CHOICES, FIELDS, GROUPS } from './fields.js';

const idOf = (path) => `p-${path.replace('.', '-')}`;

function control(path, label, kind) {
  const wrap = document.createElement('div');
  wrap.className = `field field-${kind}`;
  const l = document.createElement('label');
  l.htmlFor = idOf(path);
  l.textContent = label;
  let input;
  if (kind === 'textarea') {
    input = document.createElement('textarea');
    input.rows = 3;
  } else if (CHOICES[kind]) {
    input = document.createElement('select');
    const none = new Option('未填', '');
    input.append(none, ...CHOICES[kind].map(([v, name]) => new Option(name, v)));
  } else {
    input = document.createElement('input');
    input.type = kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'text';
    if (kind === 'number') input.min = '0';
  }
  input.id = idOf(path);
  input.name = path;
  input.dataset.kind = kind;
  wrap.append(l, input);
  return wrap;
}

export class PetitionForm {
  #form;
  #extra = {};
  #note;

  /** Builds the controls into `box`; `extra` (e.g. the judging date) joins the main grid. */
  constructor(form, box, note, extra = []) {
    this.#form = form;
    this.#note = note;
    const main = document.createElement('div');
    main.className = 'form-main';
    const groups = {};
    for (const [path, label, kind, group] of FIELDS) {
      const c = control(path, label, kind);
      if (group === 'main') {
        main.append(c);
        continue;
      }
      if (!groups[group]) {
        const d = document.createElement('details');
        d.className = 'form-group';
        const s = document.createElement('summary');
        s.textContent = GROUPS[group];
        const body = document.createElement('div');
        body.className = 'form-grid';
        d.append(s, body);
        groups[group] = d;
      }
      groups[group].lastChild.append(c);
    }
    main.append(...extra);
    const more = document.createElement('div');
    more.className = 'form-groups';
    more.append(...Object.values(groups));
    box.append(main, more);
  }

  /** The petition the form describes (absent fields left out). */
  read() {
    const p = structuredClone(this.#extra);
    for (const [path, , kind] of FIELDS) {
      const el = this.#form.elements.namedItem(path);
      const raw = el.value.trim();
      if (raw === '') continue;
      let v = raw;
      if (kind === 'number') v = Number(raw);
      else if (kind === 'yesno') v = raw === 'true';
      else if (kind === 'list') v = raw.split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean);
      const [a, b] = path.split('.');
      if (b === undefined) p[a] = v;
      else {
        if (typeof p[a] !== 'object' || p[a] === null) p[a] = {};
        p[a][b] = v;
      }
    }
    if (p.text === undefined) p.text = '';
    return p;
  }

  /** Fills the form from a petition; opens the groups that have a value. */
  fill(petition) {
    const rest = structuredClone(petition ?? {});
    for (const [path, , kind, group] of FIELDS) {
      const el = this.#form.elements.namedItem(path);
      const [a, b] = path.split('.');
      let v = b === undefined ? rest[a] : rest[a]?.[b];
      if (b === undefined) delete rest[a];
      else if (rest[a] && typeof rest[a] === 'object') delete rest[a][b];
      if (v === undefined || v === null) v = '';
      else if (kind === 'list' && Array.isArray(v)) v = v.join('、');
      else if (kind === 'date') v = String(v).slice(0, 10);
      el.value = String(v);
      if (v !== '' && group !== 'main') el.closest('details').open = true;
    }
    for (const k of Object.keys(rest)) {
      if (rest[k] && typeof rest[k] === 'object' && !Array.isArray(rest[k]) && Object.keys(rest[k]).length === 0) delete rest[k];
    }
    this.#extra = rest;
    const keys = Object.keys(rest);
    this.#note.hidden = keys.length === 0;
    this.#note.textContent = keys.length ? `另含表单中没有的字段，按原样一并分类：${keys.join('、')}` : '';
  }

  clear() {
    this.fill({});
  }
}
