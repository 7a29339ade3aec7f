// A course: its quizzes; for its instructors also the join code and the members.
import { api, apiAll, describeError, fill, h, localized, notice, params, requireUser, start, t } from "../core.js";
import { quizRow } from "../quiz-rows.js";

const courseId = params.course_id;

async function showMembers() {
  const members = await apiAll(`/api/v1/courses/${courseId}/members`);
  fill(
    document.getElementById("course-members"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("course.member_email")), h("th", { scope: "col" }, t("course.member_name")), h("th", { scope: "col" }, t("course.member_role")))),
        h("tbody", {}, members.map((m) => h("tr", {}, h("td", {}, m.email), h("td", {}, m.full_name || ""), h("td", {}, t(`role.${m.role}`))))),
      ),
    ),
  );
}

start(async () => {
  const user = requireUser();
  const course = await api("GET", `/api/v1/courses/${courseId}`);
  document.getElementById("course-title").textContent = localized(course.title);
  document.title = `${localized(course.title)} · quizloop`;
  document.getElementById("course-description").textContent = localized(course.description);
  const quizzes = await apiAll(`/api/v1/courses/${courseId}/quizzes`);
  const box = document.getElementById("course-quizzes");
  fill(box, quizzes.length ? h("ul", { class: "quiz-rows card" }, quizzes.map((q) => quizRow(q, course.your_role))) : h("p", { class: "muted" }, t("course.no_quizzes")));
  box.setAttribute("aria-busy", "false");
  if (course.your_role !== "instructor" || user.role !== "instructor") return;
  document.getElementById("course-actions").hidden = false;
  document.getElementById("course-join-code").textContent = course.join_code ? t("course.join_code", { code: course.join_code }) : t("course.no_join_code");
  document.getElementById("course-members-section").hidden = false;
  document.getElementById("member-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/v1/courses/${courseId}/members`, { json: { email: document.getElementById("member-email").value.trim(), role: "student" } });
      document.getElementById("member-email").value = "";
      await showMembers();
    } catch (error) {
      notice(describeError(error));
    }
  });
  await showMembers();
});
