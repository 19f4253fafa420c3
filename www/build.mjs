// Builds the workbench page: packs the npm package (only the files it publishes: js/, dist/wasm/)
// into www/node_modules/fenliu, as `npm install fenliu` would, then runs Vite on www/.
//
//   node www/build.mjs            → www/dist/
//   import { buildWorkbench } from './www/build.mjs'; await buildWorkbench({ outDir })
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const www = fileURLToPath(new URL('.', import.meta.url));
const root = join(www, '..');

/** Packs the package and unpacks it into www/node_modules/fenliu. */
export function installPackage() {
  if (!existsSync(join(root, 'dist/wasm/fenliu_bg.wasm'))) {
    throw new Error('dist/wasm/fenliu_bg.wasm is missing: run `npm run build` first');
  }
  const tmp = mkdtempSync(join(tmpdir(), 'fenliu-pack-'));
  try {
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
    const dest = join(www, 'node_modules/fenliu');
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    execFileSync('tar', ['-xzf', join(tmp, name), '-C', dest, '--strip-components=1']);
    return dest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds the page into `outDir` (default www/dist). Resolves to the output folder. */
export async function buildWorkbench({ outDir = join(www, 'dist'), logLevel = 'warn' } = {}) {
  installPackage();
  const { build } = await import('vite');
  await build({ configFile: join(www, 'vite.config.js'), logLevel, build: { outDir, emptyOutDir: true } });
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildWorkbench({ logLevel: 'info' });
  console.log(`workbench built: ${out}`);
}
