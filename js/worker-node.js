// `fenliu/worker` in Node: the same API on a worker_threads Worker.
import { Worker } from 'node:worker_threads';
import { makeWorkerClass } from './worker-client.js';

export { FenliuError } from './core.js';
export { DEFAULT_TIMEOUT_MS } from './worker-client.js';
export { citizenView, fitPetition, prescreen, prescreenSupport, truncationNotice, CITIZEN_DEADLINES, EMERGENCY, EMERGENCY_LINES, MAX_TEXT_CHARS, PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE } from './citizen.js';

export const FenliuWorker = makeWorkerClass(() => {
  const worker = new Worker(new URL('./worker-thread-node.js', import.meta.url));
  // A worker must not keep the process alive once its owner is done with it.
  worker.unref();
  return {
    post: (msg) => worker.postMessage(msg),
    onMessage: (cb) => worker.on('message', cb),
    onError: (cb) => {
      worker.on('error', cb);
      worker.on('exit', (code) => code !== 0 && cb(new Error(`exit code ${code}`)));
    },
    terminate: () => { worker.terminate(); },
  };
});
