// A small static server for the portal example and the browser tests, with the strict
// Content-Security-Policy a government portal uses. It serves the package the way a portal
// deploys it: `npm pack`, unpacked under /vendor/fenliu/ (so only the files the package
// publishes are there), and the example page at /.
//
//   npm run example            → http://127.0.0.1:8080/  (npm run build first; the next free
//                                 port when 8080 is taken)
//   node scripts/serve.mjs 0   → any free port;  PORT=8090 npm run example → exactly that port
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The policy the example page must work under: no inline script, no eval, wasm allowed. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.fenliu': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Packs the package (what npm would publish) and unpacks it into test-results/package/. */
export function packPackage() {
  if (!existsSync(join(root, 'dist/wasm/fenliu_bg.wasm'))) {
    throw new ServeError('缺少 dist/wasm/fenliu_bg.wasm：请先运行 npm run build');
  }
  const out = join(root, 'test-results/package');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(out, name), '-C', out, '--strip-components=1']);
  rmSync(join(out, name));
  return out;
}

/** A server that cannot start, told in a sentence for the terminal (no stack trace). */
export class ServeError extends Error {
  constructor(message, code = 'serve') {
    super(message);
    this.name = 'ServeError';
    this.code = code;
  }
}

/** Tries to listen on `port`; resolves to the server, or rejects with Node's error. */
function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (e) => reject(e);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

/** Whether `port` on 127.0.0.1 is free right now. */
async function isFree(port) {
  const probe = createServer();
  try {
    await listen(probe, port);
    await new Promise((r) => probe.close(r));
    return true;
  } catch {
    return false;
  }
}

/** The first free port after `port` (within 100), or 0 (any free port) when none is. */
export async function nextFreePort(port) {
  for (let p = port + 1; p < Math.min(port + 100, 65536); p++) if (await isFree(p)) return p;
  return 0;
}

/** Why `port` could not be used, in Chinese, with what to type instead. */
export async function portError(e, port, how) {
  if (e?.code === 'EADDRINUSE') {
    const other = await nextFreePort(port);
    const suggestion = other ? `换一个端口，例如：${how(other)}` : `换一个空闲端口：${how(0)}（0 表示任选空闲端口）`;
    return new ServeError(`端口 ${port} 已被占用（可能另一个服务或上次启动的页面还开着）。请关掉占用它的程序，或${suggestion}`, 'port_in_use');
  }
  if (e?.code === 'EACCES') return new ServeError(`没有权限使用端口 ${port}（1024 以下的端口需要管理员权限）。请换一个端口：${how(8080)}`, 'port_denied');
  if (e?.code === 'ERR_SOCKET_BAD_PORT' || e?.code === 'EINVAL') return new ServeError(`端口 "${port}" 不对：应是 0–65535 的整数。例如：${how(8080)}`, 'port_invalid');
  return new ServeError(`无法在端口 ${port} 上启动：${e?.message ?? e}`);
}

/**
 * Picks the port to serve on before any slow build: `port` itself when it is free; when it is
 * taken and `explicit` is false (the default port), the next free port, with `moved` set;
 * otherwise a ServeError naming the port and the command to type instead.
 * `how(port)` is that command, e.g. (p) => `PORT=${p} npm start`.
 */
export async function choosePort(port, { explicit, how }) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw await portError({ code: 'ERR_SOCKET_BAD_PORT' }, port, how);
  if (port === 0 || await isFree(port)) return { port, moved: false };
  if (!explicit) {
    const other = await nextFreePort(port);
    if (other) return { port: other, moved: true };
  }
  throw await portError({ code: 'EADDRINUSE' }, port, how);
}

/** The port a command line asks for: the first argument, else $PORT, else `fallback`. */
export function portFromArgs(fallback, argv = process.argv, env = process.env) {
  const given = argv[2] ?? env.PORT;
  return { port: given === undefined || given === '' ? fallback : Number(given), explicit: given !== undefined && given !== '' };
}

/** Runs a command-line entry point: a ServeError is one line on stderr and exit code 1. */
export async function runMain(main) {
  try {
    await main();
  } catch (e) {
    if (!(e instanceof ServeError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}

/**
 * Starts the server. `mounts` maps URL prefixes to folders, longest prefix first.
 * Resolves to {url, close}; rejects with a ServeError when the port cannot be used.
 */
export async function serve({ port = 0, mounts, headers = {}, how = (p) => `node scripts/serve.mjs ${p}` }) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    requests.push(url.pathname);
    const mount = entries.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!mount) return notFound(res);
    const rel = decodeURIComponent(url.pathname.slice(mount[0].length));
    let file = normalize(join(mount[1], rel));
    if (!file.startsWith(normalize(mount[1]) + sep) && file !== normalize(mount[1])) return notFound(res);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return notFound(res);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(readFileSync(file));
  });
  try {
    await listen(server, port);
  } catch (e) {
    throw await portError(e, port, how);
  }
  const { port: p } = server.address();
  return { url: `http://127.0.0.1:${p}`, requests, close: () => new Promise((r) => server.close(r)) };
}

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CSP });
  res.end('not found');
}

/** The example site: the page at /, the packed package at /vendor/fenliu/. */
export function serveExample(port = 0, extraMounts = {}, how = undefined) {
  const pkg = packPackage();
  return serve({ port, how, mounts: { '/': join(root, 'examples/portal-form'), '/vendor/fenliu/': pkg, ...extraMounts } });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runMain(async () => {
    const how = (p) => `PORT=${p} npm run example（或 node scripts/serve.mjs ${p}）`;
    const asked = portFromArgs(8080);
    const { port, moved } = await choosePort(asked.port, { ...asked, how });
    const { url } = await serveExample(port, {}, how);
    if (moved) console.log(`端口 ${asked.port} 已被占用，改用 ${port}。`);
    console.log(`portal example: ${url}/  (Ctrl-C to stop)`);
  });
}
