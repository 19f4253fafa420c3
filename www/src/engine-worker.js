// The editor's engine, off the main thread: checks each edit of the ruleset, keeps the last
// ruleset that built (the page goes on using it while the edit is broken), and classifies the
// "试一件" petition with it and with the comparison baseline. Building the default ruleset takes
// 40–250 ms on an office PC: too long for the main thread while someone types.
//
// Messages: {id, method, args} in; {id, ok: true, value} or {id, ok: false, message} out.
import { Fenliu, checkRuleset, describeRuleset, init } from 'fenliu/authoring';

// Loads the .wasm once; messages that arrive meanwhile wait for it, in order.
const ready = init();

let current = null; // the last ruleset that built
let baseline = null; // the comparison baseline ("before the edit")

function build(files) {
  try {
    return { fenliu: new Fenliu({ ruleset: files }), diagnostics: [] };
  } catch (e) {
    if (!e?.diagnostics) throw e;
    // The constructor stops at the first file that fails; checkRuleset lists every problem.
    const all = checkRuleset(files);
    return { fenliu: null, diagnostics: all.length ? all : e.diagnostics };
  }
}

const methods = {
  /** Checks an edit; when it builds, it becomes the current ruleset. */
  update(files) {
    const { fenliu, diagnostics } = build(files);
    if (!fenliu) return { built: false, diagnostics };
    current?.free();
    current = fenliu;
    // Errors in cases/*.toml do not stop the ruleset from building (cases do not decide
    // verdicts); cases() reports them, with their location, and they are shown as markers too.
    const cases = current.cases();
    const report = current.test();
    return {
      built: true,
      info: current.ruleset,
      version: current.version,
      diagnostics: [...current.check(), ...(cases.ok ? [] : cases.errors)],
      cases: cases.ok ? cases.cases : [],
      report,
    };
  },

  /**
   * The current ruleset compiled for the portal runtime (`fenliu build`'s .fenliu bytes), or the
   * rules that cannot go to a portal (`bundle.not_compiled`, each at its construct).
   */
  portalBundle() {
    if (!current) return { ok: false, errors: [{ code: 'engine.not_ready', severity: 'error', message: '规则还没有一次编译成功', help: '先改正规则中的错误。' }] };
    try {
      return { ok: true, bytes: current.bundle() };
    } catch (e) {
      if (!e?.diagnostics) throw e;
      return { ok: false, errors: e.diagnostics };
    }
  },

  /** Sets the comparison baseline. */
  setBaseline(files) {
    const { fenliu, diagnostics } = build(files);
    if (!fenliu) return { built: false, diagnostics };
    baseline?.free();
    baseline = fenliu;
    return { built: true, info: baseline.ruleset };
  },

  /** The fingerprint of the package's built-in default ruleset (to compare with the page's copy). */
  builtinInfo() {
    const f = new Fenliu();
    const info = f.ruleset;
    f.free();
    return info;
  },

  /** Classifies one petition with the current ruleset, and with the baseline when it differs. */
  classify(petition, today) {
    if (!current) return null;
    const now = current.classify(petition, { today });
    const differs = baseline && baseline.ruleset.fingerprint !== current.ruleset.fingerprint;
    return { current: now, baseline: differs ? baseline.classify(petition, { today }) : null };
  },

  /**
   * The keyword groups (id, title, words, location) and the petition fields of a ruleset, read
   * without compiling it: for completion in the editor.
   */
  describe(files) {
    return describeRuleset(files);
  },

  /** Runs the current ruleset's cases. */
  test() {
    return current ? current.test() : null;
  },
};

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    await ready;
    self.postMessage({ id, ok: true, value: await methods[method](...args) });
  } catch (e) {
    self.postMessage({ id, ok: false, message: e?.message ?? String(e), diagnostics: e?.diagnostics });
  }
};
