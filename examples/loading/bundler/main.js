// Vite or webpack 5: import by package name; the bundler copies the .wasm and the worker.
import { Fenliu } from 'fenliu';
import { FenliuWorker } from 'fenliu/worker';

const petition = { text: '楼下饭店每天半夜噪音扰民' };

const fenliu = await Fenliu.create();
const result = fenliu.classify(petition);
document.getElementById('route').textContent = result.ok ? result.verdict.route.name : result.errors[0].message;

// The same API off the main thread, with a timeout on every call.
const worker = await FenliuWorker.create({ timeout: 3000 });
const fromWorker = await worker.classify(petition);
document.getElementById('worker-route').textContent = fromWorker.ok ? fromWorker.verdict.route.name : fromWorker.errors[0].message;
