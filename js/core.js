// The public JS API over the wasm-bindgen module, the same in browsers, bundlers and Node.
//
// The Rust side (src/wasm.rs) speaks one JSON string each way; this file turns those strings
// into objects, keeps the CLI-identical verdict string next to the parsed verdict, and makes
// every failure data: `{ ok: false, errors }` from calls, a `FenliuError` from construction.
// Entry points only differ in which wasm build they load and how: index.js (browsers, bundlers)
// and node.js (Node) load the portal runtime, which builds engines from compiled bundles only;
// authoring.js and authoring-node.js load the authoring build (rule files, checks, cases). They
// hand the loaded module, and the default ruleset, to `bind`.

// The verdict comes out of wasm as UTF-16 code units (see `classifyUtf16` in src/wasm.rs).
const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });

/** An error with the fields of the first diagnostic and all of them in `diagnostics`. */
export class FenliuError extends Error {
  /** @param {import('./index.js').Diagnostic[]} diagnostics */
  constructor(diagnostics) {
    const first = diagnostics[0] ?? { code: 'unknown', message: '未知错误', help: '' };
    super(first.message);
    this.name = 'FenliuError';
    this.code = first.code;
    this.help = first.help;
    this.location = first.location;
    this.path = first.path;
    this.diagnostics = diagnostics;
  }
}

/** A diagnostic made on the JS side (same shape as the Rust ones). */
export function diagnostic(code, message, help) {
  return { code, severity: 'error', message, help };
}

/** The machine's local calendar date as `YYYY-MM-DD`. Not what `classify` uses: see `dateInChina`. */
export function localDate(d = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const CHINA_OFFSET_MS = 8 * 3600 * 1000; // China Standard Time is UTC+8 all year (no summer time).

/**
 * The calendar date in China (UTC+8) as `YYYY-MM-DD`, of `date` or of now (`Date.now()`): the
 * day undated petitions are judged by when no `today` is given, in any time zone, as in the CLI
 * (`Date::today_china` in src/date.rs) and the wasm's `todayInChina`.
 */
export function dateInChina(date) {
  const ms = date === undefined || date === null ? Date.now() : date.getTime();
  // An invalid Date gives "NaN-NaN-NaN", which the engine reports as a bad `today` (as before).
  const d = new Date(ms + CHINA_OFFSET_MS);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * A petition as the JSON string the engine reads: strings pass through, anything else goes
 * through JSON.stringify. Returns `{json}` or, when that throws, `{failure}` (error data).
 */
export function petitionJson(petition) {
  if (typeof petition === 'string') {
    // Passing a string into wasm encodes it as UTF-8, which silently turns a lone surrogate
    // into U+FFFD; say so instead. (Objects go through JSON.stringify, which escapes lone
    // surrogates, and the engine reports those itself with the same code.)
    const at = loneSurrogate(petition);
    if (at < 0) return { json: petition };
    const before = petition.slice(0, at).split('\n');
    const unit = `\\u${petition.charCodeAt(at).toString(16).toUpperCase()}`;
    return {
      failure: {
        ok: false,
        errors: [diagnostic('petition.surrogate', `信访件中有半个字符（不成对的 UTF-16 代理项 ${unit}，JSON 第 ${before.length} 行第 ${before[before.length - 1].length + 1} 列），无法识别`,
          '这通常是被截断的表情符号或粘贴时带入的乱码：请删除该处再提交。在 JavaScript 中可先用 text.toWellFormed() 把它换成 �。')],
      },
    };
  }
  try {
    return { json: JSON.stringify(petition ?? null) ?? 'null' };
  } catch (e) {
    return { failure: { ok: false, errors: [diagnostic('petition.json', `信访件无法转成 JSON：${e?.message ?? e}`, '传入普通对象（不含循环引用、BigInt、函数）或 JSON 字符串。')] } };
  }
}

/** The index of the first lone UTF-16 surrogate in `s`, or -1. */
export function loneSurrogate(s) {
  // No lookbehind here: Safari before 16.4 cannot even parse a regex with one, and a syntax
  // error would stop the whole package from loading (`npm run check:syntax` guards this).
  // A pair is consumed whole; what is left over is a lone half.
  const re = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g;
  let m;
  while ((m = re.exec(s)) !== null) {
    if (m[0].length === 1) return m.index;
  }
  return -1;
}

/**
 * The `today` a call passes to the engine: the given `YYYY-MM-DD` as is; a `Date`'s date in
 * China; none → today in China. Computed here, not left to the engine, so that a call through
 * a worker uses the caller's day, and `classifyMany` one day for all its petitions.
 */
export function todayOf(options) {
  const t = options?.today;
  if (t === undefined || t === null) return dateInChina();
  if (t instanceof Date) return dateInChina(t);
  return String(t);
}

// The ruleset as the JSON text the engine reads: files (object or Map), the workbench's
// downloaded bundle ({format, files, …}), or the text of either. The engine tells them apart
// (src/ruleset.rs, `Ruleset::from_json`), so the CLI's `--rules 规则集.json` reads the same.
function rulesetJson(ruleset) {
  if (ruleset === undefined || ruleset === null) return undefined;
  if (typeof ruleset === 'string') return ruleset;
  if (ruleset instanceof Map) ruleset = Object.fromEntries(ruleset);
  if (typeof ruleset !== 'object' || Array.isArray(ruleset)) {
    throw new FenliuError([
      diagnostic('options.ruleset', `规则集应是“文件路径 → 文件内容”的对象，实际是 ${Array.isArray(ruleset) ? '数组' : typeof ruleset}`,
        '传入 {"manifest.toml": "…", "route.rhai": "…"}；省略则使用内置规则集。'),
    ]);
  }
  return JSON.stringify(ruleset);
}

/** A compiled bundle as the bytes the engine reads, or undefined when none is given. */
function bundleBytes(bundle) {
  if (bundle === undefined || bundle === null) return undefined;
  if (bundle instanceof Uint8Array) return bundle;
  if (bundle instanceof ArrayBuffer) return new Uint8Array(bundle);
  if (ArrayBuffer.isView(bundle)) return new Uint8Array(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  throw new FenliuError([
    diagnostic('options.bundle', `bundle 应是规则包的字节（Uint8Array 或 ArrayBuffer），实际是 ${typeof bundle}`,
      '传入 fenliu build 生成的 .fenliu 文件的内容，例如 new Uint8Array(await (await fetch(\'rules.fenliu\')).arrayBuffer())。'),
  ]);
}

/**
 * Binds the API to a loaded wasm-bindgen module.
 * @param {() => any} getWasm returns the module once it is initialised, or undefined before
 * @param {{ defaultBundle?: () => Uint8Array | undefined }} [build] the portal runtime's
 *   default ruleset (its compiled bundle); the authoring build embeds its own rule files
 */
export function bind(getWasm, build = {}) {
  // Set when the module trapped (a bug: the core never panics on input). A trapped wasm
  // instance may hold half-updated state, so nothing runs in it again; every later call
  // returns `engine.crashed` instead of risking corrupted memory.
  let crashed = null;

  function wasmOrThrow() {
    const wasm = getWasm();
    if (!wasm) {
      throw new FenliuError([diagnostic('engine.not_ready', 'WASM 模块尚未加载', '先 await Fenliu.create(…)（或 await init()），再用 new Fenliu(…)。')]);
    }
    if (crashed) throw new FenliuError([crashedDiagnostic()]);
    return wasm;
  }

  function crashedDiagnostic() {
    return diagnostic('engine.crashed', `WASM 引擎已崩溃：${crashed?.message ?? crashed}`, '请刷新页面；这是引擎缺陷，请把触发它的信访件和规则报告给开发者。');
  }

  // Runs a call into wasm; a trap poisons the module and becomes an `engine.crashed` error.
  function guard(fn) {
    if (crashed) throw new FenliuError([crashedDiagnostic()]);
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      crashed = e;
      throw new FenliuError([crashedDiagnostic()]);
    }
  }

  function authoringOnly(what) {
    return diagnostic('engine.authoring_only', `门户运行时没有 ${what}：它只加载规则包并分类`, '运行案例、检查规则、生成规则包请用 \'fenliu/authoring\'。');
  }

  function freed() {
    return diagnostic('engine.freed', '该 Fenliu 实例已调用 free()，不能再使用', '重新创建一个实例：await Fenliu.create(…)。');
  }

  function asFailure(e) {
    if (e instanceof FenliuError) return { ok: false, errors: e.diagnostics };
    throw e;
  }

  class Fenliu {
    #engine;
    #info;

    /**
     * Loads the wasm module if needed and builds an instance. Rejects with a FenliuError.
     * @param {import('./index.js').FenliuOptions} [options]
     */
    static async create(options) {
      await Fenliu.init(options);
      return new Fenliu(options);
    }

    /** Overridden by the entry point (index.js / node.js): loads the module (and what `options` needs). */
    static async init(_options) {}

    /** @param {import('./index.js').FenliuOptions} [options] */
    constructor(options) {
      options ??= {};
      const wasm = wasmOrThrow();
      const files = rulesetJson(options.ruleset);
      if (options.fingerprint != null && typeof options.fingerprint !== 'string') {
        throw new FenliuError([diagnostic('options.fingerprint', `fingerprint 应是十六进制字符串，实际是 ${typeof options.fingerprint}`, '写成 64 位十六进制 SHA-256 指纹；省略则不固定指纹。')]);
      }
      const maxOps = options.limits?.maxOperations;
      if (maxOps !== undefined && typeof maxOps !== 'number') {
        throw new FenliuError([diagnostic('options.limits', `limits.maxOperations 应是数字，实际是 ${typeof maxOps}`, '写成正整数，例如 100000；省略则用默认值。')]);
      }
      const bundle = bundleBytes(options.bundle);
      if (bundle && files !== undefined) {
        throw new FenliuError([diagnostic('options.ruleset', '同时给了 ruleset（规则文件）和 bundle（规则包）', '二者只给一个。')]);
      }
      // The portal runtime has no rule compiler: rule files need the authoring build.
      const authoring = typeof wasm.Engine.prototype.bundle === 'function';
      if (files !== undefined && !authoring) {
        throw new FenliuError([diagnostic('options.ruleset', '门户运行时只读编译好的规则包，不读规则文件',
          '用 fenliu build 把规则目录编译成 .fenliu 规则包，以 new Fenliu({ bundle }) 加载；编辑、检查规则请用 \'fenliu/authoring\'。')]);
      }
      try {
        if (bundle) {
          this.#engine = guard(() => wasm.Engine.fromBundle(bundle, options.fingerprint ?? undefined));
        } else if (!authoring) {
          const fallback = build.defaultBundle?.();
          if (!fallback) {
            throw new FenliuError([diagnostic('engine.not_ready', '默认规则包尚未加载', '先 await Fenliu.create()（或 await init()），再用 new Fenliu()；或传入 { bundle }。')]);
          }
          this.#engine = guard(() => wasm.Engine.fromBundle(fallback, options.fingerprint ?? undefined));
        } else {
          this.#engine = guard(() => new wasm.Engine(files, options.fingerprint ?? undefined, maxOps ?? undefined));
        }
      } catch (e) {
        if (typeof e === 'string') throw new FenliuError(JSON.parse(e).errors);
        throw e;
      }
      this.#info = Object.freeze(JSON.parse(this.#engine.info()));
    }

    /** Engine version, e.g. "0.1.0". */
    get version() {
      return wasmOrThrow().engineVersion();
    }

    /** The compiled ruleset's name, version and fingerprint. */
    get ruleset() {
      return this.#info;
    }

    /**
     * Classifies one petition (an object or a JSON string).
     * @returns {import('./index.js').ClassifyResult}
     */
    classify(petition, options) {
      if (!this.#engine) return { ok: false, errors: [freed()] };
      const { json, failure } = petitionJson(petition);
      if (failure) return failure;
      let out;
      try {
        out = utf16.decode(guard(() => this.#engine.classifyUtf16(json, todayOf(options), options?.brief === true)));
      } catch (e) {
        return asFailure(e);
      }
      const value = JSON.parse(out);
      if (value.ok === false) return value;
      return { ok: true, verdict: value, json: out };
    }

    /**
     * Classifies many petitions, in order; each result is independent.
     * @returns {import('./index.js').ClassifyResult[]}
     */
    classifyMany(petitions, options) {
      const fixed = { today: todayOf(options), brief: options?.brief === true };
      return Array.from(petitions, (p) => this.classify(p, fixed));
    }

    /** Warnings of this ruleset (it built, so there are no errors). */
    check() {
      if (!this.#engine) throw new FenliuError([freed()]);
      return JSON.parse(guard(() => this.#engine.check()));
    }

    /**
     * The compiled bundle of this ruleset (`fenliu build`'s `.fenliu`), for the portal runtime.
     * Authoring build only. Throws a FenliuError (`bundle.not_compiled`, at each construct)
     * when a rule's condition is outside what the portal runtime executes.
     * @returns {Uint8Array}
     */
    bundle() {
      if (!this.#engine) throw new FenliuError([freed()]);
      if (typeof this.#engine.bundle !== 'function') throw new FenliuError([authoringOnly('bundle()')]);
      try {
        return guard(() => this.#engine.bundle());
      } catch (e) {
        if (typeof e === 'string') throw new FenliuError(JSON.parse(e).errors);
        throw e;
      }
    }

    /** Runs the ruleset's own cases. */
    test() {
      if (!this.#engine) return { ok: false, errors: [freed()] };
      if (typeof this.#engine.test !== 'function') return { ok: false, errors: [authoringOnly('test()')] };
      try {
        return JSON.parse(guard(() => this.#engine.test()));
      } catch (e) {
        return asFailure(e);
      }
    }

    /** The ruleset's own test cases (petition, expected keys), as `test()` runs them. */
    cases() {
      if (!this.#engine) return { ok: false, errors: [freed()] };
      if (typeof this.#engine.cases !== 'function') return { ok: false, errors: [authoringOnly('cases()')] };
      try {
        return JSON.parse(guard(() => this.#engine.cases()));
      } catch (e) {
        return asFailure(e);
      }
    }

    /**
     * Accuracy against labelled petitions, the report `fenliu eval` prints: `labels` is a
     * labelled JSONL text (or an array of label objects), `predictions` answers each label in
     * order (a verdict, a summary with route/category/tier/level/flags/rule, or null for a
     * petition that failed). `options.split` filters the labels (`train`, `dev`, `test`).
     */
    evaluate(labels, predictions, options) {
      if (!this.#engine) return { ok: false, errors: [freed()] };
      if (typeof this.#engine.evaluate !== 'function') return { ok: false, errors: [authoringOnly('evaluate()')] };
      const jsonl = typeof labels === 'string' ? labels : Array.from(labels, (l) => JSON.stringify(l)).join('\n');
      try {
        return JSON.parse(guard(() => this.#engine.evaluate(jsonl, JSON.stringify(Array.from(predictions, (p) => p ?? null)), options?.split)));
      } catch (e) {
        return asFailure(e);
      }
    }

    /** Frees the wasm memory of this instance now (otherwise the GC does it). */
    free() {
      this.#engine?.free();
      this.#engine = undefined;
    }
  }

  /**
   * Every problem in a ruleset, errors and warnings, without building an instance: what a
   * rule editor shows as you type. Lines are 1-based, columns 1-based in UTF-16 code units.
   */
  function checkRuleset(ruleset) {
    let files;
    try {
      if (typeof wasmOrThrow().checkFiles !== 'function') throw new FenliuError([authoringOnly('checkRuleset')]);
      files = rulesetJson(ruleset);
      // Off the hot path: a JS array from serde-wasm-bindgen, no JSON text.
      return guard(() => wasmOrThrow().checkFiles(files));
    } catch (e) {
      if (e instanceof FenliuError) return e.diagnostics;
      throw e;
    }
  }

  /**
   * What a ruleset offers a rule editor, read without compiling it: its keyword groups (id,
   * title, number of words, where defined) and the petition fields rules can read. Throws
   * `FenliuError` when the files or a lexicon cannot be read.
   */
  function describeRuleset(ruleset) {
    if (typeof wasmOrThrow().describeRuleset !== 'function') throw new FenliuError([authoringOnly('describeRuleset')]);
    const files = rulesetJson(ruleset);
    const out = guard(() => wasmOrThrow().describeRuleset(files));
    if (!out.ok) throw new FenliuError(out.errors);
    return { groups: out.groups, fields: out.fields };
  }

  return { Fenliu, checkRuleset, describeRuleset };
}
