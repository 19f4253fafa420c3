// Shared by the JS tests: paths, the native CLI (the reference the package must equal), and
// rulesets read from folders the way a portal would pass them (path → content).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const fixtures = join(root, 'tests/js/fixtures');

/** The real portal messages, or null when ../shared is absent (they are not ours to copy). */
export const portalMessages = (() => {
  const p = join(root, '../shared/data/portal-messages.jsonl');
  return existsSync(p) ? p : null;
})();

/** Debian's Chromium (the tests never download a browser). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser tests must skip, or null when Chromium is there. In CI a missing Chromium
 * throws instead: the suite must not pass by skipping.
 */
export function chromiumMissing() {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} is missing (bash scripts/setup.sh installs Debian's chromium)`;
  if (process.env.CI) throw new Error(reason);
  return reason;
}

/** Launches that Chromium headless with the flags this machine needs (and `extraArgs`, e.g. `--js-flags=--noexpose_wasm`). */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/** A fixed date for undated petitions, so native and WASM judge by the same day. */
export const TODAY = '2024-06-01';

/** Reads a ruleset folder into {path: content}, skipping dot files. */
export function readRuleset(dir) {
  const out = {};
  (function walk(d) {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).replaceAll('\\', '/')] = readFileSync(p, 'utf8');
    }
  })(dir);
  return out;
}

/** The fixture ruleset plus the rules that misbehave when a petition names them. */
export function trapRuleset(extra = {}) {
  return {
    ...readRuleset(join(fixtures, 'mini')),
    'lexicon/traps.toml': readFileSync(join(fixtures, 'traps/lexicon.toml'), 'utf8'),
    'traps.rhai': readFileSync(join(fixtures, 'traps/traps.rhai'), 'utf8'),
    ...extra,
  };
}

let cli = null;
/** Path of the native CLI, built once per test process (`cargo build --release --features cli`). */
export function nativeCli() {
  if (!cli) {
    execFileSync('cargo', ['build', '--release', '--quiet', '--features', 'cli', '--bin', 'fenliu'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    cli = join(root, 'target/release/fenliu');
  }
  return cli;
}

/** Runs the native CLI; returns stdout (whatever the exit code). */
export function runCli(args, input) {
  try {
    return execFileSync(nativeCli(), args, { cwd: root, input, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch (e) {
    if (typeof e.stdout === 'string') return e.stdout;
    throw e;
  }
}

/** `Diagnostic`'s Display in Rust (src/error.rs), to compare with the CLI's text output. */
export function displayDiagnostic(d) {
  const kind = d.severity === 'error' ? '错误' : '警告';
  let s = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : '';
  s += `${kind}[${d.code}]: ${d.message}`;
  if (d.path) s += `（位置：${d.path}）`;
  if (d.help) s += `\n  提示：${d.help}`;
  return s;
}

/** What `fenliu test` prints for these case results (src/bin/fenliu.rs). */
export function displayTestReport(report) {
  const lines = [];
  for (const r of report.results) {
    const at = r.location ? `${r.location.file}:${r.location.line}:${r.location.column} ` : '';
    lines.push(`${r.passed ? '✓' : '✗'} ${at}${r.name}`);
    if (r.passed) continue;
    for (const m of r.mismatches) lines.push(`    ${m.key}：期望 ${m.expected}，实际 ${m.actual}`);
    if (r.error) lines.push(`    ${displayDiagnostic(r.error).replaceAll('\n', '\n    ')}`);
  }
  lines.push('', `${report.passed} passed, ${report.failed} failed`);
  return `${lines.join('\n')}\n`;
}
