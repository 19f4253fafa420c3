// The page side of engine-worker.js: one call at a time, each with a timeout. A call that runs
// past it (a rule that is slow on every petition) terminates the worker; a fresh one is started
// and brought back to the last good ruleset and baseline, so the page never freezes.

export class EngineClient {
  #worker = null;
  #pending = new Map();
  #nextId = 1;
  #restore;

  /** @param {(client: EngineClient) => Promise<void>} restore brings a fresh worker back to the page's state */
  constructor(restore) {
    this.#restore = restore;
    this.#spawn();
  }

  #spawn() {
    const worker = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module', name: 'fenliu-engine' });
    worker.onmessage = ({ data }) => {
      const call = this.#pending.get(data.id);
      if (!call) return;
      this.#pending.delete(data.id);
      clearTimeout(call.timer);
      if (data.ok) call.resolve(data.value);
      else call.reject(Object.assign(new Error(data.message), { diagnostics: data.diagnostics }));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.#fail(`规则引擎线程出错：${e.message ?? e}`, 'worker.crashed');
    };
    this.#worker = worker;
  }

  #fail(message, code) {
    this.#worker.terminate();
    for (const call of this.#pending.values()) {
      clearTimeout(call.timer);
      call.reject(Object.assign(new Error(message), { code }));
    }
    this.#pending.clear();
    this.#spawn();
    this.#restore(this).catch(() => {});
  }

  /** Calls `method(...args)` in the worker; rejects with code `worker.timeout` after `timeout` ms. */
  call(method, args = [], timeout = 15_000) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      const timer = setTimeout(() => {
        this.#fail(`“${method}”超过 ${timeout / 1000} 秒未完成，已中止：规则可能过慢或陷入死循环`, 'worker.timeout');
      }, timeout);
      this.#pending.set(id, { resolve, reject, timer });
      this.#worker.postMessage({ id, method, args });
    });
  }
}
