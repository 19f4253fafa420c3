// npm run check:syntax: the JavaScript we ship must parse in the browsers docs/npm.md supports.
//
//   1. es-check (pinned in devDependencies) checks the package's files (js/, the wasm-bindgen glue)
//      against the browsers that can run the pre-screen, feature by feature from MDN's
//      compatibility data; and the portal example's own scripts against the older browsers in
//      which the form must still work and say, calmly, that the pre-screen is not available.
//   2. es-check does not look inside regular expressions, so acorn's tokenizer (the parser es-check
//      uses) finds regex lookbehind, which iOS Safari before 16.4 cannot even parse: one such
//      regex stops the whole package from loading there.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { tokenizer, tokTypes } from 'acorn';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Browsers that run the pre-screen (WebAssembly with reference types): docs/npm.md. */
export const PACKAGE_BROWSERS = 'chrome >= 96, edge >= 96, firefox >= 91, safari >= 15, ios_saf >= 15';
/** Browsers in which the portal form must work and show the fallback sentence (Chromium 86: 360 安全浏览器 13). */
export const FORM_BROWSERS = 'chrome >= 80, edge >= 80, firefox >= 78, safari >= 13.1, ios_saf >= 13.4';

const groups = [
  { what: 'the package', query: PACKAGE_BROWSERS, files: ['js/*.js', 'dist/wasm/fenliu.js'], module: true },
  { what: 'the portal example (module)', query: FORM_BROWSERS, files: ['examples/portal-form/app.js'], module: true },
  { what: 'the portal example (no modules)', version: 'es5', files: ['examples/portal-form/nomodule.js'], module: false },
];

const esCheck = join(root, 'node_modules/.bin/es-check');
let failed = false;
for (const g of groups) {
  const args = g.version
    ? [g.version, ...g.files]
    : ['checkBrowser', ...g.files, `--browserslistQuery=${g.query}`, '--checkFeatures'];
  if (g.module) args.push('--module');
  try {
    execFileSync(esCheck, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    console.log(`ok   ${g.what}: ${g.files.join(' ')} (${g.version ?? g.query})`);
  } catch (e) {
    failed = true;
    console.error(`FAIL ${g.what}: ${g.files.join(' ')} (${g.version ?? g.query})\n${(e.stdout ?? '') + (e.stderr ?? '')}`);
  }
}

// Regex lookbehind, in literals and in strings that may reach new RegExp().
const lookbehind = /\(\?<[=!]/;
const files = execFileSync('git', ['ls-files', 'js/*.js', 'examples/portal-form/*.js'], { cwd: root, encoding: 'utf8' })
  .split('\n').filter(Boolean).concat(['dist/wasm/fenliu.js']);
for (const file of files) {
  const source = readFileSync(join(root, file), 'utf8');
  const lines = source.split('\n');
  try {
    for (const tok of tokenizer(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true })) {
      const text = tok.type === tokTypes.regexp ? tok.value.pattern : tok.type === tokTypes.string || tok.type === tokTypes.template ? String(tok.value) : null;
      if (text !== null && lookbehind.test(text)) {
        failed = true;
        console.error(`FAIL ${file}:${tok.loc.start.line}:${tok.loc.start.column + 1}: regex lookbehind (iOS Safari before 16.4 cannot parse it)\n  ${lines[tok.loc.start.line - 1].trim()}`);
      }
    }
  } catch (e) {
    failed = true;
    console.error(`FAIL ${file}: ${e.message}`);
  }
}
if (!failed) console.log(`ok   no regex lookbehind in ${files.length} files`);
process.exit(failed ? 1 : 0);
