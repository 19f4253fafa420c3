// The ruleset the page edits: the default one (the repository's rules/ folder, bundled into the
// page at build time), or files the officer opens; the unsaved edits kept in localStorage; and
// the JSON bundle the page saves and opens.
//
// Only rule files are ever written to localStorage: never petitions, never batch results.

// The package compiles the same rules/ into its .wasm but has no call that returns the files,
// so the page bundles the folder itself; main.js checks that both give the same fingerprint.
const bundled = import.meta.glob(['../../rules/**/*.toml', '../../rules/**/*.rhai', '../../rules/**/*.md'], {
  query: '?raw', import: 'default', eager: true,
});

/** The default ruleset: path inside the ruleset → content. */
export function defaultFiles() {
  const files = {};
  for (const [p, content] of Object.entries(bundled)) files[p.replace(/^\.\.\/\.\.\/rules\//, '')] = content;
  return sortFiles(files);
}

const ORDER = (p) => (p === 'manifest.toml' ? 0 : p.endsWith('.rhai') ? 1 : p.startsWith('lexicon/') ? 2 : p.startsWith('cases/') ? 3 : 4);

/** Files in the order the file list shows them: manifest, rules, lexicons, cases, others. */
export function sortFiles(files) {
  const paths = Object.keys(files).sort((a, b) => ORDER(a) - ORDER(b) || a.localeCompare(b));
  return Object.fromEntries(paths.map((p) => [p, files[p]]));
}

/** The rank of a file's group in the file list (manifest 0 … notes 4). */
export const groupRank = ORDER;

/** Which group a file belongs to (file list headings). */
export function groupOf(path) {
  return ['清单', '规则', '词库', '案例', '说明'][ORDER(path)];
}

// ---------------------------------------------------------------------------------------------
// Unsaved edits in localStorage

const KEY = 'fenliu-workbench/edits/v1';

/**
 * Saves the edits: the files that differ from `original`, and `original` itself when it is not
 * the default ruleset (so an opened ruleset survives a reload too).
 */
export function saveEdits(original, files) {
  const changed = {};
  for (const [p, c] of Object.entries(files)) if (original.files[p] !== c) changed[p] = c;
  const removed = Object.keys(original.files).filter((p) => !(p in files));
  try {
    if (Object.keys(changed).length === 0 && removed.length === 0 && original.source === 'default') {
      localStorage.removeItem(KEY);
    } else {
      localStorage.setItem(KEY, JSON.stringify({
        savedAt: new Date().toISOString(),
        original: original.source === 'default' ? { source: 'default' } : original,
        changed,
        removed,
      }));
    }
    return true;
  } catch {
    return false; // storage full or disabled: the page still works, the edit is not kept
  }
}

/** The edits saved by an earlier visit, or null. */
export function loadEdits() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (!saved || typeof saved.changed !== 'object') return null;
    const original = saved.original?.source === 'default' || !saved.original?.files
      ? { source: 'default', label: '默认规则集', files: defaultFiles() }
      : saved.original;
    const files = { ...original.files };
    for (const p of saved.removed ?? []) delete files[p];
    Object.assign(files, saved.changed);
    return { original, files: sortFiles(files), savedAt: saved.savedAt, changedCount: Object.keys(saved.changed).length + (saved.removed?.length ?? 0) };
  } catch {
    return null;
  }
}

export function clearEdits() {
  try {
    localStorage.removeItem(KEY);
  } catch { /* nothing kept */ }
}

// ---------------------------------------------------------------------------------------------
// The last download of the whole ruleset: when, under what name, and a digest of each file, so a
// reload can tell edits that were downloaded from edits that were not. Digests only, no text.

const DOWNLOAD_KEY = 'fenliu-workbench/downloaded/v1';

/** FNV-1a (32 bits) of a string's UTF-16 units: enough to tell an edited file from a saved one. */
function digest(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Records that `files` were downloaded as `name`. */
export function markDownloaded(files, name) {
  try {
    localStorage.setItem(DOWNLOAD_KEY, JSON.stringify({
      at: new Date().toISOString(), name, files: Object.fromEntries(Object.entries(files).map(([p, c]) => [p, digest(c)])),
    }));
  } catch { /* storage full or disabled: the banner will not know about this download */ }
}

/** The last download, or null: `{at, name, files: path → digest}`. */
export function lastDownload() {
  try {
    const d = JSON.parse(localStorage.getItem(DOWNLOAD_KEY) ?? 'null');
    return d && typeof d.files === 'object' && d.files ? d : null;
  } catch {
    return null;
  }
}

/** How many files differ between `files` and the last download `d` (added, removed or edited). */
export function changedSinceDownload(d, files) {
  const paths = new Set([...Object.keys(d.files), ...Object.keys(files)]);
  let n = 0;
  for (const p of paths) if (!(p in files) || d.files[p] !== digest(files[p])) n++;
  return n;
}

export function clearDownloaded() {
  try {
    localStorage.removeItem(DOWNLOAD_KEY);
  } catch { /* nothing kept */ }
}

// ---------------------------------------------------------------------------------------------
// The JSON bundle: one file with every file of the ruleset and the fingerprint of the rules.

export const BUNDLE_FORMAT = 'fenliu-ruleset-bundle/1';

export function makeBundle(files, info) {
  return {
    format: BUNDLE_FORMAT,
    name: info?.name ?? null,
    version: info?.version ?? null,
    fingerprint: info?.fingerprint ?? null,
    saved_at: new Date().toISOString(),
    files,
  };
}

/**
 * Reads files the officer picked: one bundle (.json), or ruleset files (from a folder or picked
 * one by one; paths are taken relative to the folder that holds manifest.toml). Returns
 * `{files, label, fingerprint?}` or throws an Error with a Chinese message.
 */
export async function readPicked(fileList) {
  const picked = [...fileList];
  if (picked.length === 1 && /\.json$/i.test(picked[0].name)) {
    let bundle;
    try {
      bundle = JSON.parse(await picked[0].text());
    } catch (e) {
      throw new Error(`“${picked[0].name}”不是有效的 JSON：${e.message}`);
    }
    if (bundle?.format !== BUNDLE_FORMAT || typeof bundle.files !== 'object') {
      throw new Error(`“${picked[0].name}”不是本页保存的规则集包（缺少 format: "${BUNDLE_FORMAT}"）`);
    }
    const files = {};
    for (const [p, c] of Object.entries(bundle.files)) if (typeof c === 'string') files[p] = c;
    return { files: sortFiles(files), label: picked[0].name, fingerprint: bundle.fingerprint };
  }
  const entries = picked.filter((f) => /\.(toml|rhai|md)$/i.test(f.name)).map((f) => ({ f, path: (f.webkitRelativePath || f.name).replaceAll('\\', '/') }));
  const manifest = entries.find((e) => e.path === 'manifest.toml' || e.path.endsWith('/manifest.toml'));
  if (!manifest) throw new Error('所选文件中没有 manifest.toml：请选择规则集文件夹，或本页保存的规则集包（.json）');
  const base = manifest.path.slice(0, manifest.path.length - 'manifest.toml'.length);
  const files = {};
  for (const { f, path } of entries) {
    if (!path.startsWith(base)) continue;
    const rel = path.slice(base.length);
    if (rel.split('/').some((s) => s.startsWith('.'))) continue;
    files[rel] = await f.text();
  }
  return { files: sortFiles(files), label: base ? base.replace(/\/$/, '') : '所选文件' };
}

/** Offers `data` as a download named `name`. */
export function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
