// The start page: a student's courses with their quizzes (status, due dates, scores, what to
// do next); an instructor's courses with their quizzes, and a form for a new course.
import { api, apiAll, describeError, fill, h, localized, notice, requireUser, start, t } from "../core.js";
import { quizRow } from "../quiz-rows.js";

async function courseCard(course, role) {
  const quizzes = await apiAll(`/api/v1/courses/${course.id}/quizzes`);
  const heading = h("h2", {}, h("a", { href: `/courses/${course.id}` }, localized(course.title)));
  return h(
    "section",
    { class: "card course-card", "aria-label": localized(course.title) },
    heading,
    course.description ? h("p", { class: "muted" }, localized(course.description)) : null,
    quizzes.length
      ? h("ul", { class: "quiz-rows" }, quizzes.map((quiz) => quizRow(quiz, role)))
      : h("p", { class: "muted" }, t(role === "instructor" ? "course.no_quizzes_instructor" : "course.no_quizzes")),
  );
}

async function showCourses(user) {
  const box = document.getElementById("home-courses");
  const courses = await apiAll("/api/v1/courses");
  const cards = await Promise.all(courses.map((course) => courseCard(course, user.role)));
  fill(box, cards.length ? cards : h("p", { class: "card muted" }, t(user.role === "instructor" ? "home.no_courses_instructor" : "home.no_courses")));
  box.setAttribute("aria-busy", "false");
}

start(async () => {
  const user = requireUser();
  if (user.role === "instructor") {
    document.getElementById("home-new-course").hidden = false;
    document.getElementById("course-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const course = await api("POST", "/api/v1/courses", {
          json: { title: { "zh-CN": document.getElementById("course-title-zh").value, en: document.getElementById("course-title-en").value } },
        });
        location.assign(`/courses/${course.id}`);
      } catch (error) {
        notice(describeError(error));
      }
    });
  } else {
    document.getElementById("home-join").hidden = false;
    document.getElementById("join-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/api/v1/courses/join", { json: { code: document.getElementById("join-code").value.trim() } });
        notice(t("home.joined"), "info");
        await showCourses(user);
      } catch (error) {
        notice(describeError(error));
      }
    });
  }
  await showCourses(user);
});
