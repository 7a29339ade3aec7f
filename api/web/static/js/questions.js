// One question on the page: its inputs for every type, reading and setting the response in
// the API's shape (questions/README.md, "Responses and scoring"), and its review once graded.
import { announce, h, t } from "./core.js";
import { markdownBlock, markdownInline, markdownWithBlanks, textOf } from "./markdown.js";

/**
 * Inputs for `question` (a QuestionView), holding `response`.
 * Returns {element, value(), set(response), disable()}; `onChange()` runs on every edit.
 * `prefix` keeps element ids unique on the page.
 */
export function questionInputs(question, response, { prefix, onChange, disabled = false }) {
  const render = RENDERERS[question.type];
  if (!render) return unknownType(question);
  const inputs = render(question, { prefix, onChange: onChange || (() => {}) });
  inputs.set(response);
  if (disabled) inputs.disable();
  return inputs;
}

function unknownType(question) {
  const element = h("p", { class: "item-error" }, t("question.unknown_type", { type: question.type }));
  return { element, value: () => null, set() {}, disable() {} };
}

function questionText(question, prefix) {
  const text = markdownBlock(textOf(question.text), "question-text");
  text.id = `${prefix}-text`;
  return text;
}

function choices(question, { prefix, onChange }, multiple) {
  const type = multiple ? "checkbox" : "radio";
  const inputs = [];
  const options = question.options.map((option) => {
    const input = h("input", { type, name: `${prefix}-choice`, value: option.id, id: `${prefix}-${option.id}` });
    input.addEventListener("change", onChange);
    inputs.push(input);
    const label = h("label", { class: "option", for: input.id, dataset: { option: option.id } }, input, markdownInline(textOf(option.text)));
    return label;
  });
  const element = h(
    "fieldset",
    { "aria-labelledby": `${prefix}-text` },
    questionText(question, prefix),
    multiple ? h("p", { class: "muted small" }, t("question.choose_all")) : null,
    h("div", { class: "options" }, options),
  );
  return {
    element,
    value() {
      const picked = inputs.filter((i) => i.checked).map((i) => i.value);
      if (multiple) return picked.length ? picked : null;
      return picked[0] ?? null;
    },
    set(response) {
      const chosen = new Set(multiple ? response || [] : response ? [response] : []);
      for (const input of inputs) input.checked = chosen.has(input.value);
    },
    disable() {
      for (const input of inputs) input.disabled = true;
    },
  };
}

function trueFalse(question, { prefix, onChange }) {
  const make = (value, key) => {
    const input = h("input", { type: "radio", name: `${prefix}-tf`, value: String(value), id: `${prefix}-${value}` });
    input.addEventListener("change", onChange);
    return { input, label: h("label", { class: "option", for: input.id }, input, h("span", {}, t(key))) };
  };
  const yes = make(true, "answer.true");
  const no = make(false, "answer.false");
  const element = h(
    "fieldset",
    { "aria-labelledby": `${prefix}-text` },
    questionText(question, prefix),
    h("div", { class: "options" }, yes.label, no.label),
  );
  return {
    element,
    value: () => (yes.input.checked ? true : no.input.checked ? false : null),
    set(response) {
      yes.input.checked = response === true;
      no.input.checked = response === false;
    },
    disable() {
      yes.input.disabled = no.input.disabled = true;
    },
  };
}

function fillIn(question, { prefix, onChange }) {
  const inputs = new Map();
  const text = markdownWithBlanks(textOf(question.text), (id, n) => {
    const input = h("input", {
      type: "text",
      class: "blank",
      id: `${prefix}-blank-${id}`,
      autocomplete: "off",
      spellcheck: "false",
      "aria-label": t("question.blank", { n }),
      dataset: { blank: id },
    });
    input.addEventListener("input", onChange);
    inputs.set(id, input);
    return input;
  });
  text.id = `${prefix}-text`;
  const element = h("div", { role: "group", "aria-labelledby": `${prefix}-text` }, text);
  return {
    element,
    value() {
      const out = {};
      for (const [id, input] of inputs) if (input.value.trim()) out[id] = input.value;
      return Object.keys(out).length ? out : null;
    },
    set(response) {
      for (const [id, input] of inputs) input.value = (response && response[id]) || "";
    },
    disable() {
      for (const input of inputs.values()) input.disabled = true;
    },
  };
}

function numeric(question, { prefix, onChange }) {
  const input = h("input", {
    type: "text",
    inputmode: "decimal",
    id: `${prefix}-number`,
    autocomplete: "off",
    "aria-describedby": `${prefix}-unit-hint`,
  });
  input.addEventListener("input", onChange);
  const element = h(
    "div",
    {},
    questionText(question, prefix),
    h(
      "div",
      { class: "numeric-answer" },
      h("label", { for: input.id }, t("question.your_answer")),
      input,
      question.unit ? h("span", { class: "unit" }, question.unit) : null,
    ),
    h(
      "p",
      { class: "muted small", id: `${prefix}-unit-hint` },
      question.unit ? t("question.unit_hint", { unit: question.unit }) : t("question.number_hint"),
    ),
  );
  return {
    element,
    value() {
      const raw = input.value.trim();
      if (!raw) return null;
      // A plain number is sent as a number (in the question's unit); "1.2 s" as written, so
      // the server converts the unit the student chose.
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : raw;
    },
    set(response) {
      input.value = response === null || response === undefined ? "" : String(response);
    },
    disable() {
      input.disabled = true;
    },
  };
}

function matching(question, { prefix, onChange }) {
  const selects = new Map();
  const rows = question.left.map((left, index) => {
    const select = h(
      "select",
      { id: `${prefix}-match-${index}` },
      h("option", { value: "" }, t("question.choose")),
      question.right.map((right) => h("option", { value: right.id }, textOf(right.text))),
    );
    select.addEventListener("change", onChange);
    selects.set(left.id, select);
    return [h("label", { for: select.id, class: "match-left" }, markdownInline(textOf(left.text))), select];
  });
  const element = h(
    "div",
    { role: "group", "aria-labelledby": `${prefix}-text` },
    questionText(question, prefix),
    h("div", { class: "matching" }, rows),
  );
  return {
    element,
    value() {
      const out = {};
      for (const [id, select] of selects) if (select.value) out[id] = select.value;
      return Object.keys(out).length ? out : null;
    },
    set(response) {
      for (const [id, select] of selects) select.value = (response && response[id]) || "";
    },
    disable() {
      for (const select of selects.values()) select.disabled = true;
    },
  };
}

/**
 * Ordering: drag an item by its handle (mouse, pen or touch: pointer events), or use its
 * move-up / move-down buttons, or Alt+Arrow keys on a focused item. The order counts as an
 * answer once the student has moved something.
 */
function ordering(question, { prefix, onChange }) {
  const byId = new Map(question.items.map((item) => [item.id, item]));
  const list = h("ol", { class: "ordering", "aria-labelledby": `${prefix}-text`, "aria-describedby": `${prefix}-order-hint` });
  let touched = false;
  let disabled = false;

  const changed = (moved) => {
    touched = true;
    renumber();
    if (moved) {
      const position = [...list.children].indexOf(moved) + 1;
      announce(t("question.moved", { item: moved.dataset.label, position, total: list.children.length }));
    }
    onChange();
  };

  const move = (li, delta) => {
    if (disabled) return;
    const items = [...list.children];
    const index = items.indexOf(li);
    const target = index + delta;
    if (target < 0 || target >= items.length) return;
    if (delta < 0) list.insertBefore(li, items[target]);
    else list.insertBefore(li, items[target].nextSibling);
    changed(li);
  };

  const row = (item) => {
    const label = textOf(item.text);
    const up = h("button", { type: "button", class: "move", "aria-label": t("question.move_up", { item: label }) }, "↑");
    const down = h("button", { type: "button", class: "move", "aria-label": t("question.move_down", { item: label }) }, "↓");
    const handle = h("button", { type: "button", class: "drag-handle", "aria-label": t("question.drag", { item: label }) }, "⠿");
    const itemText = markdownInline(label, "span");
    itemText.className = "item-text";
    const li = h("li", { dataset: { id: item.id, label } }, h("span", { class: "position", "aria-hidden": "true" }), handle, itemText, up, down);
    up.addEventListener("click", () => {
      move(li, -1);
      (li.previousElementSibling ? up : down).focus();
    });
    down.addEventListener("click", () => {
      move(li, 1);
      (li.nextElementSibling ? down : up).focus();
    });
    li.addEventListener("keydown", (event) => {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      event.preventDefault();
      move(li, event.key === "ArrowUp" ? -1 : 1);
      event.target.focus();
    });
    dragWith(handle, li);
    return li;
  };

  // Pointer dragging: the row follows the pointer's height among its siblings.
  const dragWith = (handle, li) => {
    handle.addEventListener("pointerdown", (event) => {
      if (disabled || event.button !== 0) return;
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      li.classList.add("dragging");
      const startOrder = [...list.children].map((x) => x.dataset.id).join();
      const onMove = (moveEvent) => {
        const siblings = [...list.children].filter((x) => x !== li);
        const before = siblings.find((x) => {
          const box = x.getBoundingClientRect();
          return moveEvent.clientY < box.top + box.height / 2;
        });
        if (before) {
          if (li.nextElementSibling !== before) list.insertBefore(li, before);
        } else if (list.lastElementChild !== li) {
          list.append(li);
        }
        renumber();
      };
      const onUp = () => {
        handle.removeEventListener("pointermove", onMove);
        handle.removeEventListener("pointerup", onUp);
        handle.removeEventListener("pointercancel", onUp);
        li.classList.remove("dragging");
        if ([...list.children].map((x) => x.dataset.id).join() !== startOrder) changed(li);
      };
      handle.addEventListener("pointermove", onMove);
      handle.addEventListener("pointerup", onUp);
      handle.addEventListener("pointercancel", onUp);
    });
  };

  const renumber = () => {
    [...list.children].forEach((li, index) => {
      li.querySelector(".position").textContent = `${index + 1}.`;
    });
  };

  const element = h(
    "div",
    {},
    questionText(question, prefix),
    h("p", { class: "muted small", id: `${prefix}-order-hint` }, t("question.order_hint")),
    list,
  );
  return {
    element,
    value: () => (touched ? [...list.children].map((li) => li.dataset.id) : null),
    set(response) {
      const order = Array.isArray(response) && response.length ? response : question.items.map((i) => i.id);
      const seen = new Set(order);
      const ids = [...order.filter((id) => byId.has(id)), ...question.items.map((i) => i.id).filter((id) => !seen.has(id))];
      list.replaceChildren(...ids.map((id) => row(byId.get(id))));
      touched = Array.isArray(response) && response.length > 0;
      renumber();
    },
    disable() {
      disabled = true;
      for (const button of list.querySelectorAll("button")) button.disabled = true;
    },
  };
}

const RENDERERS = {
  single_choice: (q, o) => choices(q, o, false),
  multiple_choice: (q, o) => choices(q, o, true),
  true_false: trueFalse,
  fill_in: fillIn,
  numeric,
  matching,
  ordering,
};

// --- review --------------------------------------------------------------------------------

/** The verdict, feedback, explanation and key of a reviewed item (an ItemReview). */
export function reviewOf(item, question) {
  const points = item.points;
  const score = item.score;
  let verdict = null;
  if (item.result === "preview") verdict = null;
  else if (item.result === "pending") verdict = h("span", { class: "verdict partial" }, t("review.pending"));
  else if (item.result === "unanswered") verdict = h("span", { class: "verdict bad" }, t("review.unanswered"));
  else if (item.result === "malformed") verdict = h("span", { class: "verdict bad" }, t("review.malformed"));
  else {
    const kind = score >= points ? "good" : score > 0 ? "partial" : "bad";
    verdict = h("span", { class: `verdict ${kind}` }, t(`review.${kind}`));
  }
  const scoreText = score === null || score === undefined ? "" : t("review.points", { score: round(score), points: round(points) });
  return h(
    "div",
    { class: "review" },
    h("p", {}, verdict, " ", scoreText),
    item.message ? h("p", {}, item.message) : null,
    item.parts && item.parts.length
      ? h("ul", { class: "small" }, item.parts.filter((p) => p.feedback).map((p) => h("li", {}, p.feedback)))
      : null,
    keyOf(item.key, question),
    item.explanation ? h("div", {}, h("strong", {}, t("review.explanation")), markdownBlock(item.explanation)) : null,
  );
}

function round(value) {
  return Math.round(value * 100) / 100;
}

function keyOf(key, question) {
  if (!key || !key.type || key.type === "code") return null;
  const text = (list, id) => textOf((list.find((x) => x.id === id) || {}).text) || id;
  let body;
  switch (key.type) {
    case "single_choice":
    case "multiple_choice":
      body = h("ul", {}, question.options.filter((o) => key.correct.includes(o.id)).map((o) => h("li", {}, markdownInline(textOf(o.text)))));
      break;
    case "true_false":
      body = h("p", {}, t(key.answer ? "answer.true" : "answer.false"));
      break;
    case "fill_in":
      body = h("ul", {}, key.blanks.map((b, i) => h("li", {}, t("question.blank", { n: i + 1 }), ": ", b.accept.join(" / "))));
      break;
    case "numeric":
      body = h("p", {}, `${key.answer}${key.unit ? ` ${key.unit}` : ""}`);
      break;
    case "matching":
      body = h("ul", {}, Object.entries(key.pairs).map(([l, r]) => h("li", {}, text(question.left, l), " → ", text(question.right, r))));
      break;
    case "ordering":
      body = h("ol", {}, key.order.map((id) => h("li", {}, text(question.items, id))));
      break;
    default:
      return null;
  }
  return h("div", { class: "key" }, h("strong", {}, t("review.key")), body);
}

/** Mark chosen options right or wrong in a reviewed choice question. */
export function markOptions(element, key) {
  if (!key || (key.type !== "single_choice" && key.type !== "multiple_choice")) return;
  for (const label of element.querySelectorAll(".option[data-option]")) {
    const input = label.querySelector("input");
    const correct = key.correct.includes(label.dataset.option);
    if (correct) label.classList.add("correct");
    else if (input && input.checked) label.classList.add("wrong");
  }
}
