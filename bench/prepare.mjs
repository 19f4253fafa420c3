// Run first by `npm run bench`: makes a clean checkout benchmarkable.
// - builds the npm package's wasm (`npm run build`) when dist/wasm is missing or older than the
//   Rust sources, the default rules or the build files;
// - compiles the shared decision into a bundle (bench/.cache/shared-decision.fenliu);
// - fetches GoRules ZEN's wasm32-wasi build into bench/.cache/ (see ZEN_WASI in engines.mjs);
// - checks that the shared decision's generated files (bench/shared/) are current.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureZenWasi, root } from './engines.mjs';
import { stale } from './shared/generate.mjs';

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n))));
}

const wasm = join(root, 'dist/wasm/fenliu_bg.wasm');
const sources = Math.max(...['src', 'rules', 'build.rs', 'Cargo.toml', 'Cargo.lock', 'scripts/build-wasm.sh'].map((p) => newest(join(root, p))));
if (!existsSync(wasm) || statSync(wasm).mtimeMs < sources) {
  console.log(existsSync(wasm) ? 'dist/wasm is older than the sources: npm run build' : 'dist/wasm is missing: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

// The shared decision compiled for the portal runtime, as a portal would deploy it.
const shared = join(root, 'bench/shared/fenliu');
const bundle = join(root, 'bench/.cache/shared-decision.fenliu');
if (!existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(sources, newest(shared))) {
  mkdirSync(join(root, 'bench/.cache'), { recursive: true });
  execFileSync('cargo', ['run', '--release', '--quiet', '--features', 'cli', '--', 'build', shared, '-o', bundle], { cwd: root, stdio: 'inherit' });
}

const zen = ensureZenWasi();
if (zen) console.log(`GoRules ZEN will be skipped: ${zen}`);

const bad = stale();
if (bad.length) {
  console.error(`bench/shared is stale (${bad.join(', ')}): run node bench/shared/generate.mjs`);
  process.exit(1);
}
