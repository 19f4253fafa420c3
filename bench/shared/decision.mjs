// The shared routing decision of the engine comparison (docs/bench.md), in one place.
//
// A portal's pre-screening decision of realistic size: 28 keyword groups over the title and the
// text, four form fields (信访人数, 来访方式, 此前反映次数, 门户分类), 29 route rules taken first-match
// by priority (the last a fallback), and 18 difficulty rules whose points are summed into a
// tier: 47 rules in all.
//
// `node bench/shared/generate.mjs` writes it in each engine's own form: a fenliu ruleset
// (bench/shared/fenliu/), json-rules-engine rules (bench/shared/json-rules-engine/rules.json), a
// GoRules ZEN decision graph (bench/shared/zen/decision.json) and Cedar policies
// (bench/shared/cedar/policies.cedar). The harness checks those files are current and that all
// engines give the same route, deciding rule, score and tier on every message before it times
// anything.
//
// Keyword semantics every engine can honour exactly: a group matches when one of its words
// occurs in the title or in the text. So the words are plain Chinese (no Latin letters, digits or
// full-width forms, which fenliu folds and bounds), and no group uses fenliu's negation or
// `except` phrases, which the other engines would need code for.

/** Keyword groups: id → [title, words]. */
export const GROUPS = {
  lawsuit: ['起诉、判决', ['起诉', '诉讼', '法院', '判决', '裁定', '开庭', '上诉', '再审', '立案庭', '审判']],
  court_enforcement: ['申请执行', ['强制执行', '执行局', '申请执行', '拒不执行', '执行款', '老赖', '失信被执行人', '执行法官']],
  police: ['报警、刑事', ['报警', '派出所', '公安局', '民警', '刑事', '诈骗', '殴打', '打人', '盗窃', '被抢']],
  arbitration: ['仲裁', ['仲裁', '仲裁委', '劳动仲裁', '仲裁裁决', '裁决书']],
  wage: ['拖欠工资', ['拖欠工资', '欠薪', '工资未发', '讨薪', '克扣工资', '欠工资', '拖欠农民工', '工钱', '工资拖欠', '不发工资']],
  labour: ['劳动关系、社保', ['劳动合同', '辞退', '解除合同', '社保', '社会保险', '养老保险', '工伤', '加班费', '经济补偿', '五险一金', '公积金']],
  corruption: ['贪腐、失职', ['贪污', '受贿', '行贿', '腐败', '挪用公款', '以权谋私', '吃拿卡要', '公款吃喝', '违纪', '渎职', '优亲厚友']],
  official: ['公职人员', ['村干部', '村支书', '村主任', '书记', '镇长', '局长', '领导干部', '公务员', '主任']],
  admin_decision: ['行政决定', ['行政处罚', '罚款', '吊销', '行政复议', '处罚决定', '行政许可', '不予受理', '不予批准', '行政诉讼']],
  land: ['征地拆迁', ['征地', '征收', '拆迁', '补偿款', '宅基地', '土地承包', '强拆', '占地', '还建', '青苗费']],
  developer: ['开发商、交房', ['开发商', '房产证', '交房', '延期交房', '烂尾', '购房', '商品房', '不动产证', '网签', '期房']],
  property: ['物业、小区', ['物业', '业主委员会', '业委会', '物业费', '维修基金', '电梯', '停车位', '保安', '绿化', '门禁']],
  noise: ['噪声扰民', ['噪音', '噪声', '扰民', '广场舞', '鸣笛', '太吵', '吵闹', '夜间施工', '分贝', '喇叭']],
  pollution: ['环境污染', ['污染', '油烟', '臭味', '恶臭', '排污', '扬尘', '污水', '废气', '焚烧', '粉尘']],
  illegal_building: ['违法建设', ['违建', '违章搭建', '违法建设', '私自搭建', '违规搭建', '加层', '违章建筑', '违法建筑', '私搭乱建']],
  street: ['占道、乱停', ['占道', '摆摊', '乱停', '违停', '乱停车', '摊贩', '僵尸车', '乱摆', '堵塞通道', '占用人行道']],
  traffic: ['交通出行', ['公交', '红绿灯', '路灯', '交通', '出租车', '车站', '地铁', '停车场', '斑马线', '路口']],
  charges: ['收费、价格', ['乱收费', '收费', '价格', '物价', '多收', '退费', '押金', '欺诈', '虚假宣传', '涨价']],
  education: ['教育', ['学校', '学生', '教师', '老师', '幼儿园', '补课', '学费', '入学', '学位', '校车']],
  medical: ['医疗卫生', ['医院', '医生', '医疗', '医保', '看病', '药店', '卫生院', '诊所', '疫苗', '护士']],
  suggestion: ['建议', ['建议', '希望', '能否', '可否', '呼吁', '提议', '恳请', '倡议']],
  consult: ['咨询', ['请问', '咨询', '是否可以', '怎么办理', '如何办理', '需要什么材料', '能不能', '有没有政策']],
  danger: ['安全隐患', ['安全隐患', '危险', '倒塌', '火灾', '坍塌', '人身安全', '生命安全', '触电', '溺水', '煤气']],
  vulnerable: ['困难群体', ['老人', '残疾', '低保', '困难户', '孤寡', '留守', '重病', '五保', '特困', '瘫痪']],
  repeat: ['反复反映', ['多次反映', '反复反映', '一直没有', '至今没有', '多次投诉', '没有回复', '石沉大海', '推诿', '踢皮球', '多年']],
  mass: ['群体诉求', ['集体', '联名', '全体业主', '众多业主', '上百户', '很多居民', '村民们', '业主们', '广大']],
  escalation: ['媒体、越级', ['媒体', '曝光', '上访', '北京', '省里', '信访局', '记者', '网络']],
  emotion: ['情绪激烈', ['绝望', '走投无路', '活不下去', '逼死', '跳楼', '自杀', '拼命', '激化', '无路可走']],
};

/** Form fields the conditions read, as paths into the petition. */
export const FIELDS = ['petitioners', 'channel', 'history.prior_count', 'topic'];

/** Route codes: code → [name, handler, accepted, separated] (fenliu's manifest wants all four). */
export const ROUTES = {
  judicial: ['涉法涉诉', '人民法院 / 人民检察院', false, true],
  police: ['公安机关依法处理', '公安机关', false, false],
  discipline: ['纪检监察', '纪委监委', false, false],
  arbitration: ['仲裁', '劳动人事争议仲裁委员会', false, false],
  labour: ['劳动保障监察', '人力资源和社会保障部门', true, false],
  administrative: ['行政复议、行政诉讼', '复议机关 / 人民法院', false, false],
  land: ['征地拆迁', '自然资源、住建部门', true, false],
  housing: ['住房、物业', '住建部门、街道', true, false],
  enforcement: ['申请查处违法行为', '主管行政机关', true, false],
  education: ['教育', '教育部门', true, false],
  health: ['卫生健康', '卫生健康部门、医保部门', true, false],
  transport: ['交通运输', '交通运输部门、交警', true, false],
  suggestion: ['建议意见办理', '有权处理的机关', true, false],
  consultation: ['政策咨询', '有权处理的机关', true, false],
  petition: ['信访程序', '有权处理的机关', true, false],
};

// Conditions are conjunctions of atoms:
//   ['has', g]            group g matches          ['not', g]   group g does not match
//   ['any', [g, h]]       g or h matches
//   ['>=', field, n] / ['<=', field, n]             ['in', field, [values]]   ['==', field, value]

/** Route rules, first match by priority (all distinct); the last one has no condition. */
export const ROUTE_RULES = [
  ['route.court_enforcement', '申请强制执行生效裁判', 1000, 'judicial', [['has', 'court_enforcement']]],
  ['route.lawsuit', '已起诉或已判决的事项', 990, 'judicial', [['has', 'lawsuit'], ['not', 'wage']]],
  ['route.police_crime', '报警、刑事案件', 980, 'police', [['has', 'police'], ['any', ['emotion', 'danger']]]],
  ['route.police', '公安管辖的治安事项', 975, 'police', [['has', 'police'], ['not', 'property']]],
  ['route.discipline_official', '检举公职人员违纪违法', 970, 'discipline', [['has', 'corruption'], ['has', 'official']]],
  ['route.discipline', '检举贪腐', 960, 'discipline', [['has', 'corruption']]],
  ['route.arbitration', '劳动争议已申请或应申请仲裁', 950, 'arbitration', [['has', 'arbitration']]],
  ['route.wage_collective', '群体讨薪', 940, 'labour', [['has', 'wage'], ['>=', 'petitioners', 5]]],
  ['route.wage', '拖欠工资', 930, 'labour', [['has', 'wage']]],
  ['route.labour_topic', '门户分类为劳动保障的劳动争议', 920, 'labour', [['has', 'labour'], ['==', 'topic', '劳动和社会保障']]],
  ['route.labour', '劳动关系、社保', 910, 'labour', [['has', 'labour'], ['not', 'education'], ['not', 'medical']]],
  ['route.administrative', '不服行政决定', 900, 'administrative', [['has', 'admin_decision'], ['not', 'street']]],
  ['route.land_conflict', '征地拆迁矛盾激化', 890, 'land', [['has', 'land'], ['any', ['danger', 'emotion']]]],
  ['route.land', '征地拆迁补偿', 880, 'land', [['has', 'land']]],
  ['route.developer', '开发商、交房、办证', 870, 'housing', [['has', 'developer']]],
  ['route.property', '物业服务', 860, 'housing', [['has', 'property'], ['not', 'noise']]],
  ['route.illegal_building', '违法建设', 850, 'enforcement', [['has', 'illegal_building']]],
  ['route.noise', '噪声扰民', 840, 'enforcement', [['has', 'noise']]],
  ['route.pollution', '环境污染', 830, 'enforcement', [['has', 'pollution']]],
  ['route.street', '占道经营、乱停乱放', 820, 'enforcement', [['has', 'street']]],
  ['route.charges', '乱收费、价格违法', 810, 'enforcement', [['has', 'charges'], ['not', 'education'], ['not', 'medical']]],
  ['route.education', '教育', 800, 'education', [['has', 'education']]],
  ['route.medical', '医疗卫生', 790, 'health', [['has', 'medical']]],
  ['route.traffic', '交通出行', 780, 'transport', [['has', 'traffic']]],
  ['route.danger', '安全隐患', 770, 'enforcement', [['has', 'danger']]],
  ['route.suggestion', '建议意见', 760, 'suggestion', [['has', 'suggestion'], ['not', 'repeat'], ['not', 'emotion']]],
  ['route.consultation', '政策咨询', 750, 'consultation', [['has', 'consult'], ['<=', 'petitioners', 1]]],
  ['route.repeat_visit', '走访、来信的重复信访', 740, 'petition', [['in', 'channel', ['visit', 'letter']], ['>=', 'history.prior_count', 3]]],
  ['route.petition', '其他事项按信访程序办理', 0, 'petition', []],
];

/** Difficulty rules: every one that applies adds its points. */
export const POINT_RULES = [
  ['points.petitioners_5', '信访人数 5 人以上', 2, [['>=', 'petitioners', 5]]],
  ['points.petitioners_20', '信访人数 20 人以上', 2, [['>=', 'petitioners', 20]]],
  ['points.mass', '群体诉求', 1, [['has', 'mass']]],
  ['points.prior_1', '此前反映过', 1, [['>=', 'history.prior_count', 1]]],
  ['points.prior_3', '此前反映 3 次以上', 2, [['>=', 'history.prior_count', 3]]],
  ['points.repeat', '自述反复反映无果', 1, [['has', 'repeat']]],
  ['points.emotion', '情绪激烈、有极端言行', 3, [['has', 'emotion']]],
  ['points.danger', '涉及人身安全', 2, [['has', 'danger']]],
  ['points.vulnerable', '涉及困难群体', 1, [['has', 'vulnerable']]],
  ['points.escalation', '媒体关注或越级', 1, [['has', 'escalation']]],
  ['points.land_conflict', '征地拆迁矛盾', 2, [['has', 'land'], ['any', ['danger', 'emotion']]]],
  ['points.official', '涉及公职人员违纪', 2, [['has', 'corruption'], ['has', 'official']]],
  ['points.court_enforcement', '生效裁判执行难', 1, [['has', 'court_enforcement']]],
  ['points.visit', '来访', 1, [['in', 'channel', ['visit']]]],
  ['points.lawsuit_police', '诉讼与治安交织', 1, [['has', 'lawsuit'], ['has', 'police']]],
  ['points.suggestion', '单纯建议', -1, [['has', 'suggestion'], ['not', 'repeat']]],
  ['points.consult', '单纯咨询', -1, [['has', 'consult']]],
  ['points.developer_mass', '群体性购房纠纷', 2, [['has', 'developer'], ['has', 'mass']]],
];

/** Tiers: the last whose min_score the score reaches. */
export const TIERS = [
  ['simple', '简易', null],
  ['normal', '一般', 2],
  ['complex', '疑难复杂', 5],
];

/** The tier of a score (what each JS engine's wrapper computes; fenliu and ZEN do it in rules). */
export function tierOf(score) {
  let tier = TIERS[0][0];
  for (const [code, , min] of TIERS) if (min === null || score >= min) tier = code;
  return tier;
}

const CHANNELS = ['online', 'online', 'online', 'online', 'online', 'online', 'hotline', 'hotline', 'letter', 'visit'];

/**
 * The petition every engine gets for one portal message. The portal export has only id, title,
 * text, submitted_at and (for a tenth) topic; the form fields the decision also reads
 * (信访人数, 来访方式, 此前反映次数) are derived from the id by a fixed hash, the same on every run
 * and in every engine, in proportions a 12345 portal sees (mostly one online petitioner).
 */
export function petitionOf(message) {
  let h = 0x811c9dc5;
  for (const c of String(message.id ?? message.text)) h = Math.imul(h ^ c.codePointAt(0), 0x01000193) >>> 0;
  const r = (bits, n) => ((h >>> bits) & 0xff) % n;
  const pick = r(0, 100);
  const petitioners = pick < 70 ? 1 : pick < 85 ? 2 + r(8, 3) : 5 + r(8, 40);
  const prior = r(16, 10);
  const petition = {
    id: message.id,
    title: message.title,
    text: message.text,
    submitted_at: message.submitted_at,
    petitioners,
    channel: CHANNELS[r(24, 10)],
    history: { prior_count: prior < 6 ? 0 : prior < 8 ? 1 : prior < 9 ? 3 : 6 },
  };
  if (message.topic != null) petition.topic = message.topic;
  return petition;
}

/** Groups used by any condition, in GROUPS order. */
export function usedGroups(rules) {
  const used = new Set();
  for (const rule of rules) {
    for (const atom of rule.at(-1)) {
      if (atom[0] === 'has' || atom[0] === 'not') used.add(atom[1]);
      if (atom[0] === 'any') for (const g of atom[1]) used.add(g);
    }
  }
  return Object.keys(GROUPS).filter((g) => used.has(g));
}
