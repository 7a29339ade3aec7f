// Question banks: each bank's versions (browse one to preview its questions), and importing
// a bank archive.
import { api, apiAll, describeError, fill, formatDate, h, localized, requireUser, start, t } from "../core.js";

async function showBanks() {
  const banks = await apiAll("/api/v1/banks");
  const cards = await Promise.all(
    banks.map(async (bank) => {
      const versions = await apiAll(`/api/v1/banks/${bank.id}/versions`);
      return h(
        "section",
        { class: "card" },
        h("h2", {}, localized(bank.title), " ", h("code", { class: "small" }, bank.slug)),
        h(
          "ul",
          {},
          versions.map((v) =>
            h("li", {}, h("a", { href: `/bank-versions/${v.id}` }, t("banks.version", { version: v.version })), " · ", t("bank.n_questions", { n: v.question_count }), " · ", h("span", { class: "muted" }, formatDate(v.imported_at))),
          ),
        ),
      );
    }),
  );
  const box = document.getElementById("banks-list");
  fill(box, cards.length ? cards : h("p", { class: "muted" }, t("banks.none")));
  box.setAttribute("aria-busy", "false");
}

start(async () => {
  requireUser();
  await showBanks();
  document.getElementById("bank-import-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("bank-archive").files[0];
    const result = document.getElementById("bank-import-result");
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    try {
      const imported = await api("POST", "/api/v1/banks", { form });
      result.textContent = t(imported.created ? "banks.imported" : "banks.already", { version: imported.version.version });
      await showBanks();
    } catch (error) {
      result.textContent = describeError(error);
    }
  });
});
