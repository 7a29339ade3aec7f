// Taking a quiz, and reviewing it afterwards.
//
// The server's clock is the truth: the countdown runs from the attempt's deadline and the
// server time of the last answer (each autosave corrects the offset). Answers autosave per
// question (debounced, one request in flight per question, each with the next revision so a
// slow request never overwrites a newer answer); unsaved edits are also kept in localStorage
// until the server has them, so a reload or a crash loses nothing.
import {
  ApiError,
  NetworkError,
  announce,
  api,
  fill,
  formatDate,
  formatDuration,
  formatNumber,
  h,
  lang,
  localized,
  notice,
  params,
  requireUser,
  session,
  start,
  t,
} from "../core.js";
import { codeItem } from "../code-item.js";
import { markOptions, questionInputs, reviewOf } from "../questions.js";

const attemptId = params.attempt_id;
const base = `/api/v1/attempts/${attemptId}`;
const BACKUP_KEY = `quizloop.unsaved.${attemptId}`;
const SAVE_DELAY_MS = 700;
const CODE_SAVE_DELAY_MS = 1500;

let attempt = null;
let quiz = null;
let closed = false;
const savers = new Map();
const views = new Map();

// --- the server's clock ----------------------------------------------------------------------

const clock = {
  offset: 0,
  /** Adopt `serverTime`, measured between the local times `sent` and `received`. */
  correct(serverTime, sent, received) {
    this.offset = new Date(serverTime).getTime() - (sent + received) / 2;
  },
  now() {
    return Date.now() + this.offset;
  },
};

// --- autosave --------------------------------------------------------------------------------

function backup() {
  const unsaved = {};
  for (const saver of savers.values()) {
    if (saver.dirty || saver.inflight) unsaved[saver.position] = { response: saver.current, base: saver.revision };
  }
  if (Object.keys(unsaved).length) localStorage.setItem(BACKUP_KEY, JSON.stringify(unsaved));
  else localStorage.removeItem(BACKUP_KEY);
}

function readBackup() {
  try {
    return JSON.parse(localStorage.getItem(BACKUP_KEY) || "{}");
  } catch {
    return {};
  }
}

function makeSaver(item) {
  return {
    position: item.position,
    revision: item.revision,
    saved: JSON.stringify(item.response ?? null),
    current: item.response ?? null,
    dirty: false,
    inflight: null,
    error: null,
    timer: null,
    retryMs: 1000,
  };
}

function edited(saver, response, delay) {
  if (closed) return;
  saver.current = response;
  saver.dirty = JSON.stringify(response ?? null) !== saver.saved;
  saver.error = saver.error && saver.error.kind === "invalid" ? null : saver.error;
  clearTimeout(saver.timer);
  if (saver.dirty) saver.timer = setTimeout(() => save(saver), delay);
  backup();
  showSaveState();
}

async function save(saver) {
  clearTimeout(saver.timer);
  if (saver.inflight) {
    saver.again = true;
    return saver.inflight;
  }
  if (!saver.dirty || closed) return;
  const response = saver.current;
  const body = { response, revision: saver.revision + 1 };
  saver.dirty = false;
  showSaveState();
  saver.inflight = (async () => {
    const sent = Date.now();
    try {
      const saved = await api("PUT", `${base}/items/${saver.position}/answer`, { json: body, keepOn401: true });
      clock.correct(saved.saved_at, sent, Date.now());
      saver.revision = saved.revision;
      saver.saved = JSON.stringify(response ?? null);
      saver.savedAt = new Date();
      saver.error = null;
      saver.retryMs = 1000;
      showItemError(saver.position, null);
    } catch (error) {
      await saveFailed(saver, error);
    } finally {
      saver.inflight = null;
      saver.dirty = saver.dirty || JSON.stringify(saver.current ?? null) !== saver.saved;
      backup();
      showSaveState();
      if (saver.again) {
        saver.again = false;
        if (saver.dirty && !saver.error) save(saver);
      }
    }
  })();
  return saver.inflight;
}

async function saveFailed(saver, error) {
  saver.dirty = true;
  if (error instanceof ApiError) {
    const kind = error.kind;
    if (error.status === 401) {
      saver.error = { kind: "auth" };
      askToSignIn();
    } else if (kind === "stale-answer") {
      // Another device saved a newer revision: continue from its revision, with this
      // device's answer (the one the student is looking at).
      const fresh = await api("GET", base);
      const item = fresh.items.find((i) => i.position === saver.position);
      saver.revision = item ? item.revision : saver.revision + 1;
      saver.error = null;
      saver.again = true;
    } else if (kind === "deadline-passed" || kind === "attempt-closed" || kind === "answer-locked") {
      saver.dirty = false;
      if (kind !== "answer-locked") await attemptClosed(error.message);
    } else if (kind === "invalid-answer" || error.status === 422) {
      saver.error = { kind: "invalid" };
      showItemError(saver.position, error.message);
    } else {
      retryLater(saver);
    }
  } else if (error instanceof NetworkError) {
    retryLater(saver);
  } else {
    saver.error = { kind: "other" };
    console.error(error);
  }
}

function retryLater(saver) {
  saver.error = { kind: "network" };
  saver.timer = setTimeout(() => {
    saver.error = null;
    save(saver);
  }, saver.retryMs);
  saver.retryMs = Math.min(saver.retryMs * 2, 30000);
}

/** Save everything now; resolves when nothing is left unsaved (or saving failed). */
async function flushAll() {
  await Promise.all([...savers.values()].map((s) => (s.dirty ? save(s) : s.inflight)));
  await Promise.all([...savers.values()].map((s) => s.inflight));
}

function showSaveState() {
  const element = document.getElementById("save-state");
  const retry = document.getElementById("save-retry");
  const all = [...savers.values()];
  let state;
  let text;
  if (all.some((s) => s.error && s.error.kind !== "invalid")) {
    state = "error";
    text = all.some((s) => s.error && s.error.kind === "auth") ? t("save.signed_out") : t("save.error");
  } else if (all.some((s) => s.inflight || s.dirty)) {
    state = "saving";
    text = t("save.saving");
  } else {
    const last = Math.max(0, ...all.map((s) => (s.savedAt ? s.savedAt.getTime() : 0)));
    state = "saved";
    text = last ? t("save.saved_at", { time: new Date(last).toLocaleTimeString(lang) }) : t("save.all_saved");
  }
  if (element.dataset.state !== state || element.textContent !== text) {
    element.dataset.state = state;
    element.textContent = text;
  }
  retry.hidden = state !== "error";
}

function showItemError(position, message) {
  const view = views.get(position);
  if (!view) return;
  view.error.textContent = message || "";
  view.error.hidden = !message;
}

// --- signing in again without leaving the page --------------------------------------------

function askToSignIn() {
  const dialog = document.getElementById("signin-dialog");
  if (!dialog.open) dialog.showModal();
}

function initSignIn() {
  const form = document.getElementById("signin-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("signin-error");
    const body = new URLSearchParams({ username: session.user.email, password: document.getElementById("signin-password").value });
    try {
      const token = await api("POST", "/api/v1/auth/token", { form: body, anonymous: true });
      session.store(token.access_token, token.expires_in);
      document.getElementById("signin-dialog").close();
      for (const saver of savers.values()) {
        if (saver.error && saver.error.kind === "auth") {
          saver.error = null;
          save(saver);
        }
      }
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
}

// --- the countdown ---------------------------------------------------------------------------

let timerHandle = null;
let warned = new Set();

function startTimer() {
  const box = document.getElementById("timer");
  const value = document.getElementById("timer-value");
  if (!attempt.deadline || closed) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const deadline = new Date(attempt.deadline).getTime();
  const tick = () => {
    const left = (deadline - clock.now()) / 1000;
    value.textContent = formatDuration(left);
    box.classList.toggle("warning", left <= 300 && left > 60);
    box.classList.toggle("critical", left <= 60);
    for (const mark of [300, 60]) {
      if (left <= mark && left > mark - 5 && !warned.has(mark)) {
        warned.add(mark);
        announce(t("attempt.minutes_left", { minutes: mark / 60 }));
      }
    }
    if (left <= 0) {
      clearInterval(timerHandle);
      timeIsUp();
    }
  };
  tick();
  timerHandle = setInterval(tick, 250);
}

async function timeIsUp() {
  announce(t("attempt.time_up"));
  await flushAll().catch(() => {});
  // The server closes and scores the attempt at its deadline: show what it decided.
  setTimeout(() => reload(), 1500);
}

async function attemptClosed(message) {
  if (closed) return;
  closed = true;
  notice(message || t("attempt.closed"), "info");
  await reload();
}

// --- rendering -------------------------------------------------------------------------------

function isReview(item) {
  return "result" in item;
}

function renderItem(item, inProgress) {
  const prefix = `q${item.position}`;
  const locked = !inProgress || item.locked;
  const saver = makeSaver(item);
  if (inProgress && !item.locked) savers.set(item.position, saver);
  const error = h("p", { class: "item-error", role: "alert", hidden: true });
  const delay = item.question.type === "code" ? CODE_SAVE_DELAY_MS : SAVE_DELAY_MS;
  let inputs;
  if (item.question.type === "code") {
    inputs = codeItem({
      attemptId,
      item,
      prefix,
      canSubmit: !locked,
      onChange: (text) => edited(saver, text, delay),
      flush: () => save(saver),
    });
  } else {
    inputs = questionInputs(item.question, item.response, {
      prefix,
      disabled: locked,
      onChange: () => edited(saver, inputs.value(), delay),
    });
  }
  const footer = h("div", { class: "item-footer" });
  if (inProgress && !item.locked && quiz && quiz.feedback === "after_each" && item.question.type !== "code") {
    footer.append(h("button", { type: "button", onclick: () => checkItem(item.position) }, t("attempt.check_answer")));
  }
  const review = isReview(item) ? reviewOf(item, item.question) : null;
  if (review) markOptions(inputs.element, item.key);
  const status = item.status === "awaiting_grading" ? h("span", { class: "badge badge-pending" }, t("review.awaiting_grading")) : null;
  const element = h(
    "li",
    { class: `question question-${item.question.type}`, id: `question-${item.position}`, dataset: { position: item.position, type: item.question.type } },
    h(
      "div",
      { class: "question-head" },
      h("h2", {}, t("attempt.question_n", { n: item.position, total: attempt.items.length })),
      h("span", { class: "muted small" }, status, " ", t("attempt.points", { points: formatNumber(item.points) })),
    ),
    inputs.element,
    error,
    footer,
    review,
  );
  views.set(item.position, { element, inputs, error, saver });
  return element;
}

async function checkItem(position) {
  const saver = savers.get(position);
  await flushAll();
  try {
    const reviewed = await api("POST", `${base}/items/${position}/check`, { keepOn401: true });
    savers.delete(position);
    const old = views.get(position).element;
    old.replaceWith(renderItem(reviewed, true));
    attempt.items[position - 1] = reviewed;
    announce(t("attempt.checked"));
    document.getElementById(`question-${position}`).focus?.();
  } catch (error) {
    if (saver) showItemError(position, error.message);
  }
}

function renderSummary() {
  const box = document.getElementById("attempt-summary");
  if (attempt.status === "in_progress") {
    box.replaceChildren();
    return;
  }
  const rows = [
    h("div", {}, h("div", { class: "muted" }, t("attempt.submitted_at")), h("div", {}, formatDate(attempt.submitted_at))),
  ];
  if (attempt.feedback_released && attempt.score !== null) {
    rows.unshift(
      h(
        "div",
        {},
        h("div", { class: "muted" }, t("attempt.score")),
        h("div", { class: "score-big" }, `${formatNumber(attempt.score)} / ${formatNumber(attempt.max_score)}`),
      ),
    );
  }
  const lines = [];
  if (attempt.closed_by === "deadline") lines.push(h("p", {}, t("attempt.closed_by_deadline")));
  if (attempt.pending) lines.push(h("p", {}, t("attempt.pending", { n: attempt.pending })));
  if (!attempt.feedback_released) {
    lines.push(h("p", {}, quiz && quiz.feedback === "after_close" ? t("attempt.feedback_after_close", { when: formatDate(quiz.closes_at) }) : t("attempt.feedback_later")));
  }
  fill(box, h("section", { class: "card", "aria-labelledby": "summary-heading" }, h("h2", { id: "summary-heading" }, t("attempt.result")), h("div", { class: "summary-card" }, rows), lines));
}

function render() {
  // An instructor reading a student's attempt sees it as it stands, never answers for them.
  const readOnly = "student_email" in attempt;
  const inProgress = attempt.status === "in_progress" && !readOnly;
  closed = !inProgress;
  savers.clear();
  views.clear();
  document.getElementById("attempt-title").textContent = quiz ? localized(quiz.title) : t("page.attempt");
  if (quiz) {
    const link = document.getElementById("attempt-quiz-link");
    link.href = `/quizzes/${quiz.id}`;
    link.textContent = localized(quiz.title);
  }
  renderSummary();
  if (readOnly) notice(t("attempt.instructor_view", { email: attempt.student_email }), "info");
  const list = document.getElementById("attempt-items");
  fill(list, attempt.items.map((item) => renderItem(item, inProgress)));
  list.setAttribute("aria-busy", "false");
  document.getElementById("attempt-actions").hidden = !inProgress;
  document.getElementById("save-state").hidden = !inProgress;
  document.body.dataset.attemptStatus = attempt.status;
  if (inProgress) {
    restoreBackup();
    showSaveState();
    startTimer();
  } else {
    localStorage.removeItem(BACKUP_KEY);
    document.getElementById("timer").hidden = true;
    clearInterval(timerHandle);
  }
}

/** Re-apply answers the server never got (the page was closed while offline). */
function restoreBackup() {
  const unsaved = readBackup();
  for (const [position, entry] of Object.entries(unsaved)) {
    const saver = savers.get(Number(position));
    const view = views.get(Number(position));
    // Only when the server still has the answer the edit was made on.
    if (!saver || !view || entry.base !== saver.revision) continue;
    view.inputs.set(entry.response);
    edited(saver, entry.response, 0);
  }
}

async function load() {
  const sent = Date.now();
  attempt = await api("GET", base);
  clock.correct(attempt.server_time, sent, Date.now());
  if (!quiz) quiz = await api("GET", `/api/v1/quizzes/${attempt.quiz_id}`);
}

async function reload() {
  for (const view of views.values()) view.inputs.stop?.();
  await load();
  render();
}

// --- submitting ------------------------------------------------------------------------------

function initSubmit() {
  const dialog = document.getElementById("submit-dialog");
  document.getElementById("submit-button").addEventListener("click", async () => {
    await flushAll();
    const unanswered = attempt.items.filter((item) => {
      const saver = savers.get(item.position);
      const value = saver ? saver.current : item.response;
      return value === null || value === undefined;
    }).length;
    document.getElementById("submit-dialog-text").textContent = unanswered
      ? t("attempt.confirm_unanswered", { n: unanswered })
      : t("attempt.confirm_text");
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "submit") return;
    const button = document.getElementById("submit-button");
    button.disabled = true;
    try {
      await flushAll();
      if ([...savers.values()].some((s) => s.dirty || s.error)) {
        notice(t("attempt.unsaved_before_submit"));
        return;
      }
      attempt = await api("POST", `${base}/submit`, { keepOn401: true });
      localStorage.removeItem(BACKUP_KEY);
      announce(t("attempt.submitted"));
      render();
      document.getElementById("main").focus();
    } catch (error) {
      if (error instanceof ApiError && error.kind === "deadline-passed") await attemptClosed(error.message);
      else notice(error.message || t("error.unexpected"));
    } finally {
      button.disabled = false;
    }
  });
}

start(async () => {
  requireUser();
  initSignIn();
  initSubmit();
  document.getElementById("save-retry").addEventListener("click", () => {
    for (const saver of savers.values()) {
      if (saver.error) {
        saver.error = null;
        saver.retryMs = 1000;
        save(saver);
      }
    }
  });
  // Leaving or hiding the page (reload, tab switch, phone lock): save what is pending now.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushAll();
  });
  window.addEventListener("beforeunload", (event) => {
    if ([...savers.values()].some((s) => s.dirty || s.inflight)) {
      flushAll();
      event.preventDefault();
    }
  });
  await load();
  render();
});
