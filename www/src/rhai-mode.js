// Syntax colouring for Rhai rule files: CodeMirror's C-like legacy mode configured with Rhai's
// keywords, its object-map literal `#{`, closures `|p|` and back-tick strings.
import { clike } from '@codemirror/legacy-modes/mode/clike';

const words = (s) => Object.fromEntries(s.split(' ').map((w) => [w, true]));

function backtick(stream, state) {
  let escaped = false;
  for (let ch; (ch = stream.next()) != null;) {
    if (ch === '`' && !escaped) {
      state.tokenize = null;
      return 'string';
    }
    escaped = !escaped && ch === '\\';
  }
  return 'string'; // the string goes on to the next line
}

export const rhai = clike({
  name: 'rhai',
  keywords: words('let const if else switch while loop for in do until break continue return throw try catch fn private import export as global'),
  blockKeywords: words('if else switch while loop for do try catch fn'),
  defKeywords: words('fn let const'),
  builtin: words('rule print debug type_of is_def_var is_def_fn len contains'),
  atoms: words('true false this'),
  multiLineStrings: false,
  hooks: {
    '#': (stream) => (stream.eat('{') ? 'bracket' : false),
    '`': (stream, state) => {
      state.tokenize = backtick;
      return backtick(stream, state);
    },
  },
});
