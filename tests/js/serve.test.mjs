// `npm start`, `npm run workbench` and `npm run example` on a taken port (issue 14, item 7): a
// Chinese sentence naming the port and the command to type instead, never a stack trace; the
// default port moves to the next free one and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { root } from './helpers.mjs';
import { choosePort, serve } from '../../scripts/serve.mjs';

/** Occupies a free port on 127.0.0.1; resolves to {port, close}. */
async function occupy(port = 0) {
  const s = createServer();
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', resolve);
  });
  return { port: s.address().port, close: () => new Promise((r) => s.close(r)) };
}

for (const [script, command] of [['www/serve.mjs', 'PORT='], ['scripts/serve.mjs', 'PORT=']]) {
  test(`${script} on a taken port names it and suggests another, without a stack trace`, async () => {
    const busy = await occupy();
    try {
      // spawnSync would block the event loop that holds the busy port open: fine, the port
      // stays bound by the kernel while this process waits.
      const run = spawnSync(process.execPath, [join(root, script), String(busy.port)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`端口 ${busy.port} 已被占用`));
      assert.match(run.stderr, new RegExp(`${command}\\d+`), 'suggests a free port');
      assert.doesNotMatch(run.stderr, /\n\s+at |EADDRINUSE|Error:/, 'no stack trace');
      assert.equal(run.stdout, '');
    } finally {
      await busy.close();
    }
  });
}

test('PORT names the port too', async () => {
  const busy = await occupy();
  try {
    const run = spawnSync(process.execPath, [join(root, 'www/serve.mjs')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PORT: String(busy.port) } });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`端口 ${busy.port} 已被占用`));
  } finally {
    await busy.close();
  }
});

test('a taken default port moves to the next free one', async () => {
  const busy = await occupy();
  try {
    const how = (p) => `PORT=${p} npm start`;
    const chosen = await choosePort(busy.port, { explicit: false, how });
    assert.equal(chosen.moved, true);
    assert.ok(chosen.port > busy.port);
    await assert.rejects(choosePort(busy.port, { explicit: true, how }), (e) => e.code === 'port_in_use' && e.message.includes(String(busy.port)));
    assert.deepEqual(await choosePort(0, { explicit: true, how }), { port: 0, moved: false });
    await assert.rejects(choosePort(70000, { explicit: true, how }), (e) => e.code === 'port_invalid');
  } finally {
    await busy.close();
  }
});

test('serve() on a taken port rejects with the same sentence', async () => {
  const busy = await occupy();
  try {
    await assert.rejects(serve({ port: busy.port, mounts: { '/': root } }), (e) => e.name === 'ServeError' && e.message.startsWith(`端口 ${busy.port} 已被占用`));
  } finally {
    await busy.close();
  }
});
