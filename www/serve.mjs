// `npm start` (after `npm run build`) and `npm run workbench`: builds the workbench page and
// serves it on localhost with the same strict Content-Security-Policy as the portal example.
//
//   node www/serve.mjs [port]     (default 5180, or the next free port when it is taken;
//                                  0 = any free port; PORT=5190 npm start = exactly that port)
import { buildWorkbench } from './build.mjs';
import { choosePort, portFromArgs, runMain, serve } from '../scripts/serve.mjs';

await runMain(async () => {
  const how = (p) => `PORT=${p} npm start（或 npm run workbench -- ${p}）`;
  const asked = portFromArgs(5180);
  // Before the build (tens of seconds): a taken port is known at once.
  const { port, moved } = await choosePort(asked.port, { ...asked, how });
  const dir = await buildWorkbench();
  const { url } = await serve({ port, mounts: { '/': dir }, how });
  if (moved) console.log(`端口 ${asked.port} 已被占用，改用 ${port}。`);
  console.log(`分流规则工作台 / fenliu rule workbench: ${url}/  (Ctrl-C to stop)`);
});
