// Node 20+: `npm install fenliu`, then:
import { Fenliu } from 'fenliu';

const fenliu = new Fenliu(); // the built-in default ruleset; the .wasm loads at import
const result = fenliu.classify({ text: '公司拖欠我三个月工资，老板一直推脱', submitted_at: '2024-03-01' });
if (result.ok) {
  console.log(result.verdict.route.code, result.verdict.status); // e.g. "enforcement needs_info"
  console.log(result.json); // the CLI's JSON line, byte for byte
} else {
  console.error(result.errors[0].code, result.errors[0].message);
}
