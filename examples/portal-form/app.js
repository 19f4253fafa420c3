// The portal form's pre-screen: as the citizen types (debounced), the petition goes to fenliu in
// a Web Worker and the verdict is shown in plain Chinese. The package is loaded from where the
// portal deployed it (/vendor/fenliu/, the npm package's files), exactly as in production.
import { FenliuWorker } from '/vendor/fenliu/js/worker.js';

const DEBOUNCE_MS = 250;

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

function renderVerdict(v) {
  show($('placeholder'), false);
  show($('problem'), false);
  show($('verdict'), true);
  $('route-name').textContent = v.route.name;
  $('route-handler').textContent = v.route.handler;
  $('route-kind').textContent = v.route.accepted
    ? '可以受理，由上述机关依法办理。'
    : `不作为信访事项受理，请通过上述法定途径办理${v.separated ? '（诉访分离）' : ''}。`;
  $('guidance').textContent = v.route.guidance;

  const asks = v.status === 'needs_info' ? v.missing ?? [] : [];
  clear($('ask-list'));
  for (const path of asks) {
    const [question, control] = QUESTIONS[path] ?? [`请补充：${path}`, null];
    const li = document.createElement('li');
    li.append(question, ' ');
    if (control) {
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'link';
      go.textContent = '去填写';
      go.setAttribute('aria-label', `去填写：${question}`);
      go.addEventListener('click', () => $(control).focus());
      li.append(go);
    }
    $('ask-list').append(li);
  }
  show($('ask'), asks.length > 0);

  clear($('deadlines'));
  const deadlines = Object.values(v.deadlines).sort((a, b) => a.date.localeCompare(b.date));
  for (const d of deadlines) {
    const dt = document.createElement('dt');
    dt.textContent = d.name;
    const dd = document.createElement('dd');
    dd.textContent = `${d.date}（${d.days} ${d.working_days ? '个工作日' : '日'}内）`;
    $('deadlines').append(dt, dd);
  }
  show($('deadlines-box'), deadlines.length > 0);

  clear($('basis'));
  for (const b of v.route.basis) {
    const li = document.createElement('li');
    li.textContent = b;
    $('basis').append(li);
  }
  $('difficulty').textContent = v.difficulty.name;
  $('delegation').textContent = `${v.delegation.name}（${v.delegation.lead}）`;
  $('ruleset').textContent = `${v.ruleset.name} ${v.ruleset.version}`;
}

function renderProblem(message) {
  show($('verdict'), false);
  show($('placeholder'), false);
  const box = $('problem');
  box.textContent = message;
  show(box, true);
}

function renderEmpty() {
  show($('verdict'), false);
  show($('problem'), false);
  show($('placeholder'), true);
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
    // brief: the page shows the route, tier, level and deadlines, not the trace of rules.
    const result = await fenliu.classify(petition, { brief: true });
    if (mine !== seq) return; // the citizen typed on; a newer answer is coming
    if (result.ok) {
      renderVerdict(result.verdict);
    } else {
      const e = result.errors[0];
      renderProblem(e.code === 'petition.too_large' ? '诉求内容过长，请精简后再提交。' : `暂时无法预审：${e.message}`);
    }
  } catch (e) {
    if (mine !== seq) return;
    // worker.timeout and the like: the page stays usable, the form can still be submitted.
    renderProblem(`预审暂时不可用（${e.code ?? 'error'}），不影响您提交诉求。`);
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

try {
  fenliu = await FenliuWorker.create({ timeout: 3000 });
  $('engine-status').textContent = `预审引擎已就绪（规则集 ${fenliu.ruleset.name} ${fenliu.ruleset.version}）。`;
  document.body.dataset.fenliu = 'ready';
  prescreen();
} catch (e) {
  $('engine-status').textContent = `预审引擎未能加载（${e.code ?? e.message}），不影响您提交诉求。`;
  document.body.dataset.fenliu = 'failed';
}
