// A quiz as its instructors manage it: overview and publishing, attempts and submissions as
// they arrive, the gradebook (CSV download), item statistics with charts, and regrades.
import { ApiError, api, apiAll, describeError, fill, formatDate, formatNumber, h, localized, notice, t } from "./core.js";
import { barChart, scaleChart } from "./charts.js";
import { streamEvents } from "./sse.js";

const TABS = ["overview", "submissions", "gradebook", "statistics", "regrade"];
const REFRESH_MS = 3000;

export async function instructorQuiz(quiz, container) {
  const panels = {};
  const tabs = {};
  const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": t("manage.sections") });
  for (const name of TABS) {
    tabs[name] = h("button", { type: "button", role: "tab", id: `tab-${name}`, "aria-controls": `panel-${name}`, "aria-selected": "false", tabindex: "-1" }, t(`manage.tab.${name}`));
    panels[name] = h("section", { role: "tabpanel", id: `panel-${name}`, "aria-labelledby": `tab-${name}`, tabindex: "0", hidden: true });
    tablist.append(tabs[name]);
  }
  fill(container, tablist, Object.values(panels));
  const loaded = new Set();
  let stopLive = () => {};

  const select = async (name, focus = false) => {
    for (const other of TABS) {
      tabs[other].setAttribute("aria-selected", String(other === name));
      tabs[other].tabIndex = other === name ? 0 : -1;
      panels[other].hidden = other !== name;
    }
    if (focus) tabs[name].focus();
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
    stopLive();
    stopLive = () => {};
    panels[name].setAttribute("aria-busy", "true");
    try {
      if (name === "overview" && !loaded.has(name)) await overview(quiz, panels.overview);
      if (name === "submissions") stopLive = await submissions(quiz, panels.submissions);
      if (name === "gradebook") await gradebook(quiz, panels.gradebook);
      if (name === "statistics") await statistics(quiz, panels.statistics);
      if (name === "regrade" && !loaded.has(name)) await regrade(quiz, panels.regrade);
      loaded.add(name);
    } catch (error) {
      fill(panels[name], h("p", { class: "item-error" }, describeError(error)));
    } finally {
      panels[name].setAttribute("aria-busy", "false");
    }
  };
  // Arrow keys move between tabs, as the ARIA tabs pattern has it.
  tablist.addEventListener("keydown", (event) => {
    const index = TABS.findIndex((name) => tabs[name] === document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: TABS.length - 1 - index };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(TABS[(index + moves[event.key] + TABS.length) % TABS.length], true);
  });
  for (const name of TABS) tabs[name].addEventListener("click", () => select(name));
  // A link to /quizzes/7#gradebook opens that tab, also from the same page (and Back works).
  window.addEventListener("hashchange", () => {
    const name = location.hash.slice(1);
    if (TABS.includes(name)) select(name);
  });
  const first = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "overview";
  await select(first);
}

// --- overview ------------------------------------------------------------------------------

async function overview(quiz, panel) {
  const rows = [
    [t("quiz.status_label"), h("span", { class: `badge badge-${quiz.status}` }, t(`quiz.status.${quiz.status}`))],
    [t("quiz.questions"), String(quiz.questions)],
    [t("quiz.points"), formatNumber(quiz.total_points)],
    [t("edit.opens_at"), quiz.opens_at ? formatDate(quiz.opens_at) : t("quiz.any_time")],
    [t("edit.closes_at"), quiz.closes_at ? formatDate(quiz.closes_at) : t("quiz.no_close")],
    [t("edit.time_limit"), quiz.time_limit_minutes ? t("quiz.minutes", { minutes: quiz.time_limit_minutes }) : t("quiz.no_limit")],
    [t("edit.attempts_allowed"), quiz.attempts_allowed === null ? t("quiz.unlimited") : String(quiz.attempts_allowed)],
    [t("edit.counted"), t(`counted.${quiz.counted_attempt}`)],
    [t("edit.feedback"), t(`feedback.${quiz.feedback}`)],
    [t("edit.shuffle"), t(quiz.shuffle_options ? "common.yes" : "common.no")],
    quiz.published_at && [t("quiz.published_at"), formatDate(quiz.published_at)],
  ].filter(Boolean);
  const actions = h("div", { class: "actions" }, h("a", { class: "button", href: `/quizzes/${quiz.id}/edit` }, t(quiz.status === "draft" ? "manage.edit" : "manage.edit_schedule")));
  if (quiz.status === "draft") {
    const publish = h("button", { type: "button", class: "primary", id: "publish-quiz" }, t("edit.publish"));
    publish.addEventListener("click", async () => {
      publish.disabled = true;
      try {
        await api("POST", `/api/v1/quizzes/${quiz.id}/publish`);
        location.reload();
      } catch (error) {
        notice(describeError(error));
        publish.disabled = false;
      }
    });
    actions.append(publish);
  }
  fill(
    panel,
    h("div", { class: "card" }, h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])), actions),
    h("h2", {}, t("edit.items")),
    h("ol", { class: "item-list card" }, quiz.items.map((item) => h("li", {}, itemLabel(item), h("span", { class: "muted" }, t("manage.item_points", { points: formatNumber(item.points) }))))),
  );
}

export function itemLabel(item) {
  if (item.kind === "question") return h("span", {}, h("code", {}, item.question_id));
  const filters = [item.topic, ...(item.types || []), ...(item.tags || [])].filter(Boolean).join(", ");
  return h("span", {}, t("edit.draw_label", { count: item.count, filters: filters || t("edit.any") }));
}

// --- attempts and submissions, live ------------------------------------------------------

async function submissions(quiz, panel) {
  const attemptsBox = h("div", { "aria-live": "off" });
  const progressBox = h("div", { role: "status", "aria-live": "polite" });
  const subsBox = h("div");
  fill(panel, h("h2", {}, t("manage.grading_progress")), progressBox, subsBox, h("h2", {}, t("manage.attempts")), attemptsBox);
  let timer = null;
  let stopped = false;
  let grading = true;
  const refresh = async () => {
    const [attempts, results] = await Promise.all([apiAll(`/api/v1/quizzes/${quiz.id}/attempts`), apiAll(`/api/v1/quizzes/${quiz.id}/results`)]);
    const emails = new Map(results.map((r) => [r.student_id, r.email]));
    fill(attemptsBox, attemptsTable(attempts, emails));
    if (grading) {
      try {
        const subs = await apiAll(`/api/v1/courses/${quiz.course_id}/submissions?quiz_id=${quiz.id}`);
        showSubmissions(subs, emails, progressBox, subsBox);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        grading = false;
        fill(progressBox, h("p", { class: "muted" }, t("manage.no_grading_queue")));
      }
    }
  };
  const loop = async () => {
    if (stopped) return;
    try {
      await refresh();
    } catch (error) {
      fill(progressBox, h("p", { class: "item-error" }, describeError(error)));
    }
    if (!stopped) timer = setTimeout(loop, REFRESH_MS);
  };
  await loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function attemptsTable(attempts, emails) {
  if (!attempts.length) return h("p", { class: "muted" }, t("attempts.none_yet"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id: "attempts-table" },
      h("thead", {}, h("tr", {}, ["manage.student", "attempts.number", "attempts.status", "attempts.started", "attempts.submitted", "attempts.score"].map((k) => h("th", { scope: "col" }, t(k))))),
      h(
        "tbody",
        {},
        attempts.map((a) =>
          h(
            "tr",
            {},
            h("td", {}, h("a", { href: `/attempts/${a.id}` }, emails.get(a.student_id) || `#${a.student_id}`)),
            h("td", {}, `#${a.number}`),
            h("td", {}, h("span", { class: `badge badge-${a.status}` }, t(`attempt.status.${a.status}`))),
            h("td", {}, formatDate(a.started_at)),
            h("td", {}, a.submitted_at ? formatDate(a.submitted_at) : "–"),
            h("td", { class: "num" }, a.score === null ? "–" : `${formatNumber(a.score)} / ${formatNumber(a.max_score)}${a.pending ? ` (${t("manage.pending_n", { n: a.pending })})` : ""}`),
          ),
        ),
      ),
    ),
  );
}

function showSubmissions(subs, emails, progressBox, subsBox) {
  const counts = {};
  for (const s of subs) counts[s.status] = (counts[s.status] || 0) + 1;
  const finished = (counts.graded || 0) + (counts.not_gradable || 0) + (counts.rejected || 0);
  const bar = h("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(subs.length), "aria-valuenow": String(finished), "aria-label": t("manage.grading_progress") }, h("div"));
  bar.firstChild.style.width = subs.length ? `${(100 * finished) / subs.length}%` : "0";
  fill(
    progressBox,
    h("p", {}, t("manage.graded_of", { done: finished, total: subs.length }), " ", Object.entries(counts).map(([status, n]) => h("span", { class: `badge badge-${status}` }, `${t(`submission.short.${status}`)} ${n}`)).flatMap((x) => [x, " "])),
    subs.length ? bar : null,
  );
  fill(
    subsBox,
    subs.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { id: "submissions-table" },
            h("thead", {}, h("tr", {}, ["manage.student", "manage.question_position", "manage.assignment", "attempts.status", "attempts.score", "manage.submitted"].map((k) => h("th", { scope: "col" }, t(k))), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("manage.actions"))))),
            h("tbody", {}, subs.slice(0, 200).map((s) => submissionRow(s, emails))),
          ),
        )
      : h("p", { class: "muted" }, t("manage.no_submissions")),
  );
}

function submissionRow(s, emails) {
  const requeue = s.status === "not_gradable"
    ? h("button", { type: "button", class: "link", onclick: async () => { try { await api("POST", `/api/v1/submissions/${s.id}/requeue`); } catch (error) { notice(describeError(error)); } } }, t("manage.requeue"))
    : null;
  return h(
    "tr",
    { dataset: { submission: s.id, status: s.status } },
    h("td", {}, h("a", { href: `/attempts/${s.attempt_id}` }, emails.get(s.student_id) || `#${s.student_id}`)),
    h("td", { class: "num" }, String(s.position)),
    h("td", {}, h("code", {}, s.assignment_id)),
    h("td", {}, h("span", { class: `badge badge-${s.status}` }, t(`submission.short.${s.status}`))),
    h("td", { class: "num" }, s.score === null ? "–" : `${formatNumber(s.score)} / ${formatNumber(s.max_score)}`),
    h("td", {}, formatDate(s.created_at)),
    h("td", {}, requeue),
  );
}

// --- gradebook -------------------------------------------------------------------------------

async function gradebook(quiz, panel) {
  let book;
  try {
    book = await api("GET", `/api/v1/quizzes/${quiz.id}/gradebook?format=json`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404 && !error.problem.detail)) throw error;
    book = null;
  }
  const download = async (layout) => {
    try {
      const response = await api("GET", `/api/v1/quizzes/${quiz.id}/gradebook?format=csv&layout=${layout}`, { raw: true });
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || `quiz-${quiz.id}-gradebook.csv`;
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      notice(describeError(error));
    }
  };
  if (!book) {
    fill(panel, h("p", { class: "muted" }, t("manage.no_gradebook")));
    return;
  }
  const table = h(
    "table",
    { id: "gradebook-table" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, t("manage.student")), book.columns.map((c) => h("th", { scope: "col", class: "num", title: c.question_id || "" }, c.label)), h("th", { scope: "col", class: "num" }, t("manage.total"))),
    ),
    h(
      "tbody",
      {},
      book.rows.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, row.full_name ? `${row.full_name} <${row.email}>` : row.email),
          row.scores.map((score, i) => h("td", { class: "num" }, score === null ? "" : formatNumber(score), row.overridden.includes(book.columns[i].position) ? h("span", { title: t("manage.overridden") }, " *") : "")),
          h("td", { class: "num" }, row.total === null ? "" : formatNumber(row.total), row.pending ? ` (${t("manage.pending_n", { n: row.pending })})` : ""),
        ),
      ),
    ),
  );
  fill(
    panel,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "primary", id: "download-csv", onclick: () => download("canvas") }, t("manage.download_csv_canvas")),
      h("button", { type: "button", id: "download-csv-moodle", onclick: () => download("moodle") }, t("manage.download_csv_moodle")),
      h("span", { class: "muted" }, t("manage.max_score", { points: formatNumber(book.max_score) })),
    ),
    book.rows.length ? h("div", { class: "table-wrap" }, table) : h("p", { class: "muted" }, t("manage.no_students")),
    h("p", { class: "small muted" }, t("manage.overridden_note")),
  );
}

// --- statistics ------------------------------------------------------------------------------

function histogramLabels(bins) {
  return bins.map((b) => `${Math.round(b.lower * 100)}%`);
}

async function statistics(quiz, panel) {
  let stats;
  try {
    stats = await api("GET", `/api/v1/quizzes/${quiz.id}/statistics`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && !error.problem.detail) {
      fill(panel, h("p", { class: "muted" }, t("manage.no_statistics")));
      return;
    }
    throw error;
  }
  if (!stats.n) {
    fill(panel, h("p", { class: "muted" }, t("manage.no_attempts_for_stats")));
    return;
  }
  const cards = stats.questions.map((q) => {
    const charts = [
      barChart({ title: t("stats.item_histogram"), labels: histogramLabels(q.histogram), values: q.histogram.map((b) => b.count), xLabel: t("stats.score_fraction"), yLabel: t("stats.students") }),
    ];
    if (q.options && q.options.length) {
      charts.push(
        barChart({
          title: t("stats.option_counts"),
          labels: q.options.map((o) => o.text || o.id),
          values: q.options.map((o) => o.count),
          good: q.options.map((o, i) => (o.correct ? i : -1)).filter((i) => i >= 0),
          xLabel: t("stats.options"),
          yLabel: t("stats.students"),
        }),
      );
    }
    charts.push(scaleChart({ title: t("stats.discrimination"), value: q.discrimination, naText: t("stats.na") }));
    return h(
      "article",
      { class: "card", dataset: { question: q.question_id } },
      h("h3", {}, h("code", {}, q.question_id), " ", h("span", { class: "muted small" }, t(`type.${q.question_type}`))),
      h(
        "dl",
        { class: "facts" },
        [
          [t("stats.n"), String(q.n)],
          [t("stats.mean"), `${formatNumber(q.mean)} / ${formatNumber(q.max_points)}`],
          [t("stats.facility"), formatNumber(q.facility)],
          [t("stats.discrimination"), q.discrimination === null ? t("stats.na") : formatNumber(q.discrimination)],
          [t("stats.unanswered"), String(q.unanswered)],
        ].map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
      ),
      charts,
    );
  });
  fill(
    panel,
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("stats.quiz_heading")),
      h(
        "dl",
        { class: "facts" },
        [
          [t("stats.attempts"), String(stats.n)],
          [t("stats.mean"), `${formatNumber(stats.mean)} / ${formatNumber(stats.max_score)}`],
          [t("stats.median"), formatNumber(stats.median)],
          [t("stats.sd"), formatNumber(stats.sd)],
        ].map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
      ),
      barChart({ title: t("stats.total_histogram"), labels: histogramLabels(stats.histogram), values: stats.histogram.map((b) => b.count), xLabel: t("stats.score_fraction"), yLabel: t("stats.attempts") }),
    ),
    h("h2", {}, t("stats.questions_heading")),
    h("div", { class: "stats-grid" }, cards),
  );
}

// --- regrade -------------------------------------------------------------------------------

async function regrade(quiz, panel) {
  const questions = new Map();
  for (const item of quiz.items) if (item.kind === "question") questions.set(item.question_id, item.question_id);
  try {
    const stats = await api("GET", `/api/v1/quizzes/${quiz.id}/statistics`);
    for (const q of stats.questions) if (q.question_type === "code") questions.set(q.question_id, q.question_id);
  } catch {
    /* without statistics the quiz's fixed questions are offered */
  }
  const questionSelect = h("select", { id: "regrade-question" }, [...questions.keys()].map((id) => h("option", { value: id }, id)));
  const dryRun = h("input", { type: "checkbox", id: "regrade-dry", checked: true });
  const progress = h("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "1", "aria-valuenow": "0", "aria-label": t("regrade.progress") }, h("div"));
  const status = h("p", { role: "status", "aria-live": "polite", id: "regrade-status" });
  const result = h("div", { id: "regrade-result" });
  const start = h("button", { type: "submit", class: "primary", id: "regrade-start" }, t("regrade.start"));
  const form = h(
    "form",
    { class: "card stack" },
    h("p", {}, t("regrade.intro")),
    h("div", { class: "field" }, h("label", { for: "regrade-question" }, t("regrade.question")), questionSelect),
    h("div", { class: "check-field" }, dryRun, h("label", { for: "regrade-dry" }, t("regrade.dry_run"))),
    h("p", { class: "small muted" }, t("regrade.dry_run_hint")),
    h("div", {}, start),
  );
  fill(panel, form, h("section", { class: "card", hidden: true, id: "regrade-progress" }, h("h2", {}, t("regrade.progress")), progress, status, result));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    start.disabled = true;
    try {
      const job = await api("POST", "/api/v1/regrades", {
        json: { scope: "question", quiz_id: quiz.id, question_id: questionSelect.value, dry_run: dryRun.checked },
      });
      panel.querySelector("#regrade-progress").hidden = false;
      await followRegrade(job, progress, status, result);
    } catch (error) {
      notice(describeError(error));
    } finally {
      start.disabled = false;
    }
  });
}

function showRegrade(job, progress, status, result) {
  const total = Math.max(job.total, 0);
  progress.setAttribute("aria-valuemax", String(total || 1));
  progress.setAttribute("aria-valuenow", String(job.done));
  progress.firstChild.style.width = total ? `${(100 * job.done) / total}%` : job.status === "done" ? "100%" : "0";
  status.textContent = t(`regrade.status.${job.status}`, { done: job.done, total, failed: job.failed });
  if (job.status !== "done") return;
  const changed = job.changed || [];
  fill(
    result,
    h("p", { id: "regrade-summary" }, t(job.dry_run ? "regrade.would_change" : "regrade.changed", { n: changed.length, total })),
    changed.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ["regrade.submission", "manage.student", "regrade.old", "regrade.new"].map((k) => h("th", { scope: "col" }, t(k))))),
            h("tbody", {}, changed.map((c) => h("tr", {}, h("td", {}, `#${c.submission_id}`), h("td", {}, `#${c.student_id}`), h("td", { class: "num" }, c.old_score === null ? "–" : formatNumber(c.old_score)), h("td", { class: "num" }, formatNumber(c.new_score), c.overridden ? ` (${t("manage.overridden")})` : "")))),
          ),
        )
      : null,
  );
}

async function followRegrade(job, progress, status, result) {
  showRegrade(job, progress, status, result);
  if (job.status === "done") return;
  let last = job;
  const stream = streamEvents(`/api/v1/regrades/${job.id}/events`, (name, data) => {
    if (data && typeof data === "object" && "done" in data) {
      last = data;
      showRegrade(data, progress, status, result);
      if (data.status === "done") stream.stop();
    }
  });
  await stream.done;
  // If the stream ended without the final word, ask until it is done.
  while (last.status !== "done") {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    last = await api("GET", `/api/v1/regrades/${job.id}`);
    showRegrade(last, progress, status, result);
  }
}
