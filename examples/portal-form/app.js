// The portal form's pre-screen: as the citizen types (debounced), the petition goes to fenliu in
// a Web Worker and the citizen's view of the verdict (`citizenView`: emergency lines first, the
// suggested channel and why, what to prepare, the time limits that concern them, a note that
// the receiving office decides) is shown in plain Chinese. The package is loaded from where the
// portal deployed it (/vendor/fenliu/, the npm package's files), exactly as in production.
//
// The form never depends on the pre-screen: the submit handler is attached first, the package
// is loaded with a dynamic import() so that a browser that cannot parse or run it (no
// WebAssembly, WebAssembly blocked by CSP, Chromium before 96, an old Safari) only gets one calm
// sentence. This file itself keeps to syntax Chromium 80 and Safari 13.1 parse (no top-level
// await), checked by `npm run check:syntax`.

const DEBOUNCE_MS = 250;
const PACKAGE = '/vendor/fenliu/js/worker.js';
// The package's PRESCREEN_UNAVAILABLE, repeated here for when the package itself cannot load.
const UNAVAILABLE = '此浏览器暂时无法使用预审参考，不影响您填写和提交诉求。';

/** What to ask when a verdict needs one more fact, and which control answers it. */
const QUESTIONS = {
  'legal.court': ['是否已经向法院起诉，或法院已经判决、正在执行？', 'court'],
  'legal.arbitration': ['是否已经申请劳动（人事）争议仲裁或其他仲裁？', 'arbitration'],
  'legal.reconsideration': ['是否已经申请行政复议？', 'reconsideration'],
  'legal.police': ['是否已经向公安机关报案？', 'text'],
  'place.county': ['事发地在哪个县（区）？', 'county'],
  'place.town': ['事发地在哪个镇（街道）？', 'town'],
  'place.village': ['事发地在哪个村（社区）？', 'village'],
  petitioners: ['共有多少人反映这一事项？', 'petitioners'],
  'history.prior_count': ['此前就这件事反映过几次？', 'prior'],
};

const $ = (id) => document.getElementById(id);
const form = $('petition-form');

let pkg = null;
let fenliu = null;
let seq = 0;
let timer = 0;

function petitionFromForm() {
  const value = (id) => $(id).value.trim();
  const p = { channel: 'online', text: value('text') };
  if (value('title')) p.title = value('title');
  const place = {};
  for (const k of ['county', 'town', 'village']) if (value(k)) place[k] = value(k);
  if (Object.keys(place).length) p.place = place;
  const legal = {};
  for (const k of ['court', 'arbitration', 'reconsideration']) if (value(k)) legal[k] = value(k);
  if (Object.keys(legal).length) p.legal = legal;
  const n = Number.parseInt(value('petitioners'), 10);
  if (Number.isInteger(n) && n >= 1) p.petitioners = n;
  const prior = Number.parseInt(value('prior'), 10);
  if (Number.isInteger(prior) && prior >= 0) p.history = { prior_count: prior };
  return p;
}

function show(el, on) {
  el.hidden = !on;
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

function item(list, text) {
  const li = document.createElement('li');
  li.textContent = text;
  list.append(li);
  return li;
}

function renderEmergency(emergency) {
  show($('emergency'), emergency !== null);
  clear($('emergency-lines'));
  if (!emergency) return;
  $('emergency-title').textContent = emergency.title;
  $('emergency-message').textContent = emergency.message;
  for (const line of emergency.lines) {
    const li = document.createElement('li');
    const call = document.createElement('a');
    call.href = `tel:${line.number}`;
    call.className = 'number';
    call.textContent = line.number;
    const what = document.createElement('span');
    what.textContent = `${line.name}：${line.use}`;
    li.append(call, what);
    $('emergency-lines').append(li);
  }
}

function renderNotices(notices) {
  clear($('notices'));
  for (const n of notices) {
    const p = document.createElement('p');
    p.textContent = n.message;
    $('notices').append(p);
  }
  show($('notices'), notices.length > 0);
}

/** The phone's sticky summary: the emergency lines first, then the suggested channel. */
function renderBar(view) {
  const bar = $('prescreen-bar');
  if (!view) {
    show(bar, false);
    return;
  }
  const em = $('bar-emergency');
  clear(em);
  if (view.emergency) {
    em.append('如有危险，请先拨打：');
    for (const line of view.emergency.lines) {
      const call = document.createElement('a');
      call.href = `tel:${line.number}`;
      call.textContent = line.number;
      call.setAttribute('aria-label', `${line.number} ${line.name}`);
      em.append(call);
    }
  }
  show(em, view.emergency !== null);
  $('bar-notice').textContent = view.notices.map((n) => n.message).join(' ');
  show($('bar-notice'), view.notices.length > 0);
  $('bar-route').textContent = view.channel.name;
  show(bar, true);
}

function renderView(view) {
  // Performance marks for the page's owner (and bench/cold-page.mjs): the first verdict shown.
  if (!performance.getEntriesByName('fenliu:first-verdict').length) performance.mark('fenliu:first-verdict');
  renderBar(view);
  show($('placeholder'), false);
  show($('problem'), false);
  renderEmergency(view.emergency);
  renderNotices(view.notices);
  show($('verdict'), true);
  $('route-name').textContent = view.channel.name;
  $('route-summary').textContent = view.channel.summary;
  $('route-why').textContent = view.channel.why;
  show($('route-why'), view.channel.why !== '');
  $('guidance').textContent = view.prepare;

  const asks = view.status === 'needs_info' ? view.missing : [];
  clear($('ask-list'));
  for (const path of asks) {
    const [question, control] = QUESTIONS[path] || [`请补充：${path}`, null];
    const li = item($('ask-list'), `${question} `);
    if (control) {
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'link';
      go.textContent = '去填写';
      go.setAttribute('aria-label', `去填写：${question}`);
      go.addEventListener('click', () => $(control).focus());
      li.append(go);
    }
  }
  show($('ask'), asks.length > 0);

  clear($('deadlines'));
  for (const t of view.timeLimits) item($('deadlines'), t.text);
  $('deadlines-note').textContent = view.timeLimitsNote;
  show($('deadlines-box'), view.timeLimits.length > 0);

  clear($('basis'));
  for (const b of view.channel.basis) item($('basis'), b);
  $('suggestion-note').textContent = view.note;
}

function renderProblem(message) {
  renderBar(null);
  show($('verdict'), false);
  show($('placeholder'), false);
  show($('emergency'), false);
  show($('notices'), false);
  const box = $('problem');
  box.textContent = message;
  show(box, true);
}

function renderEmpty() {
  renderBar(null);
  show($('verdict'), false);
  show($('problem'), false);
  show($('emergency'), false);
  show($('notices'), false);
  show($('placeholder'), true);
}

/** The pre-screen cannot run here: one calm sentence, and the form works as before. */
function unavailable(reason) {
  fenliu = null;
  renderBar(null);
  show($('result'), false);
  $('engine-status').textContent = UNAVAILABLE;
  document.body.dataset.fenliu = 'unavailable';
  document.body.dataset.fenliuReason = String(reason);
}

async function prescreen() {
  if (!fenliu) return;
  const petition = petitionFromForm();
  if (!petition.text) {
    renderEmpty();
    return;
  }
  const mine = ++seq;
  try {
    // brief, as you type; a text over 20,000 characters is read in part and the view says so.
    const result = await pkg.prescreen(fenliu, petition);
    if (mine !== seq) return; // the citizen typed on; a newer answer is coming
    if (result.ok) renderView(result.view);
    else renderProblem('这段内容暂时无法给出预审参考，不影响您提交诉求。');
  } catch (e) {
    if (mine !== seq) return;
    // worker.timeout and the like: the page stays usable, the form can still be submitted.
    renderProblem('预审参考暂时不可用，不影响您提交诉求。');
  }
}

form.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(prescreen, DEBOUNCE_MS);
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  $('submit-note').textContent = $('text').value.trim() ? '这是演示页面，诉求不会真正提交。' : '请先填写诉求内容。';
  if (!$('text').value.trim()) $('text').focus();
});

async function start() {
  try {
    pkg = await import(PACKAGE);
    performance.mark('fenliu:imported');
  } catch (e) {
    // e.g. a SyntaxError in a browser too old for the package's JavaScript.
    unavailable('load');
    return;
  }
  const support = pkg.prescreenSupport();
  if (!support.ok) {
    unavailable(support.reason);
    return;
  }
  try {
    fenliu = await pkg.FenliuWorker.create({ timeout: 3000 });
  } catch (e) {
    // engine.load (WebAssembly blocked by CSP, a CompileError), worker.timeout, worker.crashed.
    unavailable((e && e.code) || 'engine');
    return;
  }
  $('engine-status').textContent = '预审参考已就绪：填写诉求内容即可看到。';
  performance.mark('fenliu:ready');
  document.body.dataset.fenliu = 'ready';
  prescreen();
}

start();
