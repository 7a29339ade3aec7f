// One quiz in a list: for a student, its state, due date, attempts, score and the next step;
// for an instructor, draft or published and when it opens and closes.
import { formatDate, formatNumber, h, localized, t } from "./core.js";

export function studentState(quiz) {
  if (quiz.in_progress_attempt) return "in_progress";
  if (quiz.state === "open" && quiz.attempts_allowed !== null && quiz.attempts_used >= quiz.attempts_allowed) return "done";
  if (quiz.state === "open") return quiz.attempts_used ? "submitted" : "open";
  return quiz.state;
}

export function quizRow(quiz, role) {
  const meta = [];
  if (role === "instructor") {
    meta.push(h("span", { class: `badge badge-${quiz.status}` }, t(`quiz.status.${quiz.status}`)));
    meta.push(h("span", {}, t("quiz.questions_points", { questions: quiz.questions, points: formatNumber(quiz.total_points) })));
  } else {
    const state = studentState(quiz);
    meta.push(h("span", { class: `badge badge-${quiz.state}` }, t(`quiz.state.${state}`)));
    if (quiz.score !== null && quiz.score !== undefined) {
      meta.push(h("span", {}, t("quiz.your_score", { score: formatNumber(quiz.score), points: formatNumber(quiz.total_points) })));
    }
    if (quiz.attempts_allowed !== null) meta.push(h("span", {}, t("quiz.attempts_used", { used: quiz.attempts_used, allowed: quiz.attempts_allowed })));
  }
  if (quiz.opens_at && quiz.state !== "open" && quiz.status !== "draft") meta.push(h("span", {}, t("quiz.opens", { when: formatDate(quiz.opens_at) })));
  if (quiz.closes_at) meta.push(h("span", {}, t("quiz.due", { when: formatDate(quiz.closes_at) })));
  if (quiz.time_limit_minutes) meta.push(h("span", {}, t("quiz.time_limit", { minutes: quiz.time_limit_minutes })));
  return h(
    "li",
    { class: "quiz-row", dataset: { quiz: quiz.id } },
    h("div", {}, h("div", { class: "title" }, h("a", { href: `/quizzes/${quiz.id}` }, localized(quiz.title))), h("div", { class: "meta" }, meta)),
    h("div", {}, role === "instructor" ? null : nextStep(quiz)),
  );
}

function nextStep(quiz) {
  const state = studentState(quiz);
  if (state === "in_progress") return h("a", { class: "button primary", href: `/attempts/${quiz.in_progress_attempt}` }, t("quiz.resume"));
  if (state === "open" || state === "submitted") return h("a", { class: "button primary", href: `/quizzes/${quiz.id}` }, t(state === "open" ? "quiz.start" : "quiz.view"));
  return h("a", { class: "button", href: `/quizzes/${quiz.id}` }, t("quiz.view"));
}
