// Reading a batch of petitions from a file: JSONL (one petition object a line, as the CLI reads
// them), a JSON array, or CSV with a header row (a portal's or a spreadsheet's export). Runs in
// the batch worker. Nothing here leaves the browser.
import Papa from 'papaparse';
import { parse as parseJsonc } from 'jsonc-parser';

// -- parse errors, in Chinese with their line ------------------------------------------------

/** 1-based line and column (UTF-16 units) of `offset` in `text`. */
export function lineColumn(text, offset) {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

// jsonc-parser's error codes (ParseErrorCode), said for a person.
const JSON_ERRORS = {
  1: '这里有不应出现的字符', 2: '数字写法不对', 3: '这里应是用双引号括起的字段名', 4: '这里缺少值（多了一个逗号，或少写了内容）',
  5: '字段名后缺少冒号', 6: '这里缺少逗号', 7: '缺少右花括号 }', 8: '缺少右方括号 ]', 9: '内容结束后还有多余的文字',
  10: 'JSON 中不能写注释', 11: '注释没有结束', 12: '字符串缺少结束的双引号', 13: '数字不完整', 14: '\\u 转义的写法不对',
  15: '反斜杠转义的写法不对', 16: '字符串中有不能直接出现的字符（如换行）',
};

/**
 * Why `text` is not JSON, in Chinese, with where: `{offset, message}`. JSON.parse says it in
 * English and, for some errors, without a position; jsonc-parser (strict: no comments, no
 * trailing commas) finds the first error and its offset.
 */
export function jsonError(text) {
  const errors = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const e = errors[0];
  if (!e) return { offset: 0, message: text.trim() ? 'JSON 格式不对' : '内容为空' };
  if (e.error === 4 && e.offset >= text.trimEnd().length) return { offset: e.offset, message: '内容不完整，在这里意外结束' };
  return { offset: e.offset, message: JSON_ERRORS[e.error] ?? 'JSON 格式不对' };
}

/** Papa Parse's error, said in Chinese (its own message is English). */
function csvMessage(e) {
  const [, expected, parsed] = /expected (\d+) fields but parsed (\d+)/.exec(e.message ?? '') ?? [];
  switch (e.code) {
    case 'TooFewFields': return `只有 ${parsed ?? '较少的'} 列，比表头少（表头有 ${expected ?? '更多'} 列）：缺的列按空白处理`;
    case 'TooManyFields': return `有 ${parsed ?? '较多的'} 列，比表头多（表头有 ${expected ?? '较少'} 列）：内容中的逗号可能没有用双引号括起来，多出的列已忽略`;
    case 'MissingQuotes': return '以双引号开始的内容没有结束的双引号：这一行之后的内容都被当成了这一格';
    case 'InvalidQuotes': return '双引号括起的内容后面紧跟着其他字符：内容中的双引号要写成两个（""）';
    case 'UndetectableDelimiter': return '找不到分隔符，按逗号读取：请确认文件是逗号分隔的 CSV';
    default: return 'CSV 格式不对';
  }
}

/**
 * The CSV problems with their file line: Papa Parse numbers data rows (a quoted cell may span
 * lines), so the line comes from the error's offset, or from where that row starts.
 */
function csvProblems(text, errors) {
  let rowStarts = null; // offset of each row, header first
  const startOf = (row) => {
    if (!rowStarts) {
      rowStarts = [0];
      Papa.parse(text, { step: (r) => { rowStarts.push(r.meta.cursor); } });
    }
    // The cursor after a row stands on its line break: the next row starts past it.
    const at = rowStarts[row + 1] ?? 0;
    return text[at] === '\r' ? at + 2 : text[at] === '\n' ? at + 1 : at;
  };
  return errors.map((e) => {
    const offset = Number.isInteger(e.index) ? e.index : Number.isInteger(e.row) ? startOf(e.row) : 0;
    const { line } = lineColumn(text, offset);
    return { line, message: `CSV 第 ${line} 行：${csvMessage(e)}` };
  }).sort((a, b) => a.line - b.line);
}

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
    problems.push(...csvProblems(text, parsed.errors.slice(0, 50)));
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
    } catch {
      const e = jsonError(text);
      const { line, column } = lineColumn(text, e.offset);
      problems.push({ line, message: `JSON 数组无法读取：第 ${line} 行第 ${column} 列：${e.message}` });
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
    } catch {
      const e = jsonError(line);
      problems.push({ line: i + 1, message: `第 ${i + 1} 行不是有效的 JSON：第 ${lineColumn(line, e.offset).column} 列：${e.message}` });
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
