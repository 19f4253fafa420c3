// A small static server for the portal example and the browser tests, with the strict
// Content-Security-Policy a government portal uses. It serves the package the way a portal
// deploys it: `npm pack`, unpacked under /vendor/fenliu/ (so only the files the package
// publishes are there), and the example page at /.
//
//   npm run example            → http://127.0.0.1:8080/  (npm run build first)
//   node scripts/serve.mjs 0   → any free port
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
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Packs the package (what npm would publish) and unpacks it into test-results/package/. */
export function packPackage() {
  if (!existsSync(join(root, 'dist/wasm/fenliu_bg.wasm'))) {
    throw new Error('dist/wasm/fenliu_bg.wasm is missing: run `npm run build` first');
  }
  const out = join(root, 'test-results/package');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(out, name), '-C', out, '--strip-components=1']);
  rmSync(join(out, name));
  return out;
}

/**
 * Starts the server. `mounts` maps URL prefixes to folders, longest prefix first.
 * Resolves to {url, close}.
 */
export function serve({ port = 0, mounts, headers = {} }) {
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
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}`, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CSP });
  res.end('not found');
}

/** The example site: the page at /, the packed package at /vendor/fenliu/. */
export function serveExample(port = 0, extraMounts = {}) {
  const pkg = packPackage();
  return serve({ port, mounts: { '/': join(root, 'examples/portal-form'), '/vendor/fenliu/': pkg, ...extraMounts } });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8080);
  const { url } = await serveExample(port);
  console.log(`portal example: ${url}/  (Ctrl-C to stop)`);
}
