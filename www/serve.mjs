// `npm start` (after `npm run build`) and `npm run workbench`: builds the workbench page and
// serves it on localhost with the same strict Content-Security-Policy as the portal example.
//
//   node www/serve.mjs [port]     (default 5180; 0 = any free port)
import { buildWorkbench } from './build.mjs';
import { serve } from '../scripts/serve.mjs';

const port = Number(process.argv[2] ?? process.env.PORT ?? 5180);
const dir = await buildWorkbench();
const { url } = await serve({ port, mounts: { '/': dir } });
console.log(`分流规则工作台 / fenliu rule workbench: ${url}/  (Ctrl-C to stop)`);
