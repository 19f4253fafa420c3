// Types of the citizen-facing helpers (js/citizen.js), exported by `fenliu` and `fenliu/worker`.
import type { ClassifyOptions, Diagnostic, Petition, Verdict } from './types.js';

/** Largest `text` the engine reads, in characters (Unicode code points): 20,000. */
export declare const MAX_TEXT_CHARS: number;
/** The one sentence to show when the pre-screen cannot run in this browser. */
export declare const PRESCREEN_UNAVAILABLE: string;
/** 110, 119, 120 and 12356, in that order. */
export declare const EMERGENCY_LINES: readonly EmergencyLine[];
/** The notice shown first when a verdict carries the `urgent` flag. */
export declare const EMERGENCY: EmergencyNotice;
/** Deadline keys of the default ruleset that concern the citizen. */
export declare const CITIZEN_DEADLINES: readonly string[];
/** The plain note under every pre-screen (a suggestion; the receiving office decides). */
export declare const SUGGESTION_NOTE: string;

/** An emergency telephone line. */
export interface EmergencyLine {
  /** e.g. `110`. */
  readonly number: string;
  /** e.g. 报警电话. */
  readonly name: string;
  /** When to call it, in plain Chinese. */
  readonly use: string;
}

/** What to show first when a life may be at risk. */
export interface EmergencyNotice {
  readonly title: string;
  readonly message: string;
  readonly lines: readonly EmergencyLine[];
}

/** How much of a long text the engine read. */
export interface Truncation {
  /** Characters the citizen typed. */
  total: number;
  /** Characters the pre-screen read (`MAX_TEXT_CHARS`). */
  read: number;
}

/** A notice to show with the pre-screen (e.g. `text.truncated`). */
export interface CitizenNotice {
  code: 'text.truncated';
  /** Chinese, for the citizen. */
  message: string;
}

/** The suggested channel, worded as a suggestion. */
export interface SuggestedChannel {
  /** Route code, for portals that branch on it. */
  code: string;
  name: string;
  /** Who usually handles it. */
  handler: string;
  /** True when the matter has its own statutory channel (litigation, arbitration, reconsideration …) rather than the 信访 procedure. */
  statutory: boolean;
  /** One sentence: where this kind of matter usually goes (never 受理 / 不予受理). */
  summary: string;
  /** Why: the kinds of words in the petition that point there (empty when none stand out). */
  why: string;
  /** The legal basis. */
  basis: string[];
}

/** A time limit that concerns the citizen. */
export interface CitizenTimeLimit {
  key: string;
  name: string;
  date: string;
  days: number;
  working_days: boolean;
  /** e.g. `告知是否受理（…）：2024-06-16 前（15 日内）`. */
  text: string;
}

/**
 * What a citizen reads: no difficulty tier, no delegation level, no office deadlines, no rule
 * evidence; nothing that reads as a decision.
 */
export interface CitizenView {
  /** Shown first when the verdict carries `urgent`; otherwise null. */
  emergency: EmergencyNotice | null;
  status: Verdict['status'];
  /** With `needs_info`: the petition fields to ask about (JSON paths). */
  missing: string[];
  /** With `needs_info`: the one question that separates the two likeliest channels. */
  question: string | null;
  channel: SuggestedChannel;
  /** What to prepare and where to go (the route's guidance). */
  prepare: string;
  /** Sorted by date. */
  timeLimits: CitizenTimeLimit[];
  /** How the dates are counted (empty when there are none). */
  timeLimitsNote: string;
  /** This is a suggestion; the receiving office decides. */
  note: string;
  /** e.g. that only the first 20,000 characters were read. */
  notices: CitizenNotice[];
}

/** The citizen's view of a verdict. */
export declare function citizenView(verdict: Verdict, options?: { truncated?: Truncation | null; deadlines?: readonly string[] }): CitizenView;

/** Cuts `text` to `MAX_TEXT_CHARS` characters (never inside one); `truncated` says whether it did. */
export declare function fitPetition<P extends Petition>(petition: P): { petition: P; truncated: Truncation | null };

/** The Chinese notice for a cut text. */
export declare function truncationNotice(truncated: Truncation): CitizenNotice;

/** `fitPetition`, a brief classification with a `Fenliu` or `FenliuWorker`, and `citizenView`. */
export declare function prescreen(
  fenliu: { classify(petition: Petition, options?: ClassifyOptions): unknown },
  petition: Petition,
  options?: ClassifyOptions,
): Promise<{ ok: true; view: CitizenView; verdict: Verdict } | { ok: false; errors: Diagnostic[] }>;

/** Whether the pre-screen can run in this browser (checked without loading the engine). */
export declare function prescreenSupport(): { ok: true } | { ok: false; reason: 'no_wasm' | 'no_reference_types'; message: string };
