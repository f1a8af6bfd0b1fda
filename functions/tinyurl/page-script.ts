/**
 * `/app.js`: the TinyURL page's script, served as one ES module (the CSP allows no inline code). It is
 * plain browser JavaScript kept in string constants so both runtimes can serve it without a bundler or a
 * file system. Rules for every part: user data reaches the DOM only through textContent, attribute
 * setters and createElementNS, never through HTML parsing; URLs become links only when http(s).
 */
import { ANALYTICS_SCRIPT } from "./page-script-analytics.ts";
import { LINKS_SCRIPT } from "./page-script-links.ts";

const HELPERS = `
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "tinyurl.token";
const RECENT_KEY = "tinyurl.recent";
const MAX_RECENT = 20;
const CODE_RE = /^[A-Za-z0-9_-]{3,64}$/;

/** Builds an element. Text children and "text" become text nodes; nothing is parsed as HTML. */
function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children || []) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** The URL as an href when it is http(s); anything else (javascript:, data:) is never made clickable. */
function safeHref(url) {
  try {
    const parsed = new URL(url, location.origin);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function textOrLink(url) {
  const href = safeHref(url);
  return href ? el("a", { href, rel: "noopener noreferrer nofollow", text: url }) : url;
}

// Storage may be disabled (privacy modes, sandboxed frames): the page keeps working without it.
function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function storageSet(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {}
}
const savedToken = () => storageGet(TOKEN_KEY) || "";

class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** Calls the API with the saved token; failures become ApiError carrying the server's own message. */
async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = savedToken();
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("network", "Could not reach the server. Check your connection and try again.", 0);
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {}
  if (!res.ok) {
    const error = data && data.error;
    const message = error && typeof error.message === "string" ? error.message : "Request failed with status " + res.status;
    throw new ApiError(error && error.code ? String(error.code) : "http_" + res.status, message, res.status);
  }
  return data;
}

/** Shows an error in an alert region, or hides the region when err is null. */
function showError(node, err, prefix) {
  node.hidden = !err;
  node.textContent = err ? (prefix || "") + (err.message || String(err)) : "";
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const fmtDate = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
const fmtNum = (n) => Number(n).toLocaleString();

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {}
  // Fallback where the async clipboard is missing or denied.
  const area = el("textarea", { readonly: "", class: "offscreen", "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {}
  area.remove();
  return ok;
}

function copyButton(text, label) {
  const button = el("button", { type: "button", "aria-label": label, dataset: { action: "copy" } }, ["Copy"]);
  button.addEventListener("click", async () => {
    button.textContent = (await copyText(text)) ? "Copied" : "Copy failed";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  return button;
}
`;

const INIT = String.raw`
$("shorten-form").addEventListener("submit", onShorten);
$("result-copy").addEventListener("click", async () => {
  const input = $("result-short");
  const ok = await copyText(input.value);
  if (!ok) input.select();
  $("copy-status").textContent = ok ? "Copied to clipboard." : "Press Ctrl+C (⌘C on a Mac) to copy.";
});
$("result-analytics").addEventListener("click", () => {
  if (lastResult) openAnalytics(lastResult.code, lastResult.title);
});
$("recent-clear").addEventListener("click", () => {
  storageSet(RECENT_KEY, null);
  renderRecent();
});
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  // People paste the whole header value; keep only the token.
  const token = $("token").value.trim().replace(/^Bearer\s+/i, "");
  storageSet(TOKEN_KEY, token || null);
  $("token").value = token;
  loadMine(true);
  renderRecent();
});
$("token-forget").addEventListener("click", () => {
  storageSet(TOKEN_KEY, null);
  $("token").value = "";
  loadMine(true);
  renderRecent();
});
$("mine-more").addEventListener("click", () => loadMine(false));
$("an-refresh").addEventListener("click", loadAnalytics);
$("an-interval").addEventListener("change", loadAnalytics);
$("an-close").addEventListener("click", closeAnalytics);

$("token").value = savedToken();
renderRecent();
loadMine(true);
`;

export const PAGE_SCRIPT = `${HELPERS}\n${LINKS_SCRIPT}\n${ANALYTICS_SCRIPT}\n${INIT}`;
