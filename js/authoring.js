// Entry for the authoring build in browsers and bundlers (`fenliu/authoring`): the portal API plus the
// rule compiler: `new Fenliu({ ruleset: files })`, checkRuleset, describeRuleset, cases, and
// `fenliu.bundle()` to write a portal bundle. About four times the portal runtime's size: for the
// workbench and tools, not for a citizen's page. The .wasm file is found next to the glue with
// `new URL(…, import.meta.url)`; the default ruleset's files are inside it.
import initWasm, * as wasm from '../dist/authoring/fenliu.js';
import { bind, dateInChina, FenliuError, localDate } from './core.js';

let ready = null;
let loaded = false;

/**
 * Loads and instantiates the wasm module once. Optional: `Fenliu.create` calls it. Pass a URL,
 * Response, BufferSource or WebAssembly.Module to load the .wasm from elsewhere.
 */
export function init(input) {
  ready ??= initWasm(input === undefined ? undefined : { module_or_path: input }).then(() => {
    loaded = true;
  }, (e) => {
    ready = null;
    throw new FenliuError([{ code: 'engine.load', severity: 'error', message: `无法加载 fenliu_bg.wasm：${e?.message ?? e}`, help: '检查 .wasm 文件是否随页面发布、服务器是否以 application/wasm 类型返回它，以及 CSP 是否允许 \'wasm-unsafe-eval\'。' }]);
  });
  return ready;
}

const api = bind(() => (loaded ? wasm : undefined));
api.Fenliu.init = () => init();

export const { Fenliu, checkRuleset, describeRuleset } = api;
export { dateInChina, FenliuError, localDate };
export { citizenView, fitPetition, prescreen, prescreenSupport, truncationNotice, CITIZEN_DEADLINES, EMERGENCY, EMERGENCY_LINES, MAX_TEXT_CHARS, PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE } from './citizen.js';
