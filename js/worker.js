// `fenliu/worker` for browsers and bundlers: the Fenliu API in a Web Worker. The `new Worker(new
// URL(…, import.meta.url), {type: 'module'})` form is what Vite and webpack recognise.
import { makeWorkerClass } from './worker-client.js';

export { FenliuError } from './core.js';
export { DEFAULT_TIMEOUT_MS } from './worker-client.js';
export { citizenView, fitPetition, prescreen, prescreenSupport, truncationNotice, CITIZEN_DEADLINES, EMERGENCY, EMERGENCY_LINES, MAX_TEXT_CHARS, PRESCREEN_UNAVAILABLE, SUGGESTION_NOTE } from './citizen.js';

export const FenliuWorker = makeWorkerClass(() => {
  const worker = new Worker(new URL('./worker-thread.js', import.meta.url), { type: 'module' });
  return {
    post: (msg) => worker.postMessage(msg),
    onMessage: (cb) => worker.addEventListener('message', (e) => cb(e.data)),
    onError: (cb) => {
      worker.addEventListener('error', (e) => { e.preventDefault?.(); cb(e); });
      worker.addEventListener('messageerror', (e) => cb(e));
    },
    terminate: () => worker.terminate(),
  };
});
