// The page side of `fenliu/worker`: the Fenliu API, async, with a timeout on every call. A call
// that runs past its timeout (a slow or looping rule) gets a FenliuError with code
// `worker.timeout`; the worker is terminated and a fresh one built from the same options, so
// the page never freezes and the next call works. Calls run one at a time, in order; a call's
// clock starts when the worker takes it.
import { FenliuError, diagnostic, petitionJson, todayOf } from './core.js';

export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * @param {() => {post(msg: any): void, onMessage(cb: (msg: any) => void): void, onError(cb: (e: any) => void): void, terminate(): void}} spawn
 */
export function makeWorkerClass(spawn) {
  class FenliuWorker {
    #options;
    #timeout;
    #worker = null;
    #info = null;
    #queue = [];
    #current = null;
    #nextId = 1;
    #closed = false;

    /**
     * Starts a worker and builds the ruleset in it. Rejects with a FenliuError.
     * @param {import('./worker.js').FenliuWorkerOptions} [options]
     */
    static async create(options = {}) {
      const w = new FenliuWorker(options);
      try {
        await w.#start();
      } catch (e) {
        w.terminate();
        throw e;
      }
      return w;
    }

    constructor(options = {}) {
      const { timeout, ...fenliuOptions } = options;
      if (fenliuOptions.ruleset instanceof Map) fenliuOptions.ruleset = Object.fromEntries(fenliuOptions.ruleset);
      this.#options = fenliuOptions;
      this.#timeout = timeout ?? DEFAULT_TIMEOUT_MS;
    }

    /** Engine version. */
    get version() {
      return this.#info?.version;
    }

    /** The compiled ruleset's name, version and fingerprint. */
    get ruleset() {
      return this.#info?.ruleset;
    }

    /** Classifies one petition off the main thread. */
    async classify(petition, options = {}) {
      const { json, failure } = petitionJson(petition);
      if (failure) return failure;
      return this.#call('classify', [json, { today: todayOf(options), brief: options.brief === true }], options.timeout);
    }

    /** Classifies many petitions in one worker call (one timeout for the batch). */
    async classifyMany(petitions, options = {}) {
      const items = Array.from(petitions, petitionJson);
      const jsons = items.filter((i) => !i.failure).map((i) => i.json);
      const results = await this.#call('classifyMany', [jsons, { today: todayOf(options), brief: options.brief === true }], options.timeout);
      let k = 0;
      return items.map((i) => i.failure ?? results[k++]);
    }

    /** Warnings of this ruleset. */
    check(options = {}) {
      return this.#call('check', [], options.timeout);
    }

    /** Runs the ruleset's own cases. */
    test(options = {}) {
      return this.#call('test', [], options.timeout);
    }

    /** The ruleset's own cases. */
    cases(options = {}) {
      return this.#call('cases', [], options.timeout);
    }

    /** Stops the worker; pending calls reject with `worker.terminated`. */
    terminate() {
      this.#closed = true;
      this.#worker?.terminate();
      this.#worker = null;
      const err = () => new FenliuError([diagnostic('worker.terminated', '工作线程已停止', '重新创建：await FenliuWorker.create(…)。')]);
      this.#current?.reject(err());
      this.#current = null;
      for (const c of this.#queue.splice(0)) c.reject(err());
    }

    async #start() {
      this.#spawn();
      this.#info = await this.#call('init', [this.#options], undefined, true);
    }

    #spawn() {
      const worker = spawn();
      worker.onMessage((msg) => this.#onMessage(worker, msg));
      worker.onError((e) => this.#onError(worker, e));
      this.#worker = worker;
    }

    #call(method, args, timeout, front = false) {
      if (this.#closed) {
        return Promise.reject(new FenliuError([diagnostic('worker.terminated', '工作线程已停止', '重新创建：await FenliuWorker.create(…)。')]));
      }
      return new Promise((resolve, reject) => {
        const call = { id: this.#nextId++, method, args, timeout: timeout ?? this.#timeout, resolve, reject, timer: null };
        if (front) this.#queue.unshift(call);
        else this.#queue.push(call);
        this.#pump();
      });
    }

    #pump() {
      if (this.#current || !this.#worker) return;
      const call = this.#queue.shift();
      if (!call) return;
      this.#current = call;
      call.timer = setTimeout(() => this.#onTimeout(call), call.timeout);
      try {
        this.#worker.post({ id: call.id, method: call.method, args: call.args });
      } catch (e) {
        // DataCloneError: something in the arguments cannot be sent to a worker.
        this.#finish(call);
        call.reject(new FenliuError([diagnostic('worker.data', `参数无法发送到工作线程：${e?.message ?? e}`, '只传普通对象和字符串。')]));
      }
    }

    #finish(call) {
      clearTimeout(call.timer);
      if (this.#current === call) this.#current = null;
      queueMicrotask(() => this.#pump());
    }

    #onMessage(worker, msg) {
      const call = this.#current;
      if (worker !== this.#worker || !call || msg.id !== call.id) return;
      this.#finish(call);
      if (msg.crashed) this.#replace();
      if (msg.ok) call.resolve(msg.value);
      else call.reject(new FenliuError(msg.diagnostics));
    }

    #onError(worker, e) {
      if (worker !== this.#worker) return;
      const call = this.#current;
      this.#replace();
      if (call) {
        this.#finish(call);
        call.reject(new FenliuError([diagnostic('worker.crashed', `工作线程意外退出：${e?.message ?? e}`, '已自动换用新的工作线程；如果重复出现，请把信访件和规则报告给开发者。')]));
      }
    }

    #onTimeout(call) {
      if (this.#current !== call) return;
      this.#current = null;
      this.#replace();
      call.reject(new FenliuError([diagnostic('worker.timeout', `“${call.method}”超过 ${call.timeout} 毫秒未完成，已中止`, '规则可能过慢或陷入死循环：请运行 check() / test() 检查规则；必要时调大 timeout。')]));
      this.#pump();
    }

    // Terminates the worker and starts a fresh one with the same options. The init goes to the
    // front of the queue, so calls waiting behind it run in the new worker.
    #replace() {
      this.#worker?.terminate();
      this.#worker = null;
      if (this.#closed) return;
      this.#spawn();
      this.#call('init', [this.#options], undefined, true).catch((e) => {
        for (const c of this.#queue.splice(0)) c.reject(e);
      });
    }
  }
  return FenliuWorker;
}
