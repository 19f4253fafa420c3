// Loaded by <script type="module" src="script-tag.js">: no bundler, works under a strict CSP
// (script-src 'self' 'wasm-unsafe-eval'). The .wasm is fetched from next to the package's glue.
import { Fenliu } from '/vendor/fenliu/js/index.js';

const fenliu = await Fenliu.create();
const result = fenliu.classify({ text: '楼下饭店每天半夜噪音扰民' });
document.getElementById('route').textContent = result.ok ? result.verdict.route.name : result.errors[0].message;
