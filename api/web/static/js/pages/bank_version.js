// One bank version: its questions, filtered by topic, type and difficulty, and a preview of
// any question's variant for a seed (what the student sees, and the key).
import { api, apiAll, fill, h, localized, params, requireUser, start, t } from "../core.js";
import { codeEditor } from "../editor.js";
import { markdownBlock } from "../markdown.js";
import { markOptions, questionInputs, reviewOf } from "../questions.js";

const versionId = params.version_id;
const $ = (id) => document.getElementById(id);
let current = null;
let questions = [];

function option(value, label) {
  return h("option", { value }, label);
}

async function preview() {
  if (!current) return;
  const seed = Math.max(0, Number($("seed").value) || 0);
  const variant = await api("GET", `/api/v1/bank-versions/${versionId}/questions/${encodeURIComponent(current.id)}/preview?seed=${seed}`);
  const question = variant.student;
  const body = $("preview-body");
  if (question.type === "code") {
    const assignment = await api("GET", `/web/api/assignments/${encodeURIComponent(question.assignment)}`);
    const editorBox = h("div", { class: "editor" });
    fill(
      body,
      markdownBlock(Object.values(question.text)[0] || "", "question-text"),
      h("h3", {}, assignment.title),
      markdownBlock(assignment.statement),
      h("h3", {}, t("code.starter")),
      editorBox,
      h("h3", {}, t("code.checks")),
      h("ul", {}, assignment.checks.map((c) => h("li", {}, c.title, " ", h("span", { class: "muted small" }, t("bank.check_points", { points: c.points, visibility: t(`check.visibility.${c.visibility}`) }))))),
    );
    codeEditor(editorBox, assignment.starter, { label: t("code.starter"), readOnly: true });
    return;
  }
  const inputs = questionInputs(question, null, { prefix: "preview", disabled: true });
  const key = variant.key;
  const shown = h("div", { class: "question" }, inputs.element, reviewOf({ points: question.points, score: null, result: "preview", parts: [], key, explanation: Object.values(key.explanation || {})[0] || "" }, question));
  markOptions(inputs.element, key);
  const values = Object.entries(variant.values || {});
  fill(body, shown, values.length ? h("p", { class: "small muted" }, t("bank.values"), " ", values.map(([k, v]) => `${k} = ${v}`).join(", ")) : null);
}

function renderList() {
  const topic = $("filter-topic").value;
  const type = $("filter-type").value;
  const difficulty = $("filter-difficulty").value;
  const shown = questions.filter((q) => (!topic || q.topic === topic) && (!type || q.type === type) && (!difficulty || String(q.difficulty) === difficulty));
  $("questions-count").textContent = t("bank.showing", { shown: shown.length, total: questions.length });
  fill(
    $("questions"),
    shown.map((q) => {
      const button = h(
        "button",
        { type: "button", "aria-current": current && current.id === q.id ? "true" : "false", dataset: { question: q.id } },
        h("span", {}, h("code", {}, q.id)),
        h("span", { class: "small muted" }, `${t(`type.${q.type}`)} · ${q.topic} · ${t("bank.difficulty_n", { n: q.difficulty })}${q.status === "draft" ? ` · ${t("bank.draft")}` : ""}`),
        h("span", { class: "small" }, localized(q.text).slice(0, 90)),
      );
      button.addEventListener("click", async () => {
        current = q;
        for (const other of $("questions").querySelectorAll("button")) other.setAttribute("aria-current", String(other === button));
        $("preview-empty").hidden = true;
        $("seed-form").hidden = false;
        $("preview-heading").textContent = `${t("bank.preview")}: ${q.id}`;
        await preview();
        if (window.matchMedia("(max-width: 700px)").matches) $("preview").scrollIntoView();
      });
      return h("li", {}, button);
    }),
  );
}

start(async () => {
  requireUser();
  const detail = await api("GET", `/api/v1/bank-versions/${versionId}`);
  $("version-title").textContent = `${detail.bank} ${detail.version}`;
  $("version-summary").textContent = t("bank.summary", { n: detail.question_count, topics: Object.keys(detail.topics).length });
  $("filter-topic").replaceChildren(option("", t("edit.any")), ...Object.keys(detail.topics).map((x) => option(x, `${x} (${detail.topics[x]})`)));
  $("filter-type").replaceChildren(option("", t("edit.any")), ...Object.keys(detail.types).map((x) => option(x, `${t(`type.${x}`)} (${detail.types[x]})`)));
  $("filter-difficulty").replaceChildren(option("", t("edit.any")), ...Object.keys(detail.difficulties).map((x) => option(x, t("bank.difficulty_n", { n: x }))));
  for (const id of ["filter-topic", "filter-type", "filter-difficulty"]) $(id).addEventListener("change", renderList);
  questions = await apiAll(`/api/v1/bank-versions/${versionId}/questions`);
  renderList();
  $("seed").addEventListener("change", preview);
  $("seed-prev").addEventListener("click", () => {
    $("seed").value = Math.max(0, Number($("seed").value) - 1);
    preview();
  });
  $("seed-next").addEventListener("click", () => {
    $("seed").value = Number($("seed").value) + 1;
    preview();
  });
  $("seed-random").addEventListener("click", () => {
    $("seed").value = Math.floor(Math.random() * 1e9);
    preview();
  });
  $("seed-form").addEventListener("submit", (event) => {
    event.preventDefault();
    preview();
  });
});
