// What every page shares: the boot data, messages, the signed-in session, calls to the API,
// small DOM helpers and the language switch.
//
// Auth: the API's short-lived bearer token is kept in this tab's sessionStorage and sent in
// the Authorization header. No cookie carries it, so a page on another site cannot make the
// browser act for the student (no CSRF); the strict Content-Security-Policy (same-origin
// scripts only, no inline script) is the guard against script injection reading it.

const bootElement = document.getElementById("ql-boot");
export const boot = JSON.parse(bootElement ? bootElement.textContent : "{}");
export const lang = boot.lang || "en";
export const params = boot.params || {};
const messages = boot.messages || {};

/** The message `key` in the page's language, `{name}` placeholders filled from `values`. */
export function t(key, values = {}) {
  const template = messages[key];
  if (template === undefined) {
    console.error(`missing message ${key}`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

// --- DOM -----------------------------------------------------------------------------------

/** h("button", {class: "x", onclick: f}, "text", child...) -> element. Strings become text
 * nodes (never HTML). Attributes set to null/false are left out. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace `element`'s content with `children`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** Announce `text` to screen readers (the page's polite live region). */
export function announce(text) {
  const region = document.getElementById("ql-announce");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick, so the same message twice is announced twice.
  setTimeout(() => (region.textContent = text), 50);
}

/** A visible error or notice at the top of the page's main content. */
export function notice(text, kind = "error") {
  const area = document.getElementById("ql-notices");
  if (!area) return;
  const item = h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, text),
    h("button", { type: "button", class: "link", onclick: () => item.remove() }, t("action.dismiss")),
  );
  area.append(item);
}

// --- formatting ------------------------------------------------------------------------------

const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(value) {
  if (!value) return "";
  return dateFormat.format(new Date(value));
}

export function formatNumber(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toLocaleString(lang, { maximumFractionDigits: digits });
}

/** "H:MM:SS" or "M:SS" for a number of seconds. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** A course or quiz title: the API gives a string (students) or {zh-CN, en} (instructors). */
export function localized(text) {
  if (text === null || text === undefined) return "";
  if (typeof text === "string") return text;
  return text[lang] || text.en || Object.values(text)[0] || "";
}

// --- session ---------------------------------------------------------------------------------

const TOKEN_KEY = "quizloop.token";
const TOKEN_EXPIRES_KEY = "quizloop.token_expires";
const USER_KEY = "quizloop.user";
const REFRESH_BEFORE_MS = 5 * 60 * 1000;

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get user() {
    const raw = sessionStorage.getItem(USER_KEY);
    return raw ? JSON.parse(raw) : null;
  },
  store(token, expiresIn, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(TOKEN_EXPIRES_KEY, String(Date.now() + expiresIn * 1000));
    if (user) sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(TOKEN_EXPIRES_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
  expiresAt() {
    return Number(sessionStorage.getItem(TOKEN_EXPIRES_KEY) || 0);
  },
};

/** Send the visitor to the login page, coming back here afterwards. */
export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/** The signed-in user, or a redirect to the login page. */
export function requireUser() {
  const user = session.user;
  if (!session.token || !user) {
    toLogin();
    throw new Error("not signed in");
  }
  return user;
}

let refreshing = null;

/** Renew the access token while the page is in use (a quiz can outlast one token). */
async function refreshIfDue() {
  if (!session.token || Date.now() < session.expiresAt() - REFRESH_BEFORE_MS) return;
  refreshing ??= (async () => {
    try {
      const response = await fetch("/web/api/token/refresh", {
        method: "POST",
        headers: { Authorization: `Bearer ${session.token}` },
      });
      if (response.ok) {
        const body = await response.json();
        session.store(body.access_token, body.expires_in);
      }
    } finally {
      refreshing = null;
    }
  })();
  await refreshing;
}

/** An error answered by the API: `problem` is its problem+json body. */
export class ApiError extends Error {
  constructor(status, problem, response) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.response = response;
  }
  get kind() {
    const type = this.problem.type || "";
    return type.split(":").pop();
  }
}

/** A network failure (no answer at all): worth retrying. */
export class NetworkError extends Error {}

/**
 * Call the API: `api("GET", "/api/v1/courses")`, `api("PUT", url, {json: body})`.
 * Returns the parsed JSON (null for 204), raises ApiError / NetworkError. A 401 sends the
 * visitor to the login page unless `{keepOn401: true}` (the quiz page keeps its answers and
 * shows its own sign-in prompt instead).
 */
export async function api(method, url, options = {}) {
  await refreshIfDue();
  const headers = { "Accept-Language": lang, Accept: "application/json" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    body = options.form;
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, signal: options.signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new NetworkError(t("error.network"));
  }
  if (response.status === 401 && !options.keepOn401 && !options.anonymous) {
    session.clear();
    toLogin();
    throw new ApiError(401, await safeJson(response), response);
  }
  if (!response.ok) throw new ApiError(response.status, await safeJson(response), response);
  if (options.raw) return response;
  if (response.status === 204) return null;
  return safeJson(response);
}

async function safeJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Every page of a paginated list ({data, count}). */
export async function apiAll(url, pageSize = 100) {
  const all = [];
  for (let offset = 0; ; offset += pageSize) {
    const sep = url.includes("?") ? "&" : "?";
    const page = await api("GET", `${url}${sep}offset=${offset}&limit=${pageSize}`);
    all.push(...page.data);
    if (page.data.length < pageSize || all.length >= page.count) return all;
  }
}

/** The message to show for any error of a call. */
export function describeError(error) {
  if (error instanceof ApiError || error instanceof NetworkError) {
    const fields = (error.problem && error.problem.errors) || [];
    const details = fields.map((e) => `${(e.loc || e.field || []).toString()}: ${e.msg || e.message}`);
    return [error.message, ...details].join(" · ");
  }
  console.error(error);
  return t("error.unexpected");
}

// --- chrome --------------------------------------------------------------------------------

function setLanguage(next) {
  document.cookie = `quizloop_lang=${next}; path=/; max-age=31536000; samesite=lax`;
  // Pages flush pending saves on pagehide; the reload then shows everything in `next`.
  const url = new URL(location.href);
  url.searchParams.delete("lang");
  location.assign(url.toString());
}

function initChrome() {
  for (const button of document.querySelectorAll("[data-set-lang]")) {
    button.addEventListener("click", () => setLanguage(button.dataset.setLang));
  }
  const user = session.user;
  const who = document.getElementById("ql-user");
  const nav = document.getElementById("ql-nav");
  if (user && session.token) {
    if (who) who.textContent = user.full_name || user.email;
    document.body.dataset.role = user.role;
    if (nav) {
      for (const link of nav.querySelectorAll("[data-role]")) {
        link.hidden = link.dataset.role !== user.role;
      }
      nav.hidden = false;
    }
  } else if (nav) {
    nav.hidden = true;
  }
  for (const link of document.querySelectorAll("#ql-nav a")) {
    if (link.getAttribute("href") === location.pathname) link.setAttribute("aria-current", "page");
  }
}

initChrome();

/** Run a page's `main`, showing any error it throws instead of a blank page. */
export function start(main) {
  const run = async () => {
    try {
      await main();
    } catch (error) {
      if (error && error.message === "not signed in") return;
      notice(describeError(error));
    } finally {
      document.body.dataset.ready = "true"; // tests and screenshots wait for this
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
}
