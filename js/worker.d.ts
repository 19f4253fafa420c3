// Types of `fenliu/worker`: the Fenliu API in a Web Worker (worker_threads in Node), async,
// with a timeout on every call.
import type {
  CaseList, ClassifyOptions, ClassifyResult, Diagnostic, FenliuOptions, Petition, RulesetInfo, TestReport,
} from './types.js';

export type * from './types.js';
export * from './citizen.js';
export { FenliuError } from './index.js';

/** The timeout of a call when none is given, in milliseconds. */
export declare const DEFAULT_TIMEOUT_MS: number;

export interface FenliuWorkerOptions extends FenliuOptions {
  /** Milliseconds a call may take before the worker is replaced and the call rejects with `worker.timeout` (default 5000). */
  timeout?: number;
}

export interface CallOptions {
  /** This call's timeout in milliseconds. */
  timeout?: number;
}

/**
 * The Fenliu API off the main thread. Classification failures resolve as `{ ok: false, errors }`
 * like the main-thread API; a call rejects (with a FenliuError) only when the worker fails:
 * `worker.timeout` (the worker was replaced; later calls work), `worker.crashed`,
 * `worker.terminated`.
 */
export declare class FenliuWorker {
  /** Starts a worker and builds the ruleset in it. Rejects with a FenliuError. */
  static create(options?: FenliuWorkerOptions): Promise<FenliuWorker>;
  private constructor(options?: FenliuWorkerOptions);
  readonly version: string;
  readonly ruleset: Readonly<RulesetInfo>;
  classify(petition: Petition | string, options?: ClassifyOptions & CallOptions): Promise<ClassifyResult>;
  /** Classifies many petitions in one call (one timeout for the batch). */
  classifyMany(petitions: Iterable<Petition | string>, options?: ClassifyOptions & CallOptions): Promise<ClassifyResult[]>;
  check(options?: CallOptions): Promise<Diagnostic[]>;
  test(options?: CallOptions): Promise<TestReport>;
  cases(options?: CallOptions): Promise<CaseList>;
  /** Stops the worker; pending and later calls reject with `worker.terminated`. */
  terminate(): void;
}
