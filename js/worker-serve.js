// The worker side of `fenliu/worker`: one Fenliu instance per worker, one request at a time.
// Messages: {id, method, args} in; {id, ok: true, value} or {id, ok: false, diagnostics} out.

/**
 * @param {any} Fenliu the class from index.js or node.js (the portal runtime)
 * @param {(handler: (msg: any) => void) => void} listen
 * @param {(msg: any) => void} post
 * @param {() => Promise<any>} authoring loads the authoring build's entry: only when a caller
 *   passes rule files (`ruleset`), so a portal's worker never downloads the rule compiler
 */
export function serve(Fenliu, listen, post, authoring) {
  let fenliu = null;
  listen(async ({ id, method, args }) => {
    try {
      let value;
      if (method === 'init') {
        const options = args[0];
        const Class = options?.ruleset != null && authoring ? (await authoring()).Fenliu : Fenliu;
        fenliu = await Class.create(options);
        value = { version: fenliu.version, ruleset: fenliu.ruleset };
      } else if (method === 'classify' || method === 'classifyMany' || method === 'check' || method === 'test' || method === 'cases') {
        value = fenliu[method](...args);
      } else {
        throw new Error(`unknown method ${method}`);
      }
      post({ id, ok: true, value, crashed: crashedIn(value) });
    } catch (e) {
      const diagnostics = e?.diagnostics ?? [{ code: 'worker.failed', severity: 'error', message: `工作线程出错：${e?.message ?? e}`, help: '请刷新页面；如果重复出现，请报告给开发者。' }];
      post({ id, ok: false, diagnostics, crashed: diagnostics.some((d) => d.code === 'engine.crashed') });
    }
  });
}

function crashedIn(value) {
  const results = Array.isArray(value) ? value : [value];
  return results.some((r) => r && r.ok === false && r.errors?.some((d) => d.code === 'engine.crashed'));
}
