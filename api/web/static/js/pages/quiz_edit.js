// Building a quiz: texts, schedule and policies, its items (fixed questions and seeded draws
// from a bank version), saving the draft and publishing it. Once published, only what the
// API lets change (texts, times, limits, feedback) can be edited.
import { api, apiAll, describeError, h, localized, params, requireUser, start, t } from "../core.js";
import { itemLabel } from "../instructor-quiz.js";

const $ = (id) => document.getElementById(id);
let quizId = params.quiz_id;
let courseId = params.course_id;
let published = false;
let items = [];

/** "2026-11-30T09:00" (local) <-> ISO with the browser's offset. */
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

function numberOrNull(id) {
  const value = $(id).value.trim();
  return value === "" ? null : Number(value);
}

function renderItems() {
  const list = $("item-list");
  list.replaceChildren(
    ...items.map((item, index) => {
      const remove = h("button", { type: "button", class: "link", disabled: published }, t("edit.remove"));
      remove.addEventListener("click", () => {
        items.splice(index, 1);
        renderItems();
      });
      const up = h("button", { type: "button", class: "icon-button", "aria-label": t("edit.move_up"), disabled: published || index === 0 }, "↑");
      up.addEventListener("click", () => {
        [items[index - 1], items[index]] = [items[index], items[index - 1]];
        renderItems();
      });
      const points = item.points ? t("manage.item_points", { points: item.points }) : "";
      return h("li", {}, h("span", {}, itemLabel(item), " ", h("span", { class: "muted small" }, points)), h("span", {}, up, " ", remove));
    }),
  );
  $("item-empty").hidden = items.length > 0;
}

async function loadVersion(versionId) {
  if (!versionId) return;
  const [detail, questions] = await Promise.all([
    api("GET", `/api/v1/bank-versions/${versionId}`),
    apiAll(`/api/v1/bank-versions/${versionId}/questions`),
  ]);
  $("add-question").replaceChildren(
    ...questions
      .filter((q) => q.status === "ready")
      .map((q) => h("option", { value: q.id }, `${q.id} · ${t(`type.${q.type}`)} · ${localized(q.text).slice(0, 50)}`)),
  );
  $("draw-topic").replaceChildren(h("option", { value: "" }, t("edit.any")), ...Object.keys(detail.topics).map((topic) => h("option", { value: topic }, topic)));
  $("draw-type").replaceChildren(h("option", { value: "" }, t("edit.any_but_code")), ...Object.keys(detail.types).map((type) => h("option", { value: type }, t(`type.${type}`))));
}

function body() {
  const title = { "zh-CN": $("q-title-zh").value.trim(), en: $("q-title-en").value.trim() };
  const zh = $("q-desc-zh").value.trim();
  const en = $("q-desc-en").value.trim();
  const out = {
    title,
    description: zh || en ? { "zh-CN": zh, en } : null,
    opens_at: fromLocalInput($("q-opens").value),
    closes_at: fromLocalInput($("q-closes").value),
    time_limit_minutes: numberOrNull("q-limit"),
    attempts_allowed: numberOrNull("q-attempts"),
    feedback: $("q-feedback").value,
  };
  if (!published) {
    out.counted_attempt = $("q-counted").value;
    out.shuffle_options = $("q-shuffle").checked;
  }
  return out;
}

async function save() {
  const error = $("edit-error");
  error.hidden = true;
  try {
    if (quizId === null) {
      const quiz = await api("POST", `/api/v1/courses/${courseId}/quizzes`, { json: { ...body(), items } });
      quizId = quiz.id;
      history.replaceState(null, "", `/quizzes/${quizId}/edit`);
    } else {
      await api("PATCH", `/api/v1/quizzes/${quizId}`, { json: body() });
      if (!published) await api("PUT", `/api/v1/quizzes/${quizId}/items`, { json: items });
    }
    $("edit-status").textContent = t("edit.saved");
    return true;
  } catch (failure) {
    error.textContent = describeError(failure);
    error.hidden = false;
    return false;
  }
}

function fillForm(quiz) {
  $("q-title-zh").value = quiz.title["zh-CN"] || "";
  $("q-title-en").value = quiz.title.en || "";
  $("q-desc-zh").value = (quiz.description && quiz.description["zh-CN"]) || "";
  $("q-desc-en").value = (quiz.description && quiz.description.en) || "";
  $("q-opens").value = toLocalInput(quiz.opens_at);
  $("q-closes").value = toLocalInput(quiz.closes_at);
  $("q-limit").value = quiz.time_limit_minutes ?? "";
  $("q-attempts").value = quiz.attempts_allowed ?? "";
  $("q-counted").value = quiz.counted_attempt;
  $("q-feedback").value = quiz.feedback;
  $("q-shuffle").checked = quiz.shuffle_options;
  items = quiz.items.map((item) =>
    item.kind === "question"
      ? { kind: "question", bank_version_id: item.bank_version_id, question_id: item.question_id, points: item.points }
      : { kind: "draw", bank_version_id: item.bank_version_id, count: item.count, points: item.points, topic: item.topic, tags: item.tags, difficulties: item.difficulties, types: item.types },
  );
}

start(async () => {
  requireUser();
  let quiz = null;
  if (quizId !== null) {
    quiz = await api("GET", `/api/v1/quizzes/${quizId}`);
    courseId = quiz.course_id;
    published = quiz.status === "published";
    fillForm(quiz);
    $("edit-heading").textContent = `${t("page.quiz_edit")}: ${localized(quiz.title)}`;
  } else {
    $("q-attempts").value = "1";
  }
  const course = await api("GET", `/api/v1/courses/${courseId}`);
  $("edit-course-link").href = `/courses/${courseId}`;
  $("edit-course-link").textContent = localized(course.title);
  const banks = await apiAll("/api/v1/banks");
  const versions = banks.filter((b) => b.latest_version).map((b) => b.latest_version);
  $("item-version").replaceChildren(...versions.map((v) => h("option", { value: v.id }, `${v.bank} ${v.version} (${t("bank.n_questions", { n: v.question_count })})`)));
  $("item-version").addEventListener("change", () => loadVersion($("item-version").value));
  await loadVersion($("item-version").value);
  renderItems();
  if (published) {
    for (const id of ["q-counted", "q-shuffle", "item-version", "add-question", "add-question-points", "add-question-button", "draw-topic", "draw-type", "draw-count", "draw-points", "add-draw-button"]) $(id).disabled = true;
    $("publish-button").hidden = true;
    $("edit-status").textContent = t("edit.published_note");
  }
  $("add-question-button").addEventListener("click", () => {
    const points = numberOrNull("add-question-points");
    items.push({ kind: "question", bank_version_id: Number($("item-version").value), question_id: $("add-question").value, ...(points ? { points } : {}) });
    renderItems();
  });
  $("add-draw-button").addEventListener("click", () => {
    const type = $("draw-type").value;
    items.push({
      kind: "draw",
      bank_version_id: Number($("item-version").value),
      count: Number($("draw-count").value) || 1,
      points: Number($("draw-points").value) || 1,
      topic: $("draw-topic").value || null,
      types: type ? [type] : [],
    });
    renderItems();
  });
  $("quiz-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await save()) location.assign(`/quizzes/${quizId}`);
  });
  $("publish-button").addEventListener("click", async () => {
    if (!(await save())) return;
    try {
      await api("POST", `/api/v1/quizzes/${quizId}/publish`);
      location.assign(`/quizzes/${quizId}`);
    } catch (failure) {
      $("edit-error").textContent = describeError(failure);
      $("edit-error").hidden = false;
    }
  });
});
