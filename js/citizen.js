// What a citizen reads: the pre-screen, not the office's file.
//
// A verdict is written for the 信访 office (difficulty tier, delegation level, the office's own
// deadlines, rule evidence). `citizenView` picks and words what concerns the person filling in
// the form: the emergency lines first when a life may be at risk, the suggested channel and why,
// what to prepare, the time limits that concern them, and a plain note that this is a suggestion
// and that the receiving office decides. Nothing here reads as a decision to accept or refuse.
//
// Plain functions of plain data, no wasm: they work with the main-thread API and with
// `fenliu/worker` alike. This file is kept to syntax every supported browser parses (checked by
// `npm run check:syntax`).

/** Largest `text` the engine reads, in characters (Unicode code points); `MAX_TEXT_CHARS` in src/petition.rs. */
export const MAX_TEXT_CHARS = 20000;

/** The one sentence a portal shows when the pre-screen cannot run in this browser. */
export const PRESCREEN_UNAVAILABLE = '此浏览器暂时无法使用预审参考，不影响您填写和提交诉求。';

/**
 * The emergency lines shown first when a verdict carries the `urgent` flag (TAXONOMY.md §5):
 * 110 / 119 / 120, which the 2025 national rule for 12345 hotlines sends emergencies to, and
 * 12356, the national psychological assistance line (nationwide since 2025).
 */
export const EMERGENCY_LINES = Object.freeze([
  Object.freeze({ number: '110', name: '报警电话', use: '人身安全受到威胁、遭遇暴力、孩子走失' }),
  Object.freeze({ number: '119', name: '消防救援', use: '着火、燃气泄漏、房屋垮塌等险情' }),
  Object.freeze({ number: '120', name: '急救电话', use: '受伤、误服药物、自伤等需要急救' }),
  Object.freeze({ number: '12356', name: '全国统一心理援助热线', use: '心里难受、想不开时，有专业人员倾听和帮助' }),
]);

/** The emergency notice of a verdict with the `urgent` flag. */
export const EMERGENCY = Object.freeze({
  title: '如果有人正面临危险，请先拨打紧急电话',
  message: '您写到的情况可能危及生命安全。网上留言不能及时处理紧急情况，请立即拨打下面的电话；拨打之后，您仍可继续填写和提交诉求。',
  lines: EMERGENCY_LINES,
});

/**
 * Deadline keys of the default ruleset that concern the citizen: when they will hear whether
 * the matter is taken up, and when it should be handled. Office-internal limits (`transfer`,
 * `transfer_objection`) are left out.
 */
export const CITIZEN_DEADLINES = Object.freeze([
  'accept_notice', 'first_feedback', 'meet_petitioner', 'handle', 'handle_extended', 'labour_inspection', 'review_decision', 'recheck_decision',
]);

/** The plain note under every pre-screen. */
export const SUGGESTION_NOTE = '以上是根据您填写的内容自动给出的预审建议，仅供参考，不是受理决定。是否受理、由哪个机关办理，由收到您诉求的机关依法审查后决定。';

/**
 * Fits a petition to what the engine reads: a `text` longer than `MAX_TEXT_CHARS` characters
 * is cut to its first `MAX_TEXT_CHARS` (never inside a character), and `truncated` says so.
 * The caller keeps the full text (e.g. in the form) and shows the notice `citizenView` writes.
 * @param {import('./index.js').Petition} petition
 */
export function fitPetition(petition) {
  const text = petition && typeof petition.text === 'string' ? petition.text : null;
  // A string is at most this many code points when its UTF-16 length is within the limit.
  if (text === null || text.length <= MAX_TEXT_CHARS) return { petition, truncated: null };
  let read = 0;
  let end = 0;
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    total++;
    if (total <= MAX_TEXT_CHARS) {
      read = total;
      end = i + 1;
    }
  }
  if (total <= MAX_TEXT_CHARS) return { petition, truncated: null };
  return { petition: Object.assign({}, petition, { text: text.slice(0, end) }), truncated: { total, read } };
}

/** The Chinese notice for a cut text. */
export function truncationNotice(truncated) {
  return {
    code: 'text.truncated',
    message: `诉求内容共 ${truncated.total} 字，预审只读取了前 ${truncated.read} 字。您填写的内容都已保留，没有删除。`,
  };
}

function dayText(d) {
  return `${d.days} ${d.working_days ? '个工作日' : '日'}`;
}

/** The group names in the route's evidence (`正文含「拖欠、不支付」` → `拖欠、不支付`). */
function evidenceWords(route) {
  const words = [];
  for (const e of route.evidence || []) {
    if (!(e.weight > 0) || !/^(text|title):/.test(e.feature)) continue;
    const m = /「(.+)」/.exec(e.label);
    if (m && !words.includes(m[1])) words.push(m[1]);
    if (words.length === 3) break;
  }
  return words;
}

/**
 * The citizen's view of a verdict.
 * @param {import('./index.js').Verdict} verdict
 * @param {{ truncated?: { total: number, read: number } | null, deadlines?: readonly string[] }} [options]
 * @returns {import('./index.js').CitizenView}
 */
export function citizenView(verdict, options) {
  const opts = options || {};
  const route = verdict.route;
  const words = evidenceWords(route);

  const channel = {
    code: route.code,
    name: route.name,
    handler: route.handler,
    statutory: !route.accepted,
    summary: route.accepted
      ? `这类诉求通常作为信访事项，由${route.handler}办理。`
      : `这类诉求通常有专门的法定途径${verdict.separated ? '（诉讼、仲裁等）' : ''}，建议按下面的指引向${route.handler}提出，办理更有保障。`,
    why: words.length ? `因为您的诉求提到「${words.join('」「')}」等内容。` : '',
    basis: route.basis.slice(),
  };
  const keys = opts.deadlines || CITIZEN_DEADLINES;
  const timeLimits = Object.keys(verdict.deadlines)
    .filter((k) => keys.includes(k))
    .map((k) => {
      const d = verdict.deadlines[k];
      return { key: k, name: d.name, date: d.date, days: d.days, working_days: d.working_days, text: `${d.name}：${d.date} 前（${dayText(d)}内）` };
    })
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const notices = [];
  if (opts.truncated) notices.push(truncationNotice(opts.truncated));
  return {
    emergency: verdict.flags.includes('urgent') ? EMERGENCY : null,
    status: verdict.status,
    missing: (verdict.missing || []).slice(),
    question: verdict.question || null,
    channel,
    prepare: route.guidance,
    timeLimits,
    timeLimitsNote: timeLimits.length ? '以上日期按今天提交估算，实际从机关登记收到您诉求之日起算。' : '',
    note: SUGGESTION_NOTE,
    notices,
  };
}

/**
 * Fits the petition, classifies it briefly (as you type) with a `Fenliu` or a `FenliuWorker`,
 * and returns the citizen's view: `{ ok: true, view, verdict }` or `{ ok: false, errors }`.
 * A `FenliuWorker` rejects when the worker itself fails (e.g. `worker.timeout`).
 * @param {{ classify(p: any, o?: any): any }} fenliu
 * @param {import('./index.js').Petition} petition
 * @param {import('./index.js').ClassifyOptions} [options]
 */
export async function prescreen(fenliu, petition, options) {
  const fitted = fitPetition(petition);
  const result = await fenliu.classify(fitted.petition, Object.assign({ brief: true }, options));
  if (!result.ok) return result;
  return { ok: true, view: citizenView(result.verdict, { truncated: fitted.truncated }), verdict: result.verdict };
}

// A tiny module whose one function takes an `externref`: it validates only where WebAssembly
// reference types are supported (Chromium 96+, Safari 15+, Firefox 79+), which the engine needs.
const REFERENCE_TYPES_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 1, 111, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 11]);

/**
 * Whether the pre-screen can run in this browser, without loading the engine:
 * `{ ok: true }` or `{ ok: false, reason, message }` with `reason` one of `no_wasm`
 * (WebAssembly missing or switched off) or `no_reference_types` (a browser older than the
 * engine needs, e.g. Chromium before 96). `message` is
 * `PRESCREEN_UNAVAILABLE`. A WebAssembly blocked by the page's CSP shows only when loading
 * (`engine.load`); show the same sentence then.
 */
export function prescreenSupport() {
  const no = (reason) => ({ ok: false, reason, message: PRESCREEN_UNAVAILABLE });
  const wasm = typeof WebAssembly === 'object' && WebAssembly !== null ? WebAssembly : null;
  if (!wasm || typeof wasm.validate !== 'function' || typeof wasm.instantiate !== 'function') return no('no_wasm');
  try {
    if (!wasm.validate(REFERENCE_TYPES_PROBE)) return no('no_reference_types');
  } catch (e) {
    return no('no_reference_types');
  }
  return { ok: true };
}
