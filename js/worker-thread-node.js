// Runs inside the worker_threads Worker that `fenliu/worker` starts in Node.
import { parentPort } from 'node:worker_threads';
import { Fenliu } from './node.js';
import { serve } from './worker-serve.js';

serve(Fenliu, (handler) => parentPort.on('message', handler), (msg) => parentPort.postMessage(msg), () => import('./authoring-node.js'));
