// What a citizen reads: the pre-screen, not the office's file. In a browser the same functions
// come from 'fenliu/worker' (with a FenliuWorker) or 'fenliu'; see examples/portal-form/app.js.
import { Fenliu, prescreen, prescreenSupport } from 'fenliu';

const support = prescreenSupport(); // no WebAssembly, or too old: show support.message, keep the form
if (!support.ok) throw new Error(support.message);

const fenliu = new Fenliu();
const r = await prescreen(fenliu, { text: '低保一直批不下来，我真的想不开……哪天就从楼上跳下去算了' });
if (r.ok) {
  const v = r.view;
  if (v.emergency) console.log(v.emergency.title, v.emergency.lines.map((l) => `${l.number} ${l.name}`).join('，'));
  console.log(`建议途径：${v.channel.name}。${v.channel.summary}`);
  console.log(v.prepare);
  for (const t of v.timeLimits) console.log(t.text);
  for (const n of v.notices) console.log(n.message); // e.g. only the first 20,000 characters were read
  console.log(v.note);
}
