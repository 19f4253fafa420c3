// Vite config of the workbench page. The page imports `fenliu` by name from
// www/node_modules/fenliu, which www/build.mjs fills with the packed package (what `npm install
// fenliu` would lay out), so the page uses the built package exactly as a user would.
//
// The `offline` plugin writes sw.js after the build: a service worker that precaches every file
// of the build, so the page works without a network once it has loaded.
import { defineConfig } from 'vite';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

function offline() {
  let outDir;
  return {
    name: 'workbench-offline',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = [];
      const hash = createHash('sha256');
      (function walk(dir) {
        for (const name of readdirSync(dir).sort()) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) walk(p);
          else if (name !== 'sw.js') {
            const rel = relative(outDir, p).replaceAll('\\', '/');
            files.push(rel);
            hash.update(rel).update(readFileSync(p));
          }
        }
      })(outDir);
      const version = hash.digest('hex').slice(0, 16);
      const template = readFileSync(join(here, 'sw.js'), 'utf8');
      // './' is the page itself (a navigation to the folder); index.html is also listed.
      const head = `const VERSION = ${JSON.stringify(version)};\nconst FILES = ${JSON.stringify(['./', ...files])};\n`;
      writeFileSync(join(outDir, 'sw.js'), head + template);
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  // The page has no public/ folder: every file it serves comes out of the build.
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The .wasm (1.8 MB) is the largest file and must stay a separate file.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
  plugins: [offline()],
});
