// The petition's fields as the form and the verdict name them (Chinese labels and choices).
// `missing` in a verdict names fields by JSON path; MISSING_LABELS turns them into questions.

export const CHOICES = {
  channel: [['online', '网上信访'], ['letter', '来信'], ['visit', '来访'], ['phone', '电话'], ['hotline', '热线']],
  category: [['suggestion', '建议意见类'], ['accusation', '检举控告类'], ['claim', '申诉求决类']],
  level: [['none', '未反映过'], ['village', '村（社区）'], ['town', '镇（街道）'], ['county', '县（区）'], ['city', '市'], ['province', '省'], ['national', '国家']],
  stage: [['none', '尚未处理'], ['handled', '已出具处理意见'], ['reviewed', '已复查'], ['rechecked', '已复核'], ['terminated', '已终结']],
  court: [['none', '未起诉'], ['filed', '已起诉、已立案'], ['judged', '已判决'], ['enforcing', '执行中']],
  arbitration: [['none', '未申请仲裁'], ['filed', '已申请、已受理'], ['awarded', '已裁决']],
  reconsideration: [['none', '未申请复议'], ['filed', '已申请复议'], ['decided', '已作复议决定']],
  police: [['none', '未报警'], ['reported', '已报警'], ['filed', '已立案']],
  separation: [['none', '无'], ['person_household', '人户分离'], ['person_matter', '人事分离'], ['all', '人事户分离']],
  yesno: [['true', '是'], ['false', '否']],
};

/**
 * The form: [JSON path, label, kind, group]. kind: text | textarea | date | number | list
 * (comma-separated) | a CHOICES key.
 */
export const FIELDS = [
  ['title', '标题', 'text', 'main'],
  ['submitted_at', '提交日期', 'date', 'main'],
  ['text', '诉求内容（必填）', 'textarea', 'main'],
  ['channel', '渠道', 'channel', 'main'],
  ['category', '信访人所选类别', 'category', 'main'],
  ['topic', '门户分类', 'text', 'place'],
  ['place.county', '事发地：县（区）', 'text', 'place'],
  ['place.town', '事发地：镇（街道）', 'text', 'place'],
  ['place.village', '事发地：村（社区）', 'text', 'place'],
  ['petitioners', '信访人数', 'number', 'place'],
  ['people_involved', '涉及人数', 'number', 'place'],
  ['anonymous', '匿名', 'yesno', 'place'],
  ['bodies', '涉及部门（用逗号或顿号分隔）', 'list', 'place'],
  ['history.prior_count', '此前反映次数', 'number', 'history'],
  ['history.first_raised_at', '首次反映日期', 'date', 'history'],
  ['history.highest_level', '反映过的最高层级', 'level', 'history'],
  ['history.national_visits', '进京次数', 'number', 'history'],
  ['history.assigned_from_above', '上级交办次数', 'number', 'history'],
  ['history.stage', '信访程序进展', 'stage', 'history'],
  ['legal.court', '诉讼', 'court', 'legal'],
  ['legal.arbitration', '仲裁', 'arbitration', 'legal'],
  ['legal.reconsideration', '行政复议', 'reconsideration', 'legal'],
  ['legal.police', '报警', 'police', 'legal'],
  ['cross.region', '跨地区', 'yesno', 'cross'],
  ['cross.department', '跨部门', 'yesno', 'cross'],
  ['cross.industry', '跨行业', 'yesno', 'cross'],
  ['cross.separation', '三分离', 'separation', 'cross'],
];

export const GROUPS = {
  place: '事发地、人数、部门',
  history: '信访经历（同人同事）',
  legal: '已在进行的法律程序',
  cross: '三跨三分离',
};

export const LABELS = Object.fromEntries(FIELDS.map(([path, label]) => [path, label.replace(/（.*）$/, '')]));

// What to ask the petitioner when a verdict says a field could change the route.
const QUESTIONS = {
  'legal.court': '是否已向法院起诉，法院是否已立案、判决或在执行',
  'legal.arbitration': '是否已申请仲裁，仲裁是否已受理或裁决',
  'legal.reconsideration': '是否已申请行政复议，是否已有复议决定',
  'legal.police': '是否已报警，公安机关是否已立案',
  'history.stage': '这件事是否已有处理意见、复查或复核意见',
  'history.prior_count': '此前是否反映过、反映过几次',
  'place.county': '事情发生在哪个县（区）',
  'place.town': '事情发生在哪个镇（街道）',
  'place.village': '事情发生在哪个村（社区）',
  petitioners: '一同反映的有几人',
  people_involved: '涉及多少人',
};

/** The question to ask for a `missing` path. */
export function missingLabel(path) {
  return QUESTIONS[path] ?? LABELS[path] ?? path;
}

export const STAGE_NAMES = {
  category: '类别', route: '途径', flags: '标记', difficulty: '难度', delegation: '代办', deadlines: '期限', check: '校验',
};
