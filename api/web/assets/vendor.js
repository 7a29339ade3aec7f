// The browser libraries the pages use, bundled by scripts/build-assets into
// api/web/static/vendor/vendor.js (committed, so running quizloop needs no build step).
// Only what the pages import is re-exported here, so the bundle stays small.
export { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
export { EditorState } from "@codemirror/state";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
export { python } from "@codemirror/lang-python";
import MarkdownIt from "markdown-it";

// Raw HTML in question texts is shown as text, never parsed: texts come from bank files and
// variant parameters, and a page must not run what they hold.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function renderMarkdown(source) {
  return markdown.render(source);
}

export function renderMarkdownInline(source) {
  return markdown.renderInline(source);
}
