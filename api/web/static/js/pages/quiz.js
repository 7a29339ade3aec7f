// A quiz: for a student, what it is, their attempts and the button to start or resume; for
// the course's instructors, the quiz's management (instructor-quiz.js).
import { ApiError, api, describeError, fill, formatDate, formatNumber, h, localized, notice, params, requireUser, start, t } from "../core.js";
import { instructorQuiz } from "../instructor-quiz.js";
import { studentState } from "../quiz-rows.js";

const quizId = params.quiz_id;

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

async function studentView(quiz) {
  const state = studentState(quiz);
  const attempts = (await api("GET", `/api/v1/quizzes/${quizId}/attempts`)).data;
  const action = h("div", { class: "actions" });
  if (quiz.in_progress_attempt) {
    action.append(h("a", { class: "button primary", href: `/attempts/${quiz.in_progress_attempt}` }, t("quiz.resume")));
  } else if (state === "open" || state === "submitted") {
    const button = h("button", { type: "button", class: "primary" }, t(attempts.length ? "quiz.start_again" : "quiz.start"));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const attempt = await api("POST", `/api/v1/quizzes/${quizId}/attempts`);
        location.assign(`/attempts/${attempt.id}`);
      } catch (error) {
        notice(describeError(error));
        button.disabled = false;
      }
    });
    action.append(button);
  }
  const list = attempts.length
    ? h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["attempts.number", "attempts.status", "attempts.submitted", "attempts.score", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : h("span", { class: "visually-hidden" }, t("attempts.open")))))),
          h(
            "tbody",
            {},
            attempts.map((a) =>
              h(
                "tr",
                {},
                h("td", {}, `#${a.number}`),
                h("td", {}, h("span", { class: `badge badge-${a.status}` }, t(`attempt.status.${a.status}`))),
                h("td", {}, a.submitted_at ? formatDate(a.submitted_at) : "–"),
                h("td", { class: "num" }, a.score === null ? t("attempts.hidden_score") : `${formatNumber(a.score)} / ${formatNumber(a.max_score)}`),
                h("td", {}, h("a", { href: `/attempts/${a.id}` }, t(a.status === "in_progress" ? "quiz.resume" : "attempts.review"))),
              ),
            ),
          ),
        ),
      )
    : h("p", { class: "muted" }, t("attempts.none"));
  fill(
    document.getElementById("quiz-body"),
    h(
      "section",
      { class: "card" },
      h("p", {}, h("span", { class: `badge badge-${quiz.state}` }, t(`quiz.state.${state}`))),
      facts([
        [t("quiz.questions"), String(quiz.questions)],
        [t("quiz.points"), formatNumber(quiz.total_points)],
        quiz.opens_at && [t("edit.opens_at"), formatDate(quiz.opens_at)],
        quiz.closes_at && [t("edit.closes_at"), formatDate(quiz.closes_at)],
        [t("edit.time_limit"), quiz.time_limit_minutes ? t("quiz.minutes", { minutes: quiz.time_limit_minutes }) : t("quiz.no_limit")],
        [t("edit.attempts_allowed"), quiz.attempts_allowed === null ? t("quiz.unlimited") : `${quiz.attempts_used} / ${quiz.attempts_allowed}`],
        [t("edit.counted"), t(`counted.${quiz.counted_attempt}`)],
        [t("edit.feedback"), t(`feedback.${quiz.feedback}`)],
        quiz.score !== null && [t("quiz.counted_score"), `${formatNumber(quiz.score)} / ${formatNumber(quiz.total_points)}`],
      ]),
      action,
    ),
    h("section", {}, h("h2", {}, t("attempts.heading")), list),
  );
}

start(async () => {
  requireUser();
  let quiz;
  try {
    quiz = await api("GET", `/api/v1/quizzes/${quizId}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      fill(document.getElementById("quiz-body"), h("p", {}, error.message));
      return;
    }
    throw error;
  }
  document.getElementById("quiz-title").textContent = localized(quiz.title);
  document.title = `${localized(quiz.title)} · quizloop`;
  document.getElementById("quiz-description").textContent = localized(quiz.description);
  const course = await api("GET", `/api/v1/courses/${quiz.course_id}`);
  const link = document.getElementById("quiz-course-link");
  link.href = `/courses/${quiz.course_id}`;
  link.textContent = localized(course.title);
  document.getElementById("quiz-body").setAttribute("aria-busy", "false");
  if ("items" in quiz) await instructorQuiz(quiz, document.getElementById("quiz-body"));
  else await studentView(quiz);
});
