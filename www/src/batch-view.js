// The "批量与对比" tab: load a file of petitions, classify them all in the batch workers (progress,
// cancel), chart the route / tier / level distribution, and compare the edited ruleset with
// the baseline (the ruleset before the edit): how many petitions change route, tier or level,
// which ones, old and new verdict side by side. Results are kept per ruleset fingerprint, so
// going back to an earlier edit, or comparing again, costs nothing.
import Papa from 'papaparse';
import { h, fmt } from './dom.js';
import { names as manifestNames } from './verdict-view.js';
import { BatchPool } from './batch-pool.js';

/** The words that decided a summary's route, as chips. */
function wordsOf(s) {
  if (!s.words?.length) return null;
  return h('div.words', { title: '决定途径的词：最有力的证据所命中的词' }, h('span.k', {}, '决定词 '), s.words.map((w) => h('span.word', {}, w)));
}

const COLORS = { baseline: '#a7b4c2', baselineBorder: '#6b7b8c', current: '#1f5fa8' };
const PAGE = 100;

const sameRoute = (a, b) => a.ok === b.ok && (a.ok ? a.route === b.route : a.code === b.code);
const sameTier = (a, b) => a.ok === b.ok && (!a.ok || a.tier === b.tier);
const sameLevel = (a, b) => a.ok === b.ok && (!a.ok || a.level === b.level);

export class BatchView {
  #els;
  #pool = null;
  #rows = [];
  #results = new Map(); // fingerprint → {summaries, names, ms, workers}
  #ruleset; // () => {current: {files, fingerprint, label}, baseline: {...}}
  #onOpen;
  #onBaseline;
  #onRule;
  #onResults;
  #routeList = null; // {code, shown} of the route whose petitions are listed
  #filter = 'any';
  #shown = PAGE;
  #job = 0;
  #chartsModule = null;
  #fileName = '';
  #labelled = null; // {count, splits} of a labelled file
  #evalJob = 0;

  constructor(els, { ruleset, onOpen, onBaseline, onRule = () => {}, onResults = () => {} }) {
    this.#els = els;
    this.#ruleset = ruleset;
    this.#onOpen = onOpen;
    this.#onBaseline = onBaseline;
    this.#onRule = onRule;
    this.#onResults = onResults;
    els.routeListMore.addEventListener('click', () => {
      if (!this.#routeList) return;
      this.#routeList.shown += PAGE;
      this.#renderRouteList();
    });
    els.file.addEventListener('change', () => {
      const [f, ...extra] = els.file.files;
      if (f) this.load(f, extra);
    });
    els.start.addEventListener('click', () => this.classify());
    els.cancel.addEventListener('click', () => this.cancel());
    els.csv.addEventListener('click', () => this.downloadCsv());
    els.filter.addEventListener('change', () => {
      this.#filter = els.filter.value;
      this.#shown = PAGE;
      this.#renderCompare();
    });
    els.more.addEventListener('click', () => {
      this.#shown += PAGE;
      this.#renderCompare();
    });
    els.setBaseline.addEventListener('click', () => this.#onBaseline());
    els.evalSplit.addEventListener('change', () => this.#renderEval());
  }

  get loaded() {
    return this.#rows.length > 0;
  }

  #status(text, state) {
    this.#els.status.textContent = text;
    if (state) this.#els.status.dataset.state = state;
  }

  /** Reads a file of petitions into the workers, then classifies it. */
  async load(file, extra = []) {
    this.#pool ??= new BatchPool();
    this.#job++;
    this.#results.clear();
    this.#rows = [];
    this.#fileName = file.name.replace(/\.[^.]*$/, '');
    // Nothing of the previous batch stays on screen.
    this.#els.charts.hidden = true;
    this.#els.compare.hidden = true;
    this.#els.eval.hidden = true;
    this.#els.routeList.hidden = true;
    this.#els.ruleHitsWrap.hidden = true;
    this.#els.problems.hidden = true;
    this.#routeList = null;
    this.#labelled = null;
    this.#els.csv.disabled = true;
    this.#els.status.removeAttribute('data-ms');
    this.#els.root.dataset.state = 'loading';
    this.#status(`正在读取“${file.name}”…`, 'loading');
    this.#els.progress.value = 0;
    const got = await this.#pool.load(file, extra);
    this.#rows = got.rows;
    this.#labelled = got.labelled ? { count: got.labelled, splits: got.splits } : null;
    const select = this.#els.evalSplit;
    select.replaceChildren(h('option', { value: 'all' }, '全部标注'), ...(got.splits ?? []).map((s) => h('option', { value: s }, { train: '训练集 train', dev: '验证集 dev', test: '测试集 test' }[s] ?? s)));
    const notes = [];
    if (got.labelled) notes.push(`其中 ${fmt.format(got.labelled)} 件带人工标注，分类后显示评测`);
    if (got.problemCount) notes.push(`${fmt.format(got.problemCount)} 处无法读取，已跳过（见下）`);
    this.#els.problems.replaceChildren(...got.problems.map((p) => h('li', { dataset: { line: String(p.line) } }, p.message)),
      got.problemCount > got.problems.length ? h('li.muted', {}, `另有 ${fmt.format(got.problemCount - got.problems.length)} 处未列出。`) : null);
    this.#els.problems.hidden = !got.problemCount;
    if (got.ignored?.length) notes.push(`未使用的列：${got.ignored.join('、')}`);
    this.#els.info.replaceChildren(
      h('strong', {}, `“${file.name}”：${fmt.format(got.count)} 件信访件`),
      `（${got.format === 'csv' ? 'CSV' : got.format === 'json' ? 'JSON 数组' : 'JSONL'}）`,
      notes.length ? h('span.warn-text', {}, `。${notes.join('。')}`) : '',
    );
    this.#els.info.hidden = false;
    this.#els.start.disabled = got.count === 0;
    if (got.count === 0) {
      this.#status('文件中没有可分类的信访件。', 'empty');
      return;
    }
    await this.classify();
  }

  /**
   * Classifies the batch with the current ruleset and the baseline (each only if not done
   * yet), then draws the charts and the comparison.
   */
  async classify() {
    if (!this.loaded) return;
    const job = ++this.#job;
    const { current, baseline } = this.#ruleset();
    const todo = [current, baseline].filter((r, i, all) => r && all.findIndex((x) => x.fingerprint === r.fingerprint) === i && !this.#results.has(r.fingerprint));
    this.#els.cancel.disabled = false;
    this.#els.start.disabled = true;
    this.#els.root.dataset.state = 'running';
    const total = this.#pool.count * todo.length;
    let before = 0;
    for (const r of todo) {
      const which = r === current ? '当前规则' : '对比基准';
      this.#status(`正在用${which}分类…`, 'running');
      let out;
      try {
        out = await this.#pool.run({ files: r.files, fingerprint: r.fingerprint }, (done) => {
          this.#els.progress.value = (before + done) / total;
          this.#els.progressText.textContent = `${Math.round(((before + done) / total) * 100)}%`;
        });
      } catch (e) {
        if (job !== this.#job) return;
        this.#status(`${which}无法在批量线程中建成：${e.message}`, 'failed');
        this.#idle();
        return;
      }
      if (out.cancelled || job !== this.#job) {
        if (job === this.#job) {
          this.#status('已取消。', 'cancelled');
          this.#idle();
        }
        return;
      }
      this.#results.set(r.fingerprint, out);
      before += this.#pool.count;
      // Draw as soon as the current ruleset is done; the baseline follows.
      await this.#render();
    }
    this.#els.progress.value = 1;
    this.#els.progressText.textContent = '100%';
    const t = this.#results.get(current.fingerprint);
    const secs = (t.ms / 1000).toFixed(2);
    this.#status(`完成：${fmt.format(this.#pool.count)} 件，当前规则用时 ${secs} 秒（${t.workers} 个线程并行）。`, 'done');
    this.#els.status.dataset.ms = String(Math.round(t.ms));
    this.#els.root.dataset.state = 'done';
    this.#idle();
    await this.#render();
  }

  #idle() {
    this.#els.cancel.disabled = true;
    this.#els.start.disabled = !this.loaded;
    if (this.#els.root.dataset.state === 'running') this.#els.root.dataset.state = 'idle';
  }

  cancel() {
    this.#job++;
    this.#pool?.cancel();
    this.#status('已取消。', 'cancelled');
    this.#idle();
  }

  /** The rules changed: classify again if asked to. */
  rulesChanged() {
    if (this.loaded && this.#els.auto.checked) this.classify();
    else this.#render();
  }

  // -- charts and comparison ------------------------------------------------------------------

  #pair() {
    const { current, baseline } = this.#ruleset();
    return {
      current, baseline,
      now: this.#results.get(current.fingerprint) ?? null,
      before: baseline ? this.#results.get(baseline.fingerprint) ?? null : null,
      same: !baseline || baseline.fingerprint === current.fingerprint,
    };
  }

  async #render() {
    const { now, before, same } = this.#pair();
    if (!now) return;
    this.#chartsModule ??= await import('./charts.js');
    const names = { routes: {}, tiers: {}, levels: {} };
    for (const src of [manifestNames, before?.names, now.names]) {
      if (!src) continue;
      for (const k of Object.keys(names)) Object.assign(names[k], src[k]);
    }
    const dims = [
      ['route', '法定途径分布', names.routes, this.#els.chartRoute, this.#els.tableRoute],
      ['tier', '化解难度分布', names.tiers, this.#els.chartTier, this.#els.tableTier],
      ['level', '三级代办分布', names.levels, this.#els.chartLevel, this.#els.tableLevel],
    ];
    const withBefore = before && !same;
    for (const [key, title, labels, canvas, table] of dims) {
      const count = (res) => {
        const c = {};
        for (const s of res.summaries) {
          const k = s.ok ? s[key] : '__error';
          c[k] = (c[k] ?? 0) + 1;
        }
        return c;
      };
      const cNow = count(now);
      const cBefore = withBefore ? count(before) : null;
      const allLabels = { ...labels, __error: '无法分类' };
      const codes = new Set([...Object.keys(cNow), ...Object.keys(cBefore ?? {})]);
      // Manifest order for tiers and levels (simple → complex, village → county); routes by count.
      const manifestOrder = Object.keys(labels);
      const order = [...codes].sort((a, b) => (key === 'route'
        ? (cNow[b] ?? 0) - (cNow[a] ?? 0) || a.localeCompare(b)
        : (manifestOrder.indexOf(a) + 1 || 99) - (manifestOrder.indexOf(b) + 1 || 99)));
      const series = withBefore
        ? [{ label: '修改前（对比基准）', counts: cBefore, color: COLORS.baseline, border: COLORS.baselineBorder }, { label: '当前规则', counts: cNow, color: COLORS.current }]
        : [{ label: '当前规则', counts: cNow, color: COLORS.current }];
      this.#chartsModule.drawChart(canvas, { title, order, labels: allLabels, series });
      table.replaceChildren(
        h('caption', {}, title),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, key === 'route' ? '途径' : key === 'tier' ? '难度' : '层级'),
          withBefore ? h('th.num', { scope: 'col' }, '修改前') : null, h('th.num', { scope: 'col' }, withBefore ? '当前' : '件数'),
          h('th.num', { scope: 'col' }, '占比'))),
        h('tbody', {}, order.map((c) => h('tr', { dataset: { code: c } }, h('th', { scope: 'row' }, allLabels[c] ?? c),
          withBefore ? h('td.num', {}, fmt.format(cBefore[c] ?? 0)) : null,
          h(`td.num.now${withBefore && (cBefore[c] ?? 0) !== (cNow[c] ?? 0) ? '.changed' : ''}`, {},
            // A route's count (and 无法分类's) lists those petitions.
            key === 'route' && cNow[c]
              ? h('button.link.count-link', {
                type: 'button', title: '列出这些信访件', 'aria-label': `列出${allLabels[c] ?? c}的 ${cNow[c]} 件信访件`,
                onclick: () => this.#showRoute(c),
              }, fmt.format(cNow[c]))
              : fmt.format(cNow[c] ?? 0)),
          h('td.num.share', {}, `${(((cNow[c] ?? 0) / now.summaries.length) * 100).toFixed(1)}%`)))),
      );
    }
    this.#els.charts.hidden = false;
    this.#els.csv.disabled = false;
    this.#onResults({ ruleErrors: now.summaries.filter((s) => !s.ok && s.code.startsWith('rule.')).length });
    this.#renderRuleHits();
    if (this.#routeList) this.#renderRouteList();
    this.#renderCompare();
    await this.#renderEval();
  }

  // -- evaluation against labels ---------------------------------------------------------------

  /** Accuracy, per-route scores and the confusion matrix of a labelled file (the engine's report). */
  async #renderEval() {
    const { now, current } = this.#pair();
    const els = this.#els;
    if (!now || !this.#labelled) {
      els.eval.hidden = true;
      return;
    }
    const job = ++this.#evalJob;
    const split = els.evalSplit.value;
    const result = await this.#pool.evaluate({ files: current.files, fingerprint: current.fingerprint, predictions: now.summaries, split: split === 'all' ? undefined : split });
    if (job !== this.#evalJob) return;
    els.eval.hidden = false;
    els.evalCell.hidden = true;
    if (!result.ok) {
      els.evalSummary.textContent = `无法评测：${result.errors.slice(0, 3).map((e) => e.message).join('；')}`;
      els.eval.dataset.state = 'failed';
      for (const t of [els.evalFields, els.evalRoutes, els.evalMatrix]) t.replaceChildren();
      return;
    }
    const r = result.report;
    // File position of each labelled petition, by id (for 试一件).
    const at = new Map(result.indices.map((i) => [this.#rows[i].id, i]));
    const pct = (p) => `${(p * 100).toFixed(1)}%`;
    const route = r.fields.find((f) => f.field === 'route')?.accuracy;
    els.eval.dataset.state = 'done';
    els.eval.dataset.route = route ? route.value.toFixed(4) : '';
    els.evalSummary.textContent = `${fmt.format(r.n)} 件标注${r.errors ? `（${r.errors} 件无法分类）` : ''}${route ? `，途径准确率 ${pct(route.value)}` : ''}`;
    const fieldNames = { route: '法定途径', category: '类别', tier: '化解难度', level: '代办层级', flags: '标记（全部相同）' };
    els.evalFields.replaceChildren(
      h('caption', {}, '准确率（括号内为 95% 置信区间，Wilson 法）'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '项目'), h('th.num', { scope: 'col' }, '准确率'), h('th', { scope: 'col' }, '95% 区间'), h('th.num', { scope: 'col' }, '正确 / 件数'))),
      h('tbody', {}, r.fields.map((f) => h('tr', { dataset: { field: f.field } }, h('th', { scope: 'row' }, fieldNames[f.field] ?? f.field),
        h('td.num', {}, pct(f.accuracy.value)), h('td', {}, `${pct(f.accuracy.low)} – ${pct(f.accuracy.high)}`),
        h('td.num', {}, `${fmt.format(f.accuracy.k)} / ${fmt.format(f.accuracy.n)}`)))),
    );
    els.evalRoutes.replaceChildren(
      h('caption', {}, '各途径（涉法涉诉的召回率最要紧：漏判会把群众引向错误的渠道）'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '途径'), h('th.num', { scope: 'col' }, '标注'), h('th.num', { scope: 'col' }, '判为'),
        h('th.num', { scope: 'col' }, '精确率'), h('th.num', { scope: 'col' }, '召回率'), h('th.num', { scope: 'col' }, 'F1'))),
      h('tbody', {}, r.routes.filter((x) => x.support || x.predicted).map((x) => h('tr', { dataset: { route: x.code } }, h('th', { scope: 'row' }, x.name),
        h('td.num', {}, fmt.format(x.support)), h('td.num', {}, fmt.format(x.predicted)),
        h('td.num', {}, x.predicted ? pct(x.precision.value) : '—'), h('td.num', {}, x.support ? pct(x.recall.value) : '—'), h('td.num', {}, x.f1.toFixed(3))))),
    );
    const c = r.confusion;
    const live = c.codes.map((_, i) => i).filter((i) => c.counts[i].some(Boolean) || c.counts.some((row) => row[i]));
    const short = (name) => name.split(/[（(]/)[0];
    els.evalMatrix.replaceChildren(
      h('caption', {}, '混淆矩阵：行是人工标注，列是规则判定；点数字查看这些信访件'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '标注 ＼ 判为'), live.map((j) => h('th', { scope: 'col', title: c.names[j] }, short(c.names[j]))))),
      h('tbody', {}, live.map((i) => h('tr', {}, h('th', { scope: 'row', title: c.names[i] }, short(c.names[i])), live.map((j) => {
        const n = c.counts[i][j];
        if (!n) return h('td.zero', {}, '·');
        return h(`td${i === j ? '.hit' : '.miss'}`, {}, h('button', {
          type: 'button', dataset: { row: c.codes[i], col: c.codes[j] },
          'aria-label': `标注${c.names[i]}、判为${c.names[j]}：${n} 件`,
          onclick: () => this.#showCell(c, i, j, at),
        }, fmt.format(n)));
      })))),
    );
  }

  #showCell(c, i, j, at) {
    const els = this.#els;
    const ids = c.ids[i][j];
    els.evalCell.hidden = false;
    els.evalCellTitle.textContent = `标注为“${c.names[i]}”、规则判为“${c.names[j]}”的 ${fmt.format(ids.length)} 件`;
    const { now } = this.#pair();
    els.evalCellList.tBodies[0].replaceChildren(...ids.slice(0, 200).map((id) => {
      const index = at.get(id);
      const row = this.#rows[index];
      return h('tr', { dataset: { id } },
        h('td', {}, h('div.id', {}, id), h('div.title', {}, row?.title ?? '')),
        h('td.rule', {}, now?.summaries[index]?.rule ?? ''),
        h('td', {}, h('button', { type: 'button', onclick: () => this.#open(index) }, '试一件')));
    }));
    els.evalCell.scrollIntoView({ block: 'nearest' });
  }

  /** Each rule's hits in the batch (petitions it fired for), beside the baseline's when they differ. */
  #renderRuleHits() {
    const { now, before, same } = this.#pair();
    const els = this.#els;
    if (!now?.hits) return;
    const withBefore = before?.hits && !same;
    const ids = [...new Set([...Object.keys(now.hits), ...Object.keys(withBefore ? before.hits : {})])];
    const count = (res, id) => res?.hits[id] ?? 0;
    ids.sort((a, b) => count(now, b) - count(now, a) || a.localeCompare(b));
    const total = now.summaries.length;
    const title = (id) => now.names.rules?.[id] ?? before?.names.rules?.[id] ?? '';
    els.ruleHits.tHead.replaceChildren(h('tr', {},
      h('th', { scope: 'col' }, '规则'),
      withBefore ? h('th.num', { scope: 'col' }, '修改前') : null,
      h('th.num', { scope: 'col' }, withBefore ? '当前' : '件数'),
      h('th.num', { scope: 'col' }, '占比')));
    els.ruleHits.tBodies[0].replaceChildren(...ids.map((id) => {
      const n = count(now, id);
      const changed = withBefore && count(before, id) !== n;
      return h(`tr${changed ? '.changed' : ''}`, { dataset: { rule: id } },
        h('th', { scope: 'row' }, h('button.link', { type: 'button', title: '在编辑器中打开这条规则', onclick: () => this.#onRule(id) }, id),
          title(id) ? h('div.rule-title', {}, title(id)) : null),
        withBefore ? h('td.num', {}, fmt.format(count(before, id))) : null,
        h(`td.num.now${changed ? '.changed' : ''}`, {}, fmt.format(n)),
        h('td.num.share', {}, `${((n / total) * 100).toFixed(1)}%`));
    }));
    els.ruleHitsWrap.hidden = false;
  }

  /** Lists the petitions the current rules send to `code` (`__error`: those that failed). */
  #showRoute(code) {
    this.#routeList = { code, shown: PAGE };
    this.#renderRouteList();
    this.#els.routeList.scrollIntoView({ block: 'nearest' });
  }

  #renderRouteList() {
    const { now } = this.#pair();
    const els = this.#els;
    if (!now || !this.#routeList) {
      els.routeList.hidden = true;
      return;
    }
    const { code, shown } = this.#routeList;
    const list = [];
    now.summaries.forEach((s, i) => {
      if (code === '__error' ? !s.ok : s.ok && s.route === code) list.push(i);
    });
    const name = code === '__error' ? '无法分类' : now.names.routes[code] ?? manifestNames.routes[code] ?? code;
    els.routeListTitle.textContent = code === '__error'
      ? `无法分类的 ${fmt.format(list.length)} 件${list.length > shown ? `（先显示 ${shown} 件）` : ''}`
      : `当前规则判为“${name}”的 ${fmt.format(list.length)} 件${list.length > shown ? `（先显示 ${shown} 件）` : ''}`;
    els.routeList.dataset.code = code;
    els.routeListTable.tBodies[0].replaceChildren(...list.slice(0, shown).map((i) => {
      const s = now.summaries[i];
      return h('tr', { dataset: { id: this.#rows[i].id, index: String(i) } },
        h('td', {}, h('div.id', {}, this.#rows[i].id), h('div.title', {}, this.#rows[i].title)),
        h('td', {}, s.ok
          ? [h('div.rule', {}, s.rule), wordsOf(s)]
          : h('span.err', {}, `${s.message}（${s.code}）`)),
        h('td', {}, h('button', { type: 'button', onclick: () => this.#open(i) }, '试一件')));
    }));
    els.routeListMore.hidden = list.length <= shown;
    els.routeList.hidden = false;
  }

  #renderCompare() {
    const { now, before, same, baseline, current } = this.#pair();
    const els = this.#els;
    if (!now) return;
    els.compare.hidden = false;
    els.baselineInfo.replaceChildren(
      h('span', {}, '对比基准：', h('strong', {}, baseline?.label ?? '—'), baseline ? h('code', { title: baseline.fingerprint }, baseline.fingerprint.slice(0, 12)) : ''),
      h('span', {}, '当前规则：', h('code', { title: current.fingerprint }, current.fingerprint.slice(0, 12))),
    );
    els.setBaseline.disabled = same;
    if (same || !before) {
      els.counts.replaceChildren(h('p.muted', {}, same
        ? '当前规则与对比基准相同。修改规则后，这里列出结论变化的信访件：途径、难度或代办层级变了的，修改前后并排显示。'
        : '正在用对比基准分类…'));
      els.counts.dataset.moved = same ? '0' : '';
      els.transitions.replaceChildren();
      els.movers.tBodies[0].replaceChildren();
      els.moversWrap.hidden = true;
      return;
    }
    const a = before.summaries;
    const b = now.summaries;
    const moved = { route: [], tier: [], level: [], any: [] };
    const transitions = new Map();
    for (let i = 0; i < b.length; i++) {
      const r = !sameRoute(a[i], b[i]);
      const t = !sameTier(a[i], b[i]);
      const l = !sameLevel(a[i], b[i]);
      if (r) {
        moved.route.push(i);
        const key = `${a[i].ok ? a[i].route : '__error'}→${b[i].ok ? b[i].route : '__error'}`;
        transitions.set(key, (transitions.get(key) ?? 0) + 1);
      }
      if (t) moved.tier.push(i);
      if (l) moved.level.push(i);
      if (r || t || l) moved.any.push(i);
    }
    const n = fmt.format(b.length);
    els.counts.dataset.moved = String(moved.any.length);
    els.counts.dataset.route = String(moved.route.length);
    els.counts.replaceChildren(
      h('div.stat', { dataset: { key: 'any' } }, h('span.big', {}, fmt.format(moved.any.length)), h('span', {}, `件有变化（共 ${n} 件）`)),
      h('div.stat', { dataset: { key: 'route' } }, h('span.big', {}, fmt.format(moved.route.length)), h('span', {}, '件途径变化')),
      h('div.stat', { dataset: { key: 'tier' } }, h('span.big', {}, fmt.format(moved.tier.length)), h('span', {}, '件难度变化')),
      h('div.stat', { dataset: { key: 'level' } }, h('span.big', {}, fmt.format(moved.level.length)), h('span', {}, '件代办层级变化')),
    );
    const rn = (code) => (code === '__error' ? '无法分类' : now.names.routes[code] ?? before.names.routes[code] ?? manifestNames.routes[code] ?? code);
    els.transitions.replaceChildren(...(transitions.size
      ? [h('h4', {}, '途径怎么变的'), h('ul.transitions', {}, [...transitions].sort((x, y) => y[1] - x[1]).map(([k, c]) => {
        const [from, to] = k.split('→');
        return h('li', {}, h('span.from', {}, rn(from)), h('span.arrow', { 'aria-label': '变为' }, ' → '), h('span.to', {}, rn(to)), h('span.count', {}, `${fmt.format(c)} 件`));
      }))]
      : []));

    const list = moved[this.#filter];
    els.moversWrap.hidden = moved.any.length === 0;
    els.moversCaption.textContent = `结论变化的信访件（${fmt.format(list.length)} 件${list.length > this.#shown ? `，先显示 ${this.#shown} 件` : ''}）`;
    const cell = (s, names, other) => {
      if (!s.ok) return h('td.side', {}, h('span.err', {}, `无法分类：${s.message}`));
      return h('td.side', {},
        h(`div${other && !sameRoute(s, other) ? '.diff' : ''}`, {}, h('span.k', {}, '途径 '), names.routes[s.route] ?? s.route),
        h(`div${other && !sameTier(s, other) ? '.diff' : ''}`, {}, h('span.k', {}, '难度 '), `${names.tiers[s.tier] ?? s.tier}（${s.score} 分）`),
        h(`div${other && !sameLevel(s, other) ? '.diff' : ''}`, {}, h('span.k', {}, '代办 '), names.levels[s.level] ?? s.level),
        h('div.rule', {}, s.rule),
        wordsOf(s));
    };
    const rows = list.slice(0, this.#shown).map((i) => h('tr', { dataset: { index: String(i) } },
      h('td', {}, h('div.id', {}, this.#rows[i].id), h('div.title', {}, this.#rows[i].title)),
      cell(a[i], before.names, b[i]),
      cell(b[i], now.names, a[i]),
      h('td', {}, h('button', { type: 'button', onclick: () => this.#open(i) }, '试一件'))));
    els.movers.tBodies[0].replaceChildren(...rows);
    els.more.hidden = list.length <= this.#shown;
  }

  async #open(index) {
    const petition = await this.#pool.petition(index);
    this.#onOpen(petition);
  }

  /** The batch results as CSV (with the baseline's verdict beside, when it differs). */
  downloadCsv() {
    const { now, before, same } = this.#pair();
    if (!now) return null;
    const withBefore = before && !same;
    const rows = now.summaries.map((s, i) => {
      const n = now.names;
      const row = {
        编号: this.#rows[i].id, 标题: this.#rows[i].title,
        途径代码: s.ok ? s.route : '', 途径: s.ok ? n.routes[s.route] : '', 是否受理: s.ok ? (s.accepted ? '是' : '否') : '',
        诉访分离: s.ok ? (s.separated ? '是' : '否') : '', 类别: s.ok ? n.categories[s.category] : '',
        难度: s.ok ? n.tiers[s.tier] : '', 难度分: s.ok ? s.score : '', 代办层级: s.ok ? n.levels[s.level] : '',
        状态: s.ok ? (s.status === 'needs_info' ? '需补充信息' : '已判定') : '', 需补充: s.ok ? s.missing.join(' ') : '',
        标记: s.ok ? s.flags.map((f) => manifestNames.flags[f] ?? f).join('、') : '', 决定途径的规则: s.ok ? s.rule : '',
        错误: s.ok ? '' : `${s.code}：${s.message}`,
      };
      if (withBefore) {
        const o = before.summaries[i];
        const bn = before.names;
        Object.assign(row, {
          修改前途径: o.ok ? bn.routes[o.route] : '无法分类', 修改前难度: o.ok ? bn.tiers[o.tier] : '', 修改前代办层级: o.ok ? bn.levels[o.level] : '',
          是否变化: sameRoute(o, s) && sameTier(o, s) && sameLevel(o, s) ? '否' : '是',
        });
      }
      return row;
    });
    // A byte-order mark so that Excel on a Chinese PC opens the UTF-8 file correctly.
    const csv = `\uFEFF${Papa.unparse(rows)}\r\n`;
    const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `${this.#fileName || '批量'}-分类结果.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return csv;
  }
}
