// The engines of the comparison, each behind the same small interface, used by the harness
// (bench/compare.mjs) and by its cold-start child (bench/cold.mjs):
//
//   load()                 import the package and instantiate its .wasm (the cold start)
//   build(mod)             compile the shared decision (or fenliu's default ruleset) → instance
//   classify(inst, p)      one petition → { route, rule, score, tier } (a Promise when `async`)
//   files()                what a browser downloads: { wasm: [paths: the .wasm, and fenliu's
//                          compiled ruleset bundle], js: entry for the bundler }
//
// Each wrapper does what a portal developer would write with that package's documented API, no
// more: fenliu gets the petition object; json-rules-engine gets the petition's fields as facts
// plus `doc` (title + "\n" + text) and one custom operator; ZEN gets the petition as its
// context; Cedar gets the same fields as the request context.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tierOf } from './shared/decision.mjs';

export const root = fileURLToPath(new URL('..', import.meta.url));
const shared = join(root, 'bench/shared');
const require = createRequire(import.meta.url);
export const TODAY = '2024-06-01';

// ZEN's decision engine for browsers is @gorules/zen-engine's wasm32-wasi build (the package's
// `browser` field points at it). npm refuses to install it as a dependency on x64 (`cpu:
// ["wasm32"]`), so it is fetched with `npm pack` into bench/.cache/ and checked against the
// registry's integrity hash. Its runtime, @napi-rs/wasm-runtime, is a devDependency (pinned to
// 1.1.1: 1.2's emnapi 2 cannot link this build).
export const ZEN_WASI = {
  name: '@gorules/zen-engine-wasm32-wasi',
  version: '0.52.1',
  integrity: 'sha512-XrCHL+yABaKgrlc8ut4Kz8LAMja80IWTOFZC7HCMIITHaXigg509oJtKN34IP5h/u5NWRX5fnJFYc4KM7o9Uvw==',
  dir: join(root, 'bench/.cache/zen-engine-wasm32-wasi'),
};

/** Fetches the ZEN wasm32-wasi package unless present. Returns an error message or null. */
export function ensureZenWasi() {
  if (existsSync(join(ZEN_WASI.dir, 'zen-engine.wasi.cjs'))) return null;
  const cache = join(root, 'bench/.cache');
  mkdirSync(cache, { recursive: true });
  try {
    const tgz = execFileSync('npm', ['pack', `${ZEN_WASI.name}@${ZEN_WASI.version}`, '--pack-destination', cache, '--silent'], { cwd: cache, encoding: 'utf8' }).trim().split('\n').pop();
    const file = join(cache, tgz);
    const got = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    if (got !== ZEN_WASI.integrity) return `${tgz}: integrity ${got} is not the pinned ${ZEN_WASI.integrity}`;
    mkdirSync(ZEN_WASI.dir, { recursive: true });
    execFileSync('tar', ['xzf', file, '-C', ZEN_WASI.dir, '--strip-components=1']);
    rmSync(file);
    return null;
  } catch (e) {
    return `npm pack ${ZEN_WASI.name}@${ZEN_WASI.version} failed: ${e.message.split('\n')[0]}`;
  }
}

/** Reads a ruleset folder into {path: content}, as a portal would pass it. */
export function readRuleset(dir) {
  const out = {};
  (function walk(d) {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  })(dir);
  return out;
}

const doc = (p) => `${p.title ?? ''}\n${p.text}`;

/** fenliu's verdict → the four compared values. */
function fromVerdict(r) {
  if (!r.ok) throw new Error(`fenliu: ${r.errors[0].code} ${r.errors[0].message}`);
  const v = r.verdict;
  return { route: v.route.code, rule: v.trace.find((t) => t.stage === 'route')?.rule, score: v.difficulty.score, tier: v.difficulty.tier };
}

/** The compiled bundle of the shared decision (`fenliu build`, by bench/prepare.mjs). */
export const SHARED_BUNDLE = join(root, 'bench/.cache/shared-decision.fenliu');

// fenliu as a portal ships it: the portal runtime (`fenliu`) and a compiled bundle, what the
// page downloads beside the .wasm (the default ruleset's is dist/wasm/default.fenliu).
function fenliu(name, label, bundlePath) {
  return {
    name,
    label,
    async: false,
    package: 'fenliu (this repository)',
    files: () => ({ wasm: [join(root, 'dist/wasm/fenliu_bg.wasm'), bundlePath], js: `export { Fenliu } from ${JSON.stringify(join(root, 'js/index.js'))};` }),
    source: () => readFileSync(bundlePath),
    async load() {
      return (await import(join(root, 'js/node.js'))).Fenliu;
    },
    build(Fenliu, bundle) {
      return new Fenliu({ bundle });
    },
    classify: (f, p) => fromVerdict(f.classify(p, { today: TODAY })),
    free: (f) => f.free(),
  };
}

const jre = {
  name: 'json-rules-engine',
  label: 'json-rules-engine',
  async: true,
  package: 'json-rules-engine',
  files: () => ({ wasm: [], js: 'export { Engine } from "json-rules-engine";' }),
  source: () => readFileSync(join(shared, 'json-rules-engine/rules.json'), 'utf8'),
  async load() {
    return (await import('json-rules-engine')).Engine;
  },
  build(Engine, text) {
    const engine = new Engine([], { allowUndefinedFacts: true });
    engine.addOperator('containsAny', (value, words) => typeof value === 'string' && words.some((w) => value.includes(w)));
    for (const rule of JSON.parse(text)) engine.addRule(rule);
    return engine;
  },
  async classify(engine, p) {
    const { events } = await engine.run({ ...p, doc: doc(p) });
    let best = null;
    let score = 0;
    for (const e of events) {
      if (e.type === 'points') score += e.params.points;
      else if (!best || e.params.priority > best.priority) best = e.params;
    }
    return { route: best?.route, rule: best?.rule, score, tier: tierOf(score) };
  },
  free() {},
};

const zen = {
  name: 'zen',
  label: 'GoRules ZEN (wasm32-wasi)',
  async: true,
  package: `${ZEN_WASI.name}@${ZEN_WASI.version} + @napi-rs/wasm-runtime`,
  files: () => ({
    wasm: [join(ZEN_WASI.dir, 'zen-engine.wasm32-wasi.wasm')],
    js: `export * from ${JSON.stringify(join(ZEN_WASI.dir, 'zen-engine.wasi-browser.js'))};`,
    worker: join(ZEN_WASI.dir, 'wasi-worker-browser.mjs'),
  }),
  source: () => readFileSync(join(shared, 'zen/decision.json'), 'utf8'),
  available: () => ensureZenWasi(),
  async load() {
    return require(join(ZEN_WASI.dir, 'zen-engine.wasi.cjs'));
  },
  build(mod, text) {
    const engine = new mod.ZenEngine();
    return { engine, decision: engine.createDecision(JSON.parse(text)) };
  },
  async classify({ decision }, p) {
    const { result } = await decision.evaluate(p);
    return { route: result.route, rule: result.rule, score: result.score, tier: result.tier };
  },
  free({ engine }) {
    engine.dispose();
  },
};

const PRINCIPAL = { type: 'Citizen', id: 'portal' };
const ACTION = { type: 'Action', id: 'classify' };
const RESOURCE = { type: 'Petition', id: 'petition' };
let cedarSets = 0;

const cedar = {
  name: 'cedar',
  label: 'Cedar (conditions only)',
  async: false,
  package: '@cedar-policy/cedar-wasm',
  files: () => ({ wasm: [join(dirname(require.resolve('@cedar-policy/cedar-wasm/nodejs')), '../web/cedar_wasm_bg.wasm')], js: 'export * from "@cedar-policy/cedar-wasm/web";' }),
  source: () => readFileSync(join(shared, 'cedar/policies.cedar'), 'utf8'),
  async load() {
    return require('@cedar-policy/cedar-wasm/nodejs');
  },
  build(mod, text) {
    // One policy per rule, its outcome in annotations: the policy set is keyed by rule id so
    // that `diagnostics.reason` names the rules whose conditions hold.
    const policies = {};
    const outcomes = {};
    for (const chunk of text.split(/\n(?=@id\()/).slice(1)) {
      const ann = Object.fromEntries([...chunk.matchAll(/^@(\w+)\("([^"]*)"\)$/gm)].map((m) => [m[1], m[2]]));
      policies[ann.id] = chunk;
      outcomes[ann.id] = ann.route ? { route: ann.route, priority: Number(ann.priority) } : { points: Number(ann.points) };
    }
    const id = `shared-${cedarSets++}`;
    const parsed = mod.preparsePolicySet(id, { staticPolicies: policies });
    if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed.errors)}`);
    return { mod, id, outcomes };
  },
  classify({ mod, id, outcomes }, p) {
    const context = { doc: doc(p), petitioners: p.petitioners, channel: p.channel, history: p.history };
    if (p.topic != null) context.topic = p.topic;
    const answer = mod.statefulIsAuthorized({ principal: PRINCIPAL, action: ACTION, resource: RESOURCE, context, preparsedPolicySetId: id, entities: [] });
    if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
    let best = null;
    let score = 0;
    for (const rule of answer.response.diagnostics.reason) {
      const o = outcomes[rule];
      if (o.points !== undefined) score += o.points;
      else if (!best || o.priority > best.priority) best = { ...o, rule };
    }
    return { route: best?.route, rule: best?.rule, score, tier: tierOf(score) };
  },
  free() {},
};

/** @gorules/zen-engine-wasm: the package the issue names; it evaluates single expressions only. */
const zenExpressions = {
  name: 'zen-engine-wasm',
  label: '@gorules/zen-engine-wasm (expressions only)',
  async: false,
  sizeOnly: true,
  package: '@gorules/zen-engine-wasm',
  files: () => ({ wasm: [require.resolve('@gorules/zen-engine-wasm/dist/zen_engine_wasm_bg.wasm')], js: 'export * from "@gorules/zen-engine-wasm";' }),
  async load() {
    const mod = await import('@gorules/zen-engine-wasm');
    mod.initSync({ module: readFileSync(require.resolve('@gorules/zen-engine-wasm/dist/zen_engine_wasm_bg.wasm')) });
    return mod;
  },
};

/** The compared engines on the shared decision; fenliu first (the ratios are fenliu / peer). */
export const ENGINES = [fenliu('fenliu', 'fenliu', SHARED_BUNDLE), jre, zen, cedar];
/** fenliu alone on its default ruleset (timed alongside, not compared). */
export const FENLIU_DEFAULT = fenliu('fenliu-default', 'fenliu, default ruleset (162 rules)', join(root, 'dist/wasm/default.fenliu'));
/** Measured for size and cold start only. */
export const SIZE_ONLY = [zenExpressions];

export function byName(name) {
  return [...ENGINES, FENLIU_DEFAULT, ...SIZE_ONLY].find((e) => e.name === name);
}
