// Entry for the authoring build in Node (`fenliu/authoring`): rule files, checks, cases, bundles.
// Reads the .wasm file next to the glue and instantiates it synchronously at import, so `new Fenliu()` works right away; `await Fenliu.create()` works too.
import { readFileSync } from 'node:fs';
import { initSync } from '../dist/authoring/fenliu.js';
import * as wasm from '../dist/authoring/fenliu.js';
import { bind, dateInChina, FenliuError, localDate } from './core.js';

initSync({ module: readFileSync(new URL('../dist/authoring/fenliu_bg.wasm', import.meta.url)) });

/** Already done at import; kept so code written for browsers runs unchanged. */
export async function init() {}

const api = bind(() => wasm);

export const { Fenliu, checkRuleset, describeRuleset } = api;
export { dateInChina, FenliuError, localDate };
export { citizenView, fitPetition, prescreen, prescreenSupport, truncationNotice, CITIZEN_DEADLINES, EMERGENCY, EMERGENCY_LINES, MAX_TEXT_CHARS, PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE } from './citizen.js';
