// Markdown of question texts, statements and check messages. markdown-it runs with raw HTML
// off, so whatever a text holds is shown, never executed.
import { renderMarkdown, renderMarkdownInline } from "../vendor/vendor.js";

/** A block element holding `source` rendered as Markdown. */
export function markdownBlock(source, className = "") {
  const element = document.createElement("div");
  if (className) element.className = className;
  element.innerHTML = renderMarkdown(source || "");
  return element;
}

/** An inline element (options, items: no paragraphs around them). */
export function markdownInline(source, tag = "span") {
  const element = document.createElement(tag);
  element.innerHTML = renderMarkdownInline(source || "");
  return element;
}

/** The text of a localized {lang: text} value already rendered in one language. */
export function textOf(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return Object.values(value)[0] || "";
}

const BLANK = /\[\[([a-z0-9][a-z0-9-]*)\]\]/g;

/**
 * A fill-in text rendered as Markdown with each `[[id]]` replaced by `makeInput(id, n)`.
 * The markers pass through Markdown as plain words, then become elements.
 */
export function markdownWithBlanks(source, makeInput) {
  let n = 0;
  const marked = (source || "").replace(BLANK, (_, id) => `QLBLANK${id.replace(/-/g, "_")}QLEND`);
  const element = markdownBlock(marked, "question-text");
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const textNodes = [];
  while (walker.nextNode()) textNodes.push(walker.currentNode);
  for (const node of textNodes) {
    const parts = node.nodeValue.split(/QLBLANK([a-z0-9_]+)QLEND/);
    if (parts.length === 1) continue;
    const fragment = document.createDocumentFragment();
    parts.forEach((part, index) => {
      if (index % 2 === 0) {
        if (part) fragment.append(part);
      } else {
        n += 1;
        fragment.append(makeInput(part.replace(/_/g, "-"), n));
      }
    });
    node.replaceWith(fragment);
  }
  return element;
}
