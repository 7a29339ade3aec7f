// The code editor: CodeMirror 6 with Python highlighting (vendored bundle, no build step).
import {
  EditorState,
  EditorView,
  bracketMatching,
  defaultHighlightStyle,
  defaultKeymap,
  drawSelection,
  highlightActiveLine,
  history,
  historyKeymap,
  indentOnInput,
  indentUnit,
  indentWithTab,
  keymap,
  lineNumbers,
  python,
  syntaxHighlighting,
} from "../vendor/vendor.js";
import { boot } from "./core.js";

/**
 * An editor in `parent` holding `doc`; `onChange(text)` runs on every edit. Tab indents (as
 * Python wants); Escape then Tab leaves the editor (CodeMirror's tab focus mode), so keyboard
 * users are never trapped: the hint under the editor says so.
 * Returns {value(), set(text), focus()}.
 */
export function codeEditor(parent, doc, { label, describedBy, onChange, readOnly = false }) {
  const extensions = [
    lineNumbers(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    indentUnit.of("    "),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    python(),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    EditorView.lineWrapping, // no sideways scrolling on a phone
    // The editor's own stylesheet is an inline <style>: the page's CSP admits it by nonce.
    EditorView.cspNonce.of(boot.style_nonce || ""),
    EditorView.contentAttributes.of({
      "aria-label": label,
      ...(describedBy ? { "aria-describedby": describedBy } : {}),
      spellcheck: "false",
      autocapitalize: "off",
      autocorrect: "off",
    }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && onChange) onChange(update.state.doc.toString());
    }),
  ];
  if (readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  // Code is not Chinese text: under <html lang="zh-CN"> the browser would pick CJK fallback
  // metrics for ASCII punctuation, and lines would no longer match their numbers.
  parent.setAttribute("lang", "en");
  const view = new EditorView({ state: EditorState.create({ doc, extensions }), parent });
  // Line heights are measured once; measure again when web fonts have settled.
  document.fonts.ready.then(() => view.requestMeasure());
  return {
    view,
    value: () => view.state.doc.toString(),
    set(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
  };
}
