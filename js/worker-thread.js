// Runs inside the Web Worker that `fenliu/worker` starts (browsers and bundlers).
import { Fenliu } from './index.js';
import { serve } from './worker-serve.js';

serve(Fenliu, (handler) => { self.onmessage = (e) => handler(e.data); }, (msg) => self.postMessage(msg), () => import('./authoring.js'));
