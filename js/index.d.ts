// Types of `fenliu` (the portal runtime) and `fenliu/authoring` (browsers, bundlers and Node
// share one API; the portal runtime answers the authoring-only calls with
// `engine.authoring_only`).
import type {
  CaseList, ClassifyOptions, ClassifyResult, Diagnostic, FenliuOptions, Location, Petition,
  RulesetFiles, RulesetInfo, RulesetSource, TestReport, EvalLabel, EvalPrediction, EvalResult, Verdict,
} from './types.js';

export type * from './types.js';
export * from './citizen.js';

/** An error with the fields of its first diagnostic; `diagnostics` holds all of them. */
export declare class FenliuError extends Error {
  readonly name: 'FenliuError';
  /** Stable code, e.g. `rule.syntax`, `ruleset.fingerprint_mismatch`, `worker.timeout`. */
  readonly code: string;
  readonly help: string;
  readonly location?: Location;
  readonly path?: string;
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]);
}

/**
 * A compiled ruleset: build once, classify many. Calls never throw on bad input or a
 * misbehaving rule: they return `{ ok: false, errors }`, and the instance stays usable.
 */
export declare class Fenliu {
  /** Loads the wasm module if needed, then builds. Rejects with a FenliuError. */
  static create(options?: FenliuOptions): Promise<Fenliu>;
  /** Loads the wasm module (browsers: once, from next to the glue) and the default bundle. */
  static init(options?: FenliuOptions): Promise<void>;
  /** Builds synchronously; the wasm module must be loaded (always true in Node). Throws a FenliuError. */
  constructor(options?: FenliuOptions);
  /** Engine version, e.g. `0.1.0`. */
  readonly version: string;
  /** The compiled ruleset's name, version and fingerprint (frozen). */
  readonly ruleset: Readonly<RulesetInfo>;
  /** Classifies one petition, given as an object or a JSON string. */
  classify(petition: Petition | string, options?: ClassifyOptions): ClassifyResult;
  /** Classifies many petitions, in order; each result stands alone. */
  classifyMany(petitions: Iterable<Petition | string>, options?: ClassifyOptions): ClassifyResult[];
  /** Warnings of this ruleset (it built, so there are no errors). */
  check(): Diagnostic[];
  /**
   * **Authoring build only.** This ruleset compiled for the portal runtime: the bytes of a
   * `.fenliu` file. Throws a FenliuError (`bundle.not_compiled`, one per rule, at the construct)
   * when a condition is outside what the portal runtime executes.
   */
  bundle(): Uint8Array;
  /** **Authoring build only.** Runs the ruleset's own cases. */
  test(): TestReport;
  /** The ruleset's own cases (petition and expected keys). */
  cases(): CaseList;
  /**
   * Accuracy against labelled petitions (what `fenliu eval` prints): `labels` as JSONL text or
   * label objects, `predictions` answering each label in order (a verdict, a summary, or null
   * for a petition that failed).
   */
  evaluate(labels: string | Iterable<EvalLabel>, predictions: Iterable<Verdict | EvalPrediction | null>, options?: { split?: string }): EvalResult;
  /** Frees the instance's wasm memory now; later calls return `engine.freed`. */
  free(): void;
}

/** **Authoring build only.** Every problem in a ruleset, errors and warnings, without building it (for rule editors). */
export declare function checkRuleset(ruleset: RulesetSource): Diagnostic[];

/** What a ruleset offers a rule editor (completion), read without compiling it. */
export interface RulesetDescription {
  /** The keyword groups of its lexicons: `p.has("id")`. */
  groups: { id: string; title: string | null; words: number; location: Location | null }[];
  /** The petition fields rules can read (`p.name`), with their sub-fields (`p.place.town`). */
  fields: { name: string; fields: string[] }[];
}

/** **Authoring build only.** The keyword groups and petition fields of a ruleset, for editor completion. Throws `FenliuError`
 * when the files or a lexicon cannot be read. */
export declare function describeRuleset(ruleset: RulesetFiles): RulesetDescription;

/**
 * Loads the wasm module; `Fenliu.create` calls it for you. Browsers: `input` loads the .wasm from
 * elsewhere; the portal runtime also fetches the default ruleset's bundle, unless
 * `{ defaultBundle: false }` (a page that always passes its own `bundle`) or from
 * `{ defaultBundle: url }`.
 */
export declare function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module, options?: { defaultBundle?: false | string | URL }): Promise<void>;

/** The machine's local calendar date as `YYYY-MM-DD`. Not what `classify` uses; see `dateInChina`. */
export declare function localDate(date?: Date): string;

/**
 * The calendar date in China (UTC+8) as `YYYY-MM-DD`, of `date` or of now (`Date.now()`): the day
 * `classify` judges undated petitions by when no `today` is given, in any time zone (as the CLI).
 */
export declare function dateInChina(date?: Date): string;
