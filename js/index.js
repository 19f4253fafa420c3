// Entry for browsers (`<script type="module">`) and bundlers (Vite, webpack): the portal
// runtime. It loads compiled rulesets (`fenliu build` → `.fenliu`) and classifies; it has no
// rule compiler (that is `fenliu/authoring`). The .wasm file and the default ruleset's bundle are
// found next to the glue with `new URL(…, import.meta.url)`, which bundlers understand as asset
// references and browsers fetch relative to this module. Those two fetches are the only network
// requests this package makes, and the second only when the page uses the default ruleset.
import initWasm, * as wasm from '../dist/wasm/fenliu.js';
import { bind, dateInChina, FenliuError, localDate } from './core.js';

let ready = null;
let loaded = false;
let defaultBundle;
let defaultReady = null;

function loadError(what, e, help) {
  return new FenliuError([{ code: 'engine.load', severity: 'error', message: `无法加载 ${what}：${e?.message ?? e}`, help }]);
}

/**
 * Loads and instantiates the wasm module once, and the default ruleset's bundle. Optional:
 * `Fenliu.create` calls it. Pass a URL, Response, BufferSource or WebAssembly.Module to load the
 * .wasm from elsewhere; `{ defaultBundle: false }` skips the default ruleset (a page that always
 * passes its own `bundle`), and `{ defaultBundle: url }` loads it from elsewhere.
 */
export function init(input, { defaultBundle: bundleUrl } = {}) {
  ready ??= initWasm(input === undefined ? undefined : { module_or_path: input }).then(() => {
    loaded = true;
  }, (e) => {
    ready = null;
    throw loadError('fenliu_bg.wasm', e, '检查 .wasm 文件是否随页面发布、服务器是否以 application/wasm 类型返回它，以及 CSP 是否允许 \'wasm-unsafe-eval\'。');
  });
  if (bundleUrl === false) return ready;
  defaultReady ??= fetch(bundleUrl ?? new URL('../dist/wasm/default.fenliu', import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((b) => {
      defaultBundle = new Uint8Array(b);
    }, (e) => {
      defaultReady = null;
      throw loadError('默认规则包 default.fenliu', e, '检查 default.fenliu 是否随页面发布（与 fenliu_bg.wasm 在同一目录）；或传入自己的规则包：new Fenliu({ bundle })。');
    });
  return Promise.all([ready, defaultReady]).then(() => undefined);
}

const api = bind(() => (loaded ? wasm : undefined), { defaultBundle: () => defaultBundle });
// `Fenliu.create({ bundle })` needs no default ruleset.
api.Fenliu.init = (options) => init(undefined, options?.bundle != null ? { defaultBundle: false } : undefined);

export const { Fenliu, checkRuleset, describeRuleset } = api;
export { dateInChina, FenliuError, localDate };
export { citizenView, fitPetition, prescreen, prescreenSupport, truncationNotice, CITIZEN_DEADLINES, EMERGENCY, EMERGENCY_LINES, MAX_TEXT_CHARS, PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE } from './citizen.js';
