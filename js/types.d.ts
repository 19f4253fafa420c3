// The data that crosses the package's boundary: the petition contract (src/petition.rs), the
// verdict (src/verdict.rs), diagnostics (src/error.rs) and case results (src/cases.rs).
// Written once from the Rust types and checked against real output: `npm run typecheck` types
// verdicts, diagnostics and case reports the built package produced against these declarations,
// so a field added or renamed in Rust fails the check until it is added here.

// ---------------------------------------------------------------------------------------------
// Input: the petition

// <petition schema: generated from src/fields.rs by `FENLIU_BLESS=1 cargo test --lib fields`>
/** How the petition reached the office. */
export type Channel = 'online' | 'letter' | 'visit' | 'phone' | 'hotline';
/** What the citizen selected on the form, if it asks. */
export type CategoryChoice = 'suggestion' | 'accusation' | 'claim';
/** Highest level the matter was raised at before. */
export type Level = 'none' | 'village' | 'town' | 'county' | 'city' | 'province' | 'national';
/** Where the matter stands in the 信访 procedure. */
export type ProcedureStage = 'none' | 'handled' | 'reviewed' | 'rechecked' | 'terminated';
/** Court procedure under way. */
export type Court = 'none' | 'filed' | 'judged' | 'enforcing';
/** Arbitration under way. */
export type Arbitration = 'none' | 'filed' | 'awarded';
/** Administrative reconsideration under way. */
export type Reconsideration = 'none' | 'filed' | 'decided';
/** Police procedure under way. */
export type Police = 'none' | 'reported' | 'filed';
/** 三分离: which of person, household and matter are in different places. */
export type Separation = 'none' | 'person_household' | 'person_matter' | 'all';

/** A calendar date, `YYYY-MM-DD`. */
export type DateString = string;

/** 事发地. */
export interface Place {
  /** 县（区）. */
  county?: string | null;
  /** 镇（街道）. */
  town?: string | null;
  /** 村（社区）. */
  village?: string | null;
}

/** 同人同事 before: what the portal knows of the petitioner's history with this matter. */
export interface History {
  /** Times the same matter was raised before. */
  prior_count?: number | null;
  /** When it was first raised. */
  first_raised_at?: DateString | null;
  /** Highest level it was raised at. */
  highest_level?: Level | null;
  /** 进京 visits. */
  national_visits?: number | null;
  /** Times assigned from above (上级交办). */
  assigned_from_above?: number | null;
  /** 处理意见 / 复查 / 复核 / 终结. */
  stage?: ProcedureStage | null;
  /** When the petitioner received the last written reply (处理意见 or 复查意见); 复查 and 复核 are asked within 30 days of it. */
  last_reply_at?: DateString | null;
}

/** Legal procedures the citizen says are already under way. */
export interface Legal {
  /** Court. */
  court?: Court | null;
  /** Arbitration. */
  arbitration?: Arbitration | null;
  /** Administrative reconsideration. */
  reconsideration?: Reconsideration | null;
  /** Police. */
  police?: Police | null;
}

/** 三跨三分离. */
export interface Cross {
  /** 跨地区. */
  region?: boolean | null;
  /** 跨部门. */
  department?: boolean | null;
  /** 跨行业. */
  industry?: boolean | null;
  /** 人户分离 / 人事分离 / 人事户分离. */
  separation?: Separation | null;
}

/** A petition as a portal sends it. Only `text` is required; `null` counts as absent. Unknown extra fields are allowed and come back as `petition.unknown_field` warnings in the verdict. */
export interface Petition {
  /** The caller's id, echoed back in the verdict. */
  id?: string | number | null;
  /** 标题. */
  title?: string | null;
  /** 诉求内容 (required, non-empty; at most 20,000 characters). */
  text: string;
  /** Date of filing (`YYYY-MM-DD`, a time after it is ignored); drives deadlines. */
  submitted_at?: DateString | null;
  /** How it reached the office. */
  channel?: Channel | null;
  /** What the citizen selected, if the form asks. */
  category?: CategoryChoice | null;
  /** The portal's own topic label. */
  topic?: string | null;
  /** 事发地. */
  place?: Place | null;
  /** 信访人数. */
  petitioners?: number | null;
  /** 涉及人数. */
  people_involved?: number | null;
  /** Anonymous petition. */
  anonymous?: boolean | null;
  /** Earlier handling of the same matter. */
  history?: History | null;
  /** Legal procedures under way. */
  legal?: Legal | null;
  /** 涉及部门. */
  bodies?: string[] | null;
  /** 三跨三分离. */
  cross?: Cross | null;
}

// </petition schema>

// ---------------------------------------------------------------------------------------------
// Diagnostics

/** A place in a ruleset file. */
export interface Location {
  /** Path of the file inside the ruleset, e.g. `route.rhai`. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column in UTF-16 code units (what CodeMirror and Monaco count). */
  column: number;
}

/** One problem, with everything a person needs to fix it. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `petition.enum`, `rule.syntax`, `worker.timeout`. */
  code: string;
  severity: 'error' | 'warning';
  /** What is wrong (Chinese), naming the input in quotes. */
  message: string;
  /** How to fix it (Chinese). */
  help: string;
  /** Where, in a ruleset file. */
  location?: Location;
  /** Where, as a JSON path in the petition (e.g. `history.prior_count`). */
  path?: string;
}

/** A call that could not be made: the diagnostics say why. */
export interface Failure {
  ok: false;
  errors: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Output: the verdict

/** Name, version and fingerprint of a ruleset. */
export interface RulesetInfo {
  name: string;
  version: string;
  /** SHA-256 (hex) over the files that decide verdicts. */
  fingerprint: string;
}

/** The statutory route (法定途径). */
export interface Route {
  /** Route code (`judicial`, `arbitration`, … `petition`). */
  code: string;
  /** Chinese name. */
  name: string;
  /** Who handles it. */
  handler: string;
  /** Legal basis of the deciding rule. */
  basis: string[];
  /** Accepted as an ordinary 信访 matter. */
  accepted: boolean;
  /** Plain-language guidance for the citizen. */
  guidance: string;
  /**
   * How sure the weighed evidence is of this route, 0–1 (three decimals). Only from rulesets
   * whose manifest has `[evidence]` (the default ruleset does); 1 when a precedence rule decided.
   */
  confidence?: number;
  /** The evidence for this route, strongest first (rulesets with `[evidence]`). */
  evidence?: Weighed[];
  /** The runner-up route, with its evidence and why it lost (rulesets with `[evidence]`). */
  alternatives?: Alternative[];
  /** How the letter was read: who it is against, what the writer asks for, and the decision
   * table's row (rulesets with `slots.toml` and `[evidence]`). */
  slots?: SlotsRead;
}

/** The letter read as an officer reads it (`slots.toml`). */
export interface SlotsRead {
  /** Who it is against, e.g. `{ code: "employer", name: "用人单位、老板、包工头" }`. */
  counterparty: SlotValue[];
  /** What the writer asks for (read in the title and the request sentences). */
  request: SlotValue[];
  /** The decision table's first row that fits: its route and note. Evidence, not the decision. */
  table?: { route: string; note: string };
}

/** One value of a slot. */
export interface SlotValue {
  code: string;
  name: string;
}

/** One piece of weighed evidence: a route rule that holds or a keyword group that hits. */
export interface Weighed {
  /** `rule:<rule id>`, `title:<group>`, `text:<group>`, `ng:<two characters>`, or a slot feature:
   * `cp:<counterparty>`, `rq:<request>`, `pair:<counterparty>+<request>`, `table:<route>`. */
  feature: string;
  /** What it is, in Chinese. */
  label: string;
  /** Its weight for the route (positive: for, negative: against), two decimals. */
  weight: number;
}

/** A route that also had evidence but lost. */
export interface Alternative {
  code: string;
  name: string;
  /** Its probability, 0–1. */
  confidence: number;
  evidence: Weighed[];
  /** Why it lost, in Chinese. */
  lost_because: string;
}

/** A code with its Chinese name. */
export interface Coded {
  code: string;
  name: string;
}

/** One difficulty factor: a rule that added points. */
export interface Factor {
  rule: string;
  points: number;
  reason: string;
}

/** 化解难度. */
export interface Difficulty {
  /** Tier code (`simple`, `normal`, `complex`). */
  tier: string;
  name: string;
  score: number;
  factors: Factor[];
}

/** 三级代办. */
export interface Delegation {
  /** Level code (`village`, `town`, `county`). */
  level: string;
  name: string;
  /** Who leads (牵头代办). */
  lead: string;
  reason: string;
}

/** One computed deadline. */
export interface Deadline {
  name: string;
  date: DateString;
  /** Days counted. */
  days: number;
  /** Counted in working days. */
  working_days: boolean;
  /** Counted from this deadline instead of the filing date. */
  after?: string;
  /** Rule that set it. */
  rule: string;
}

/** One keyword hit. `start`/`end` are UTF-16 offsets (JS string indices) into the field. */
export interface Hit {
  group: string;
  word: string;
  field: 'title' | 'text';
  start: number;
  end: number;
  /** Present and true when a negation cue cancels it (trace entries list only hits that count). */
  negated?: true;
}

/**
 * What one trace entry decided: an object tagged by `kind`, its codes bare (name them from the
 * manifest). Nothing in it needs splitting.
 */
export type TraceOutcome =
  /** A category rule set the category. */
  | { kind: 'category'; code: string }
  /** A route rule (or the weighed evidence) set the route. */
  | { kind: 'route'; code: string }
  /** The route that also had evidence but lost to the chosen one. */
  | { kind: 'runner_up'; code: string }
  /** A difficulty rule added points (may be negative) and perhaps set a floor on the tier (a tier code). */
  | { kind: 'points'; points: number; at_least?: string }
  /** The tier fitted over the difficulty signals (rulesets with tier weights). */
  | { kind: 'tier'; code: string }
  /** A delegation rule set the level. */
  | { kind: 'level'; code: string }
  /** A flag rule raised flags. */
  | { kind: 'flags'; codes: string[] }
  /** A deadline rule set deadlines: their keys in `Verdict.deadlines`. */
  | { kind: 'deadlines'; keys: string[] }
  /** A consistency rule found a problem (also in `Verdict.violations`). */
  | { kind: 'violation'; message: string };

/** One rule that fired. */
export interface TraceEntry {
  rule: string;
  stage: 'category' | 'route' | 'flags' | 'difficulty' | 'delegation' | 'deadlines' | 'check';
  title: string;
  /** What it decided, e.g. `{kind: 'route', code: 'judicial'}` or `{kind: 'points', points: 4, at_least: 'complex'}`. */
  outcome: TraceOutcome;
  /** Keyword hits of the groups it consulted. */
  matched?: Hit[];
  /** Petition fields it read. */
  fields?: string[];
}

/** A consistency rule that found a problem with this verdict. */
export interface Violation {
  rule: string;
  message: string;
}

/** A line a rule printed while this petition was classified. */
export interface LogLine {
  rule: string;
  message: string;
}

/** The verdict on one petition: the same JSON as the CLI's `classify` line. */
export interface Verdict {
  /** The caller's id, echoed. */
  id?: unknown;
  /** `needs_info`: one unknown fact could change the route; ask for the fields in `missing`. */
  status: 'decided' | 'needs_info';
  /** With `needs_info`: petition fields (JSON paths) whose answer could change the route. */
  missing?: string[];
  /**
   * With `needs_info` because the evidence for the two likeliest routes is close: the one
   * question that separates them (e.g. 是否已经申请劳动仲裁？).
   */
  question?: string;
  route: Route;
  category: Coded;
  /** 诉访分离: leaves the 信访 procedure for litigation or mediation. */
  separated: boolean;
  difficulty: Difficulty;
  delegation: Delegation;
  /** Deadlines by key (e.g. `accept_notice`, `handle`). */
  deadlines: Record<string, Deadline>;
  /** Flag codes. */
  flags: string[];
  violations?: Violation[];
  /** Warnings about the petition (e.g. unknown fields). */
  warnings?: Diagnostic[];
  /** Every rule that fired, in order. */
  trace: TraceEntry[];
  log?: LogLine[];
  ruleset: RulesetInfo;
  /** Engine version. */
  engine: string;
  /** SHA-256 of the canonical petition. */
  input_hash: string;
}

/** A classification: the verdict and its exact JSON (the CLI's line, byte for byte). */
export interface Classified {
  ok: true;
  verdict: Verdict;
  json: string;
}

/** What `classify` returns: never throws. */
export type ClassifyResult = Classified | Failure;

// ---------------------------------------------------------------------------------------------
// The ruleset's own cases

/** Expected keys of a case; only named keys are compared. */
export interface Expect {
  route?: string;
  category?: string;
  tier?: string;
  level?: string;
  status?: 'decided' | 'needs_info';
  accepted?: boolean;
  separated?: boolean;
  flags?: string[];
  has_flags?: string[];
  lacks_flags?: string[];
  missing?: string[];
  fires?: string[];
  not_fires?: string[];
  deadlines?: Record<string, DateString>;
  error?: string;
}

/** One test case of a ruleset (`cases/*.toml`). */
export interface Case {
  name: string;
  note?: string;
  location: Location | null;
  /** The petition as written in the case (not validated). */
  petition: unknown;
  today?: DateString;
  /** Manifest switches turned on or off for this case only. */
  switches?: Record<string, boolean>;
  expect: Expect;
}

/** One key that differs. */
export interface Mismatch {
  key: string;
  expected: string;
  actual: string;
}

/** The result of one case. */
export interface CaseResult {
  name: string;
  location: Location | null;
  passed: boolean;
  mismatches: Mismatch[];
  /** Classification error, when there was one. */
  error?: Diagnostic;
  /** Rules that fired. */
  fired: string[];
}

/** What `test()` returns. */
export type TestReport =
  | { ok: true; passed: number; failed: number; results: CaseResult[]; /** Rule ids no case fires. */ uncovered: string[] }
  | Failure;

// ---------------------------------------------------------------------------------------------
// Evaluation against labels (`evaluate()`, `fenliu eval`)

/** One annotator's labels, or the settled ones. Codes are the ruleset's. */
export interface EvalAnnotation {
  route?: string;
  category?: string;
  tier?: string;
  level?: string;
  /** Compared as a set. */
  flags?: string[];
  /** Confidence in the route: `high`, `medium` or `low`. */
  conf?: string;
}

/** One labelled petition: the expected codes, and optionally the petition's own fields. */
export interface EvalLabel extends EvalAnnotation {
  id: string;
  /** `train`, `dev` or `test`. */
  split?: string;
  /** Two annotators' independent labels, for the agreement table. */
  a?: EvalAnnotation;
  b?: EvalAnnotation;
  title?: string;
  text?: string;
  submitted_at?: string;
}

/** What a label is compared with: the verdict reduced to codes. */
export interface EvalPrediction {
  route: string;
  category: string;
  tier: string;
  level: string;
  flags: string[];
  /** The rule that set the route. */
  rule: string;
}

/** A proportion with its 95 % Wilson score interval. */
export interface Proportion { k: number; n: number; value: number; low: number; high: number }

/** The evaluation report. */
export interface EvalReport {
  split: string;
  n: number;
  /** Petitions that could not be classified. */
  errors: number;
  fields: { field: 'route' | 'category' | 'tier' | 'level' | 'flags'; accuracy: Proportion }[];
  /** `judicial` first, then TAXONOMY.md's order of precedence. */
  routes: { code: string; name: string; support: number; predicted: number; correct: number; precision: Proportion; recall: Proportion; f1: number }[];
  flags: { code: string; support: number; predicted: number; correct: number }[];
  /** Row: label; column: prediction; `error` last when a petition failed. */
  confusion: { codes: string[]; names: string[]; counts: number[][]; ids: string[][][] };
  misses: { id: string; expected: string; actual: string; rule: string }[];
  agreement?: { fields: { field: string; n: number; raw: Proportion; kappa: number }[]; route_disagreements: number };
}

/** What `evaluate()` returns. */
export type EvalResult = { ok: true; report: EvalReport } | Failure;

/** What `cases()` returns. */
export type CaseList = { ok: true; cases: Case[] } | Failure;

// ---------------------------------------------------------------------------------------------
// Options

/** A ruleset: file path inside the ruleset → file content. */
export type RulesetFiles = Record<string, string> | Map<string, string>;

/**
 * A ruleset saved as one JSON file by the workbench's 下载规则集 (`JSON.parse` of the file).
 * Its `fingerprint` is informational (the last edit that built); pin with `options.fingerprint`.
 */
export interface RulesetBundle {
  format: 'fenliu-ruleset-bundle/1';
  name?: string | null;
  version?: string | null;
  fingerprint?: string | null;
  saved_at?: string;
  files: Record<string, string>;
}

/**
 * A ruleset as `new Fenliu`, `checkRuleset` and the worker accept it: the files (object or
 * Map), a downloaded bundle object, or the text of either as a JSON string (e.g. a fetched or
 * read `规则集.json`).
 */
export type RulesetSource = RulesetFiles | RulesetBundle | string;

export interface FenliuOptions {
  /**
   * A compiled ruleset: the bytes of a `.fenliu` file (`fenliu build`, the workbench's
   * 下载规则包, `fenliu.bundle()`). What the portal runtime (`fenliu`) loads; omit both this
   * and `ruleset` for the built-in default.
   */
  bundle?: Uint8Array | ArrayBuffer | ArrayBufferView;
  /**
   * **Authoring build only** (`fenliu/authoring`): the ruleset's files (`manifest.toml`,
   * `*.rhai`, `lexicon/*.toml`, `cases/*.toml`), or what the workbench's 下载规则集 writes (the
   * parsed object or its JSON text). The portal runtime refuses it with `options.ruleset`.
   */
  ruleset?: RulesetSource;
  /** Refuse the ruleset unless its SHA-256 fingerprint is this (hex). */
  fingerprint?: string;
  /** Engine limits. Raising them is for tests and trusted rulesets only. */
  limits?: {
    /** Rhai operations per rule call (default 100,000). */
    maxOperations?: number;
  };
}

export interface ClassifyOptions {
  /**
   * Judges undated petitions by this day: `YYYY-MM-DD` as written, or a `Date`, which counts as
   * its date in China (UTC+8), whatever the machine's time zone. Default: today in China
   * (`dateInChina()`), as in the CLI. A petition's `submitted_at` wins.
   */
  today?: DateString | Date;
  /**
   * Leave the trace out (`trace` is `[]`); everything else is unchanged. For an as-you-type
   * pre-screen, which shows the route, tier, level, deadlines and flags but not why: the verdict
   * is about half the size and the call about a quarter faster.
   */
  brief?: boolean;
}
