// Entry for Node (20+): the portal runtime (compiled bundles only; rule files need
// `fenliu/authoring`). Reads the .wasm file next to the glue and instantiates it synchronously at
// import, so `new Fenliu()` works right away; the default ruleset's bundle is read on first use.
// `await Fenliu.create()` works too.
import { readFileSync } from 'node:fs';
import { initSync } from '../dist/wasm/fenliu.js';
import * as wasm from '../dist/wasm/fenliu.js';
import { bind, dateInChina, FenliuError, localDate } from './core.js';

initSync({ module: readFileSync(new URL('../dist/wasm/fenliu_bg.wasm', import.meta.url)) });

let defaultBundle;

/** Already done at import; kept so code written for browsers runs unchanged. */
export async function init() {}

const api = bind(() => wasm, { defaultBundle: () => (defaultBundle ??= readFileSync(new URL('../dist/wasm/default.fenliu', import.meta.url))) });

export const { Fenliu, checkRuleset, describeRuleset } = api;
export { dateInChina, FenliuError, localDate };
export { citizenView, fitPetition, prescreen, prescreenSupport, truncationNotice, CITIZEN_DEADLINES, EMERGENCY, EMERGENCY_LINES, MAX_TEXT_CHARS, PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE } from './citizen.js';
