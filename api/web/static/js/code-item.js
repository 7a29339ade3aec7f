// A code question: the assignment's statement and starter code, the editor, and the
// submission's checks, which update live while grading runs (server-sent events).
import { ApiError, api, formatNumber, h, t } from "./core.js";
import { codeEditor } from "./editor.js";
import { markdownBlock } from "./markdown.js";
import { streamEvents } from "./sse.js";

const TERMINAL = new Set(["graded", "not_gradable", "rejected"]);

/**
 * The code part of item `item` (position `position`) of attempt `attemptId`.
 * `onChange(source)` autosaves; `canSubmit` shows the "Run the checks" button (an open attempt).
 * Returns {element, value(), set(), disable(), showSubmission(submission)}.
 */
export function codeItem({ attemptId, item, prefix, onChange, canSubmit, flush }) {
  const statement = h("div", { class: "statement" }, h("p", { class: "muted" }, t("common.loading")));
  const checkList = h("ul", { class: "checks", "aria-label": t("code.checks") });
  const statusLine = h("p", { class: "grading-status", role: "status", "aria-live": "polite" });
  const editorBox = h("div", { class: "editor" });
  const hintId = `${prefix}-editor-hint`;
  let editor = null;
  let assignment = null;
  let stream = null;
  let pendingDoc = typeof item.response === "string" ? item.response : null;

  const submitButton = canSubmit
    ? h("button", { type: "button", class: "primary", onclick: () => submit() }, t("code.run_checks"))
    : null;

  const element = h(
    "div",
    { class: "code-question" },
    markdownBlock(textOfQuestion(item.question), "question-text"),
    h("details", { open: true }, h("summary", {}, t("code.statement")), statement),
    h("label", { for: `${prefix}-editor`, id: `${prefix}-editor-label`, class: "field-label" }, t("code.your_code")),
    editorBox,
    h("p", { class: "muted small", id: hintId }, t("code.editor_hint")),
    h("div", { class: "item-footer" }, submitButton, statusLine),
    checkList,
  );

  const load = async () => {
    try {
      assignment = await api("GET", `/web/api/attempts/${attemptId}/items/${item.position}/assignment`);
    } catch (error) {
      statement.replaceChildren(h("p", { class: "item-error" }, t("code.statement_missing")));
      return;
    }
    statement.replaceChildren(
      markdownBlock(assignment.statement),
      h(
        "p",
        { class: "small muted" },
        t("code.checks_summary", { shown: assignment.checks.length, hidden: assignment.hidden_checks, points: assignment.max_score }),
      ),
    );
    // In review, an unanswered question shows no code (not the starter, as if it were theirs).
    if (!editor) mountEditor(pendingDoc ?? (canSubmit ? assignment.starter : ""));
    if (!canSubmit && pendingDoc === null) statusLine.textContent = t("code.no_answer");
    if (!checkList.children.length) renderChecks(null);
  };

  const mountEditor = (doc) => {
    editor = codeEditor(editorBox, doc, {
      label: t("code.your_code"),
      describedBy: hintId,
      readOnly: !canSubmit,
      onChange: (text) => onChange && onChange(text),
    });
    editor.view.contentDOM.id = `${prefix}-editor`;
  };

  const renderChecks = (submission) => {
    const results = new Map(((submission && submission.tests) || []).map((r) => [r.name, r]));
    const known = assignment ? assignment.checks : [];
    const rows = known.map((check) => checkRow(check.title, check.id, results.get(check.id), submission));
    // Results the student may see for checks not in the visible list (instructors' view).
    for (const [name, result] of results) {
      if (!known.some((c) => c.id === name)) rows.push(checkRow(name, name, result, submission));
    }
    checkList.replaceChildren(...rows);
  };

  const showSubmission = (submission) => {
    if (!submission) return;
    renderChecks(submission);
    const status = submission.status;
    let text = t(`submission.${status}`);
    if (status === "graded" && submission.score !== null && submission.score !== undefined) {
      text = t("submission.graded_score", { score: formatNumber(submission.score), max: formatNumber(submission.max_score) });
    }
    statusLine.replaceChildren(h("span", { class: `badge badge-${status}` }, t(`submission.short.${status}`)), " ", text);
    element.dataset.submissionStatus = status;
    if (!TERMINAL.has(status)) watch(submission.id);
  };

  const watch = (id) => {
    if (stream && stream.id === id) return;
    if (stream) stream.stop();
    const current = streamEvents(`/api/v1/submissions/${id}/events`, (name, data) => {
      if (name === "status" && data && typeof data === "object") {
        showSubmission(data);
        if (TERMINAL.has(data.status)) current.stop();
      }
    });
    current.id = id;
    stream = current;
    // A stream that ends early (a proxy cutting it) leaves us polling until a final status.
    current.done.then(() => pollUntilDone(id));
  };

  const pollUntilDone = async (id) => {
    for (let i = 0; i < 200 && element.isConnected; i += 1) {
      if (TERMINAL.has(element.dataset.submissionStatus)) return;
      if (stream && stream.id !== id) return;
      try {
        showSubmissionQuietly(await api("GET", `/api/v1/submissions/${id}`));
      } catch {
        /* keep polling */
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };

  const showSubmissionQuietly = (submission) => {
    renderChecks(submission);
    element.dataset.submissionStatus = submission.status;
    statusLine.replaceChildren(h("span", { class: `badge badge-${submission.status}` }, t(`submission.short.${submission.status}`)), " ", t(`submission.${submission.status}`));
  };

  const submit = async () => {
    if (!editor) return;
    submitButton.disabled = true;
    try {
      if (flush) await flush();
      statusLine.textContent = t("submission.sending");
      const submission = await api("POST", `/api/v1/attempts/${attemptId}/items/${item.position}/submissions`, {
        json: { source: editor.value() },
        keepOn401: true,
      });
      showSubmission(submission);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && !error.problem.detail) {
        statusLine.textContent = t("code.grading_unavailable");
      } else if (error instanceof ApiError && error.status === 429) {
        const wait = error.response.headers.get("Retry-After");
        statusLine.textContent = t("code.rate_limited", { seconds: wait || "?" });
      } else {
        statusLine.textContent = error.message || t("error.unexpected");
      }
    } finally {
      submitButton.disabled = false;
    }
  };

  // After a reload (or on another device): the newest submission, still live if grading.
  const latest = async () => {
    try {
      const page = await api("GET", `/api/v1/attempts/${attemptId}/items/${item.position}/submissions?limit=1`);
      if (page.data.length) showSubmission(page.data[0]);
    } catch (error) {
      // 404: no grading queue on this server; anything else shows when the student submits.
      if (!(error instanceof ApiError && error.status === 404)) console.warn(error);
    }
  };
  load().then(latest);

  return {
    element,
    value: () => (editor ? editor.value() : pendingDoc),
    set(text) {
      pendingDoc = typeof text === "string" ? text : null;
      if (editor && pendingDoc !== null) editor.set(pendingDoc);
    },
    disable() {
      if (submitButton) submitButton.hidden = true;
    },
    showSubmission,
    stop: () => stream && stream.stop(),
  };
}

function textOfQuestion(question) {
  const text = question.text || {};
  return Object.values(text)[0] || "";
}

function checkRow(title, id, result, submission) {
  let status = "waiting";
  if (result) status = result.status;
  else if (submission && (submission.status === "queued" || submission.status === "running")) status = submission.status;
  else if (!submission) status = "not_run";
  const score = result && result.max_score ? `${formatNumber(result.score)} / ${formatNumber(result.max_score)}` : "";
  return h(
    "li",
    { class: "check", dataset: { check: id, status } },
    h("span", { class: `badge badge-${status}` }, t(`check.${status in CHECK_WORDS ? status : "other"}`)),
    h("span", { class: "check-title" }, title),
    h("span", { class: "small muted" }, score),
    result && result.output ? h("div", { class: "check-message" }, markdownBlock(result.output)) : null,
  );
}

const CHECK_WORDS = { passed: 1, failed: 1, error: 1, skipped: 1, queued: 1, running: 1, not_run: 1, waiting: 1 };
