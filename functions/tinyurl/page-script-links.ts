/**
 * Part of `/app.js` (see page-script.ts): the shorten form, its result, the "recent links" list kept in
 * localStorage, and "my links" for a saved bearer token.
 */
export const LINKS_SCRIPT = String.raw`
/** Server messages start with the field they are about ("slug: already taken"): point at that input. */
const FIELD_INPUTS = {
  url: "f-url", slug: "f-slug", title: "f-title", password: "f-password",
  expiresAt: "f-expires", maxVisits: "f-max", redirectStatus: "f-redirect",
};
let lastResult = null;

class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

function readForm() {
  let url = $("f-url").value.trim();
  if (!url) throw new FieldError("url", "Enter the URL to shorten.");
  // People paste "example.com/page": assume https rather than refusing it.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) url = "https://" + url;
  const body = { url };
  const slug = $("f-slug").value.trim();
  if (slug) body.slug = slug;
  const title = $("f-title").value.trim();
  if (title) body.title = title;
  const password = $("f-password").value;
  if (password) body.password = password;
  const expires = $("f-expires").value;
  if (expires) {
    const at = new Date(expires); // datetime-local has no zone: it is the visitor's local time
    if (Number.isNaN(at.getTime())) throw new FieldError("expiresAt", "Expiry is not a valid date and time.");
    body.expiresAt = at.toISOString();
  }
  const max = $("f-max").value.trim();
  if (max) {
    const n = Number(max);
    if (!Number.isInteger(n) || n < 1) throw new FieldError("maxVisits", "Maximum visits must be a whole number of at least 1.");
    body.maxVisits = n;
  }
  const status = Number($("f-redirect").value);
  if (status !== 302) body.redirectStatus = status;
  return body;
}

function markInvalid(field) {
  for (const id of Object.values(FIELD_INPUTS)) $(id).removeAttribute("aria-invalid");
  const id = FIELD_INPUTS[field];
  if (!id) return;
  const input = $(id);
  input.setAttribute("aria-invalid", "true");
  const details = input.closest("details");
  if (details) details.open = true;
  input.focus();
}

async function onShorten(event) {
  event.preventDefault();
  const errorBox = $("form-error");
  const submit = $("f-submit");
  showError(errorBox, null);
  markInvalid(null);
  submit.disabled = true;
  submit.textContent = "Shortening…";
  try {
    const link = await api("POST", "/shorten", readForm());
    rememberCode(link.code);
    event.target.reset();
    showResult(link);
    renderRecent();
    if (savedToken()) loadMine(true);
  } catch (err) {
    showError(errorBox, err);
    const field = err instanceof FieldError ? err.field : /^(\w+):/.exec(err.message || "")?.[1];
    markInvalid(field);
  } finally {
    submit.disabled = false;
    submit.textContent = "Shorten";
  }
}

function showResult(link) {
  lastResult = link;
  const title = $("result-title");
  title.textContent = link.title || "";
  title.hidden = !link.title;
  $("result-short").value = link.shortUrl;
  $("result-open").href = safeHref(link.shortUrl) || "/";
  $("result-target").replaceChildren(link.url ? textOrLink(link.url) : "a password-protected target");
  const qr = $("result-qr");
  qr.src = "/api/links/" + encodeURIComponent(link.code) + "/qr.svg";
  qr.alt = "QR code for " + link.shortUrl;
  $("copy-status").textContent = "";
  $("result").hidden = false;
  $("result-h").focus();
}

function recentCodes() {
  try {
    const list = JSON.parse(storageGet(RECENT_KEY) || "[]");
    return Array.isArray(list) ? list.filter((c) => typeof c === "string" && CODE_RE.test(c)).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}
function rememberCode(code) {
  storageSet(RECENT_KEY, JSON.stringify([code, ...recentCodes().filter((c) => c !== code)].slice(0, MAX_RECENT)));
}
function forgetCode(code) {
  storageSet(RECENT_KEY, JSON.stringify(recentCodes().filter((c) => c !== code)));
}

function linkItem(link, extra) {
  const meta = ["created " + fmtDate(link.createdAt)];
  if (link.expiresAt) meta.push((Date.parse(link.expiresAt) <= Date.now() ? "expired " : "expires ") + fmtDate(link.expiresAt));
  if (link.maxVisits !== null) meta.push(fmtNum(link.visitsUsed) + " of " + fmtNum(link.maxVisits) + " visits used");
  if (link.redirectStatus !== 302) meta.push(link.redirectStatus + " redirect");
  return el("li", { class: "link-item", dataset: { code: link.code } }, [
    el("div", { class: "link-main" }, [
      el("span", { class: "link-title", text: link.title || link.code }),
      el("a", { class: "link-short", href: safeHref(link.shortUrl), text: link.shortUrl }),
      el("span", { class: "link-target" }, ["→ ", link.url ? textOrLink(link.url) : "password-protected target"]),
      el("span", { class: "link-meta" }, [
        meta.join(" · ") + " ",
        link.hasPassword ? el("span", { class: "badge", text: "password" }) : null,
      ]),
    ]),
    el("div", { class: "link-actions" }, [
      copyButton(link.shortUrl, "Copy " + link.shortUrl),
      el("button", {
        type: "button",
        "aria-label": "Analytics for " + link.code,
        dataset: { action: "analytics" },
        onclick: () => openAnalytics(link.code, link.title),
      }, ["Analytics"]),
      ...extra,
    ]),
  ]);
}

let recentSeq = 0;
async function renderRecent() {
  const seq = ++recentSeq;
  const codes = recentCodes();
  $("recent-empty").hidden = codes.length > 0;
  $("recent-clear").hidden = codes.length === 0;
  const answers = await Promise.all(
    codes.map((code) => api("GET", "/api/links/" + encodeURIComponent(code)).then((link) => ({ code, link }), (err) => ({ code, err }))),
  );
  if (seq !== recentSeq) return; // a newer render started meanwhile
  const items = answers.map(({ code, link, err }) => {
    const remove = el("button", {
      type: "button",
      class: "quiet",
      "aria-label": "Remove " + code + " from this list",
      dataset: { action: "remove" },
      onclick: () => {
        forgetCode(code);
        renderRecent();
      },
    }, ["Remove"]);
    if (link) return linkItem(link, [remove]);
    const why = err.status === 404 ? "This link no longer exists." : err.message;
    return el("li", { class: "link-item", dataset: { code } }, [
      el("div", { class: "link-main" }, [el("span", { class: "link-title", text: code }), el("span", { class: "link-meta", text: why })]),
      el("div", { class: "link-actions" }, [remove]),
    ]);
  });
  $("recent-list").replaceChildren(...items);
}

/** Two clicks instead of confirm(): no modal dialog, and the second click is a deliberate act. */
function deleteButton(link) {
  const label = "Delete " + link.code;
  const button = el("button", { type: "button", class: "danger", "aria-label": label, dataset: { action: "delete" } }, ["Delete"]);
  let timer = 0;
  const disarm = () => {
    timer = 0;
    button.textContent = "Delete";
    button.setAttribute("aria-label", label);
  };
  button.addEventListener("click", async () => {
    if (!timer) {
      button.textContent = "Confirm delete";
      button.setAttribute("aria-label", "Confirm: delete " + link.code + " and its analytics");
      timer = setTimeout(disarm, 5000);
      return;
    }
    clearTimeout(timer);
    button.disabled = true;
    try {
      await api("DELETE", "/api/links/" + encodeURIComponent(link.code));
      forgetCode(link.code);
      if (analyticsCode === link.code) closeAnalytics();
      button.closest("li").remove();
      $("mine-empty").hidden = $("mine-list").childElementCount > 0;
      showError($("mine-error"), null);
      renderRecent();
    } catch (err) {
      showError($("mine-error"), err, "Could not delete " + link.code + ": ");
      button.disabled = false;
      disarm();
    }
  });
  return button;
}

let mineCursor = null;
let mineSeq = 0;
async function loadMine(reset) {
  const seq = ++mineSeq;
  const list = $("mine-list");
  const token = savedToken();
  $("owner-note").hidden = !token;
  if (reset) {
    mineCursor = null;
    list.replaceChildren();
    $("mine-more").hidden = true;
    $("mine-empty").hidden = true;
    showError($("mine-error"), null);
  }
  if (!token) return;
  const cursor = mineCursor ? "&cursor=" + encodeURIComponent(mineCursor) : "";
  try {
    const page = await api("GET", "/api/links?limit=20" + cursor);
    if (seq !== mineSeq) return;
    list.append(...page.links.map((link) => linkItem(link, [deleteButton(link)])));
    mineCursor = page.nextCursor;
    $("mine-more").hidden = !mineCursor;
    $("mine-empty").hidden = list.childElementCount > 0;
    showError($("mine-error"), null);
  } catch (err) {
    if (seq === mineSeq) showError($("mine-error"), err, "Could not load your links: ");
  }
}
`;
