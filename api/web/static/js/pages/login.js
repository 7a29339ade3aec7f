// Signing in: the API's password flow; the token is kept in this tab only (sessionStorage).
import { api, describeError, session, start } from "../core.js";

function safeNext() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  // Only paths on this site: never an absolute or protocol-relative URL.
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

start(async () => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const email = document.getElementById("login-email");
  email.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const body = new URLSearchParams({ username: email.value.trim(), password: document.getElementById("login-password").value });
      const token = await api("POST", "/api/v1/auth/token", { form: body, anonymous: true });
      session.store(token.access_token, token.expires_in);
      const user = await api("GET", "/api/v1/users/me");
      session.store(token.access_token, token.expires_in, user);
      location.assign(safeNext());
    } catch (failure) {
      error.textContent = describeError(failure);
      error.hidden = false;
      button.disabled = false;
    }
  });
});
