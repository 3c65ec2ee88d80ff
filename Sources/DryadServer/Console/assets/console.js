// dryad console: plain ES modules, no framework. This one routes (the page named by the URL's
// hash) and takes the token; api.js calls /api/v1 with it, dom.js builds the page as text,
// pages.js and memory.js are the pages.

import { APIError, tokenKey } from "./api.js";
import { el, view } from "./dom.js";
import { memory, context } from "./memory.js";
import { audit, connect, overview, tool, tools } from "./pages.js";

const page = document.getElementById("page");
const status = document.getElementById("status");

function show(title, ...content) {
  page.replaceChildren(el("h1", {}, title), ...content.flat(Infinity));
  document.title = title + " · dryad console";
}

function showError(error) {
  const text = error instanceof APIError ? `${error.message} (HTTP ${error.code})` : String(error);
  status.textContent = text;
}

// MARK: - Routing

const routes = [
  [/^#\/overview$/, () => overview()],
  [/^#\/tools\/([^?]+)$/, (m) => tool(decodeURIComponent(m[1]))],
  [/^#\/tools(\?.*)?$/, (m) => tools(new URLSearchParams((m[1] || "").slice(1)))],
  [/^#\/audit(\?.*)?$/, (m) => audit(new URLSearchParams((m[1] || "").slice(1)))],
  [/^#\/memory\/([^?]+)$/, (m) => context(decodeURIComponent(m[1]))],
  [/^#\/memory(\?.*)?$/, (m) => memory(new URLSearchParams((m[1] || "").slice(1)))],
  [/^#\/connect$/, () => connect()],
];

/// The page asked for last: a slower render of an earlier page must not replace it.
let generation = 0;

async function route() {
  const hash = location.hash || "#/overview";
  const mine = ++generation;
  status.textContent = "";
  const match = routes.map(([pattern, render]) => [hash.match(pattern), render]).find(([m]) => m);
  page.setAttribute("aria-busy", "true");
  try {
    const result = match ? await match[1](match[0]) : view("Not found", el("p", {}, "No such page."));
    if (mine !== generation) return;
    show(result.title, ...result.content);
  } catch (error) {
    if (mine !== generation) return;
    page.replaceChildren();
    showError(error);
  } finally {
    if (mine === generation) {
      page.removeAttribute("aria-busy");
      document.body.dataset.rendered = hash;
    }
  }
}

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token");
  const token = input.value.trim();
  if (token) sessionStorage.setItem(tokenKey, token);
  input.value = "";
  route();
});
document.getElementById("forget").addEventListener("click", () => {
  // A render still under way must not show what the forgotten token could read.
  generation++;
  sessionStorage.removeItem(tokenKey);
  page.replaceChildren();
  status.textContent = "token forgotten";
});
window.addEventListener("hashchange", route);
route();
