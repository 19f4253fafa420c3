// The page side of the batch: a few batch workers (one per core, at most four), each holding
// the loaded petitions and classifying its share of them. Progress is the sum of the workers'
// chunks; cancelling stops every worker between two chunks.

export class BatchPool {
  #workers;
  #runs = 0;
  #current = null;
  count = 0;

  constructor(size = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2))) {
    this.#workers = Array.from({ length: size }, (_, i) => {
      const w = new Worker(new URL('./batch-worker.js', import.meta.url), { type: 'module', name: `fenliu-batch-${i + 1}` });
      w.onerror = (e) => {
        e.preventDefault();
        this.#current?.fail(new Error(`批量分类线程出错：${e.message ?? e}`));
      };
      return w;
    });
  }

  get size() {
    return this.#workers.length;
  }

  /**
   * Loads a file into every worker. Resolves to what the first worker read (rows, problems).
   * `extra` files supply texts to a labels-only file (joined on id).
   */
  load(file, extra = []) {
    this.cancel();
    return Promise.all(this.#workers.map((w, i) => new Promise((resolve) => {
      const on = ({ data }) => {
        if (data.type !== 'loaded') return;
        w.removeEventListener('message', on);
        resolve(data);
      };
      w.addEventListener('message', on);
      w.postMessage({ type: 'load', file, extra, rows: i === 0 });
    }))).then(([first]) => {
      this.count = first.count;
      return first;
    });
  }

  /**
   * The evaluation report of a labelled file: `predictions` are the run's summaries, in file
   * order. Resolves to `{ok, report, indices}` (indices: file positions of the labelled rows).
   */
  evaluate({ files, fingerprint, predictions, split }) {
    const id = `e${++this.#runs}`;
    const w = this.#workers[0];
    return new Promise((resolve) => {
      const on = ({ data }) => {
        if (data.type !== 'evaluated' || data.id !== id) return;
        w.removeEventListener('message', on);
        resolve(data.result);
      };
      w.addEventListener('message', on);
      w.postMessage({ type: 'evaluate', id, files, fingerprint, predictions, split });
    });
  }

  /** The petition at `index`, as loaded. */
  petition(index) {
    const id = `p${++this.#runs}`;
    const w = this.#workers[0];
    return new Promise((resolve) => {
      const on = ({ data }) => {
        if (data.type !== 'petition' || data.id !== id) return;
        w.removeEventListener('message', on);
        resolve(data.petition);
      };
      w.addEventListener('message', on);
      w.postMessage({ type: 'petition', index, id });
    });
  }

  /**
   * Classifies every loaded petition with a ruleset. `onProgress(done, total)` follows the
   * chunks. Resolves to `{summaries, names, hits (rule id → petitions it fired for), ms}`, or `{cancelled: true}`; rejects when the
   * ruleset cannot be built in a worker.
   */
  run({ files, fingerprint, today, chunk = 100 }, onProgress = () => {}) {
    this.cancel();
    const run = ++this.#runs;
    const total = this.count;
    const n = this.#workers.length;
    const share = Math.ceil(total / n);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const done = new Array(n).fill(0);
      const parts = new Array(n).fill(null);
      const names = { routes: {}, tiers: {}, levels: {}, categories: {}, rules: {} };
      const hits = {};
      const listeners = [];
      const finish = (value, error) => {
        listeners.forEach(([w, on]) => w.removeEventListener('message', on));
        if (this.#current?.run === run) this.#current = null;
        if (error) reject(error);
        else resolve(value);
      };
      this.#current = {
        run,
        cancel: () => {
          this.#workers.forEach((w) => w.postMessage({ type: 'cancel', run }));
          finish({ cancelled: true });
        },
        fail: (e) => finish(null, e),
      };
      this.#workers.forEach((w, i) => {
        const start = Math.min(total, i * share);
        const end = Math.min(total, start + share);
        const on = ({ data }) => {
          if (data.run !== run) return;
          if (data.type === 'progress') {
            done[i] = data.done;
            onProgress(done.reduce((a, b) => a + b, 0), total);
          } else if (data.type === 'done') {
            parts[i] = data.summaries;
            for (const k of Object.keys(names)) Object.assign(names[k], data.names[k]);
            for (const [rule, c] of Object.entries(data.hits ?? {})) hits[rule] = (hits[rule] ?? 0) + c;
            if (parts.every(Boolean)) finish({ summaries: parts.flat(), names, hits, ms: performance.now() - t0, workers: n });
          } else if (data.type === 'failed') {
            this.#workers.forEach((x) => x.postMessage({ type: 'cancel', run }));
            finish(null, Object.assign(new Error(data.message), { diagnostics: data.diagnostics }));
          }
        };
        listeners.push([w, on]);
        w.addEventListener('message', on);
        w.postMessage({ type: 'run', run, files, fingerprint, start, end, today, chunk });
      });
    });
  }

  /** Stops the run in progress, if any. */
  cancel() {
    this.#current?.cancel();
  }

  get running() {
    return this.#current !== null;
  }
}
