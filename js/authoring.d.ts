// Types of `fenliu/authoring`: the same API as `fenliu`, with the rule compiler (rule files,
// checkRuleset, describeRuleset, cases, bundle()).
export * from './index.js';
