// Reading a batch of petitions from a file: JSONL (one petition object a line, as the CLI reads
// them), a JSON array, or CSV with a header row (a portal's or a spreadsheet's export). Runs in
// the batch worker. Nothing here leaves the browser.
import Papa from 'papaparse';

/** Decodes a file's bytes: UTF-8, or GB18030 (what Excel on a Chinese PC saves CSV as). */
export function decode(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

// CSV headers, English (the petition contract's field paths) or the Chinese a portal export uses.
const ALIASES = {
  id: ['id', '编号', '留言编号', '序号', '信访件编号'],
  title: ['title', '标题', '留言主题', '主题', '事项标题'],
  text: ['text', '内容', '诉求内容', '留言详情', '留言内容', '正文', '主要诉求'],
  submitted_at: ['submitted_at', '提交日期', '提交时间', '留言时间', '登记日期', '来信日期'],
  channel: ['channel', '渠道', '来源'],
  category: ['category', '类别'],
  topic: ['topic', '分类', '话题', '门户分类'],
  'place.county': ['place.county', '县', '县（区）', '区县'],
  'place.town': ['place.town', '镇', '镇（街道）', '乡镇街道'],
  'place.village': ['place.village', '村', '村（社区）', '村社区'],
  petitioners: ['petitioners', '信访人数'],
  people_involved: ['people_involved', '涉及人数'],
  anonymous: ['anonymous', '匿名'],
  bodies: ['bodies', '涉及部门'],
};
// Every other field of the petition contract (js/types.d.ts), by its JSON path.
const KNOWN = new Set([
  'history.prior_count', 'history.first_raised_at', 'history.highest_level', 'history.national_visits',
  'history.assigned_from_above', 'history.stage', 'legal.court', 'legal.arbitration', 'legal.reconsideration',
  'legal.police', 'cross.region', 'cross.department', 'cross.industry', 'cross.separation',
]);
const NUMBERS = new Set(['petitioners', 'people_involved', 'history.prior_count', 'history.national_visits', 'history.assigned_from_above']);
const BOOLEANS = new Set(['anonymous', 'cross.region', 'cross.department', 'cross.industry']);

function fieldOf(header) {
  const h = header.trim();
  for (const [field, names] of Object.entries(ALIASES)) if (names.includes(h) || names.includes(h.toLowerCase())) return field;
  return KNOWN.has(h) ? h : null;
}

function cell(field, raw) {
  const v = raw.trim();
  if (v === '') return undefined;
  if (NUMBERS.has(field) && /^\d+$/.test(v)) return Number(v);
  if (BOOLEANS.has(field)) {
    if (/^(true|是|1|y|yes)$/i.test(v)) return true;
    if (/^(false|否|0|n|no)$/i.test(v)) return false;
  }
  if (field === 'bodies') return v.split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean);
  return v;
}

function set(obj, path, value) {
  const [a, b] = path.split('.');
  if (b === undefined) obj[a] = value;
  else (obj[a] ??= {})[b] = value;
}

// Label columns of a labelled file (an evaluation set): the expected verdict, not petition
// fields. In a file with a route column, 类别/category is the expected category too.
const LABEL_ALIASES = {
  route: ['route', '途径', '法定途径', '标注途径'],
  category: ['category', '类别', '标注类别'],
  tier: ['tier', '难度', '化解难度', '标注难度'],
  level: ['level', '代办层级', '代办', '标注代办层级'],
  flags: ['flags', '标记', '标注标记'],
  split: ['split', '划分', '数据集'],
};
const LABEL_KEYS = new Set(['route', 'category', 'tier', 'level', 'flags', 'split', 'conf', 'why', 'a', 'b', 'settled', 'source', 'draw', 'set']);
// What a portal form sends; a label line may carry more (the government's reply, notes).
const PETITION_KEYS = new Set(['id', 'title', 'text', 'submitted_at', 'topic', 'channel', 'place', 'petitioners', 'people_involved', 'anonymous', 'history', 'legal', 'bodies', 'cross']);

function labelFieldOf(header) {
  const h = header.trim();
  for (const [field, names] of Object.entries(LABEL_ALIASES)) if (names.includes(h) || names.includes(h.toLowerCase())) return field;
  return null;
}

/** Splits a labelled JSON object into the label and the petition a portal would send. */
function splitLabel(o) {
  const labelObj = {};
  const petition = {};
  for (const [k, v] of Object.entries(o)) {
    if (LABEL_KEYS.has(k)) labelObj[k] = v;
    else if (PETITION_KEYS.has(k)) petition[k] = v;
  }
  labelObj.id = o.id == null ? undefined : String(o.id);
  return { label: labelObj, petition };
}

const label = (p, n) => String(p.title || p.text || '').slice(0, 40) || `第 ${n} 件`;

/**
 * Parses a batch. Returns `{petitions: string[] (JSON), rows: {id, title}[], problems:
 * {line, message}[], format, columns?, labels}`; a line that cannot be read is skipped and
 * reported. `labels` is null for a plain batch; for a labelled file (lines with `route`, or a
 * 途径 column) it holds each petition's label object, and the petitions carry only what a
 * portal form sends. `texts` (id → {title, text, submitted_at, topic}) fills in petitions whose
 * label line carries no text: a corpus that stores labels only, joined with its texts file.
 */
export function parseBatch(text, name = '', texts = null) {
  const problems = [];
  const petitions = [];
  const rows = [];
  let labels = null;
  const add = (p, json, n, labelObj) => {
    if (labelObj) {
      labels ??= [];
      while (labels.length < petitions.length) labels.push(null); // unlabelled lines before the first label
      if (p.text == null && texts && labelObj.id != null) Object.assign(p, texts.get(String(labelObj.id)) ?? {});
      labels.push({ ...labelObj, id: p.id == null ? String(n) : String(p.id) });
      json = null;
    } else if (labels) {
      labels.push(null);
    }
    petitions.push(json ?? JSON.stringify(p));
    rows.push({ id: p.id == null ? String(n) : String(p.id), title: label(p, n) });
  };
  const head = text.trimStart()[0];
  if (/\.csv$/i.test(name) || (head !== '{' && head !== '[')) {
    const parsed = Papa.parse(text, { header: true, skipEmptyLines: 'greedy' });
    const fields = parsed.meta.fields ?? [];
    const labelled = fields.some((f) => labelFieldOf(f) === 'route');
    const labelMap = fields.map((f) => (labelled ? labelFieldOf(f) : null));
    const map = fields.map((f, k) => (labelMap[k] ? null : fieldOf(f)));
    if (!map.includes('text') && !(labelled && texts && map.includes('id'))) {
      problems.push({ line: 1, message: `CSV 表头中没有诉求内容列（text、内容、诉求内容或留言详情），表头是：${fields.join('、')}` });
      return { petitions, rows, problems, format: 'csv', columns: fields };
    }
    for (const e of parsed.errors.slice(0, 20)) problems.push({ line: (e.row ?? 0) + 2, message: `CSV 第 ${(e.row ?? 0) + 2} 行：${e.message}` });
    parsed.data.forEach((r, i) => {
      const p = {};
      const l = labelled ? {} : null;
      fields.forEach((f, k) => {
        if (typeof r[f] !== 'string') return;
        if (labelMap[k]) {
          const v = r[f].trim();
          // An empty flags cell says "no flags"; other empty cells say nothing.
          if (labelMap[k] === 'flags') l.flags = v.split(/[、,，;；\s]+/).filter(Boolean);
          else if (v) l[labelMap[k]] = v;
          return;
        }
        if (!map[k]) return;
        const v = cell(map[k], r[f]);
        if (v !== undefined) set(p, map[k], v);
      });
      if (l) l.id = p.id;
      add(p, null, i + 1, l);
    });
    return { petitions, rows, problems, format: 'csv', columns: fields, ignored: fields.filter((f, k) => !map[k] && !labelMap[k]), labels };
  }
  if (head === '[') {
    let arr;
    try {
      arr = JSON.parse(text);
    } catch (e) {
      problems.push({ line: 1, message: `JSON 数组无法读取：${e.message}` });
      return { petitions, rows, problems, format: 'json' };
    }
    arr.forEach((p, i) => {
      if (p && typeof p === 'object' && !Array.isArray(p)) {
        if ('route' in p) {
          const { label: l, petition } = splitLabel(p);
          add(petition, null, i + 1, l);
        } else add(p, null, i + 1);
      } else problems.push({ line: i + 1, message: `第 ${i + 1} 项不是信访件对象` });
    });
    return { petitions, rows, problems, format: 'json', labels };
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const l = line.trim();
    if (!l) return;
    try {
      const p = JSON.parse(l);
      if (p && typeof p === 'object' && !Array.isArray(p)) {
        if ('route' in p) {
          const { label: lab, petition } = splitLabel(p);
          add(petition, null, i + 1, lab);
        } else add(p, l, i + 1);
      } else problems.push({ line: i + 1, message: `第 ${i + 1} 行不是信访件对象` });
    } catch (e) {
      problems.push({ line: i + 1, message: `第 ${i + 1} 行不是有效的 JSON：${e.message}` });
    }
  });
  return { petitions, rows, problems, format: 'jsonl', labels };
}

/**
 * Texts for a labels-only file, from the other files chosen with it: id → the fields a portal
 * form sends (never a reply).
 */
export function textsOf(fileTexts) {
  const texts = new Map();
  for (const { text, name } of fileTexts) {
    const parsed = parseBatch(text, name);
    parsed.petitions.forEach((json) => {
      const o = JSON.parse(json);
      if (o.id == null || o.text == null) return;
      const p = {};
      for (const k of ['title', 'text', 'submitted_at', 'topic']) if (o[k] != null && o[k] !== '') p[k] = o[k];
      if (!texts.has(String(o.id))) texts.set(String(o.id), p);
    });
  }
  return texts;
}
