/**
 * The Newsfeed page (`/`): who you are (a token, or `?user=` for a read-only demo), your ranked feed with
 * like buttons, a "N new items" banner fed by the live stream (SSE), recommendations with their reasons,
 * search, the feeds with their status and a form to add one, and what you follow (follows.ts: toggles on
 * every article's source and topics and on every feed, and the Following card).
 */
import {
  ApiError,
  api,
  byId,
  el,
  mountTokenForm,
  savedToken,
  showError,
  takeTokenFromFragment,
} from "../../docs/client/browser.ts";
import { followContext, loadFollows, mountFollows } from "./follows.ts";
import { type ArticleView, articleItem, type FeedView, feedItem, snippetNodes } from "./render.ts";

interface FeedPage {
  items: ArticleView[];
  nextCursor: string | null;
}

/** The token's user, read from its payload for display only (the server verifies it on every call). */
function tokenUser(token: string): string | null {
  try {
    const payload = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const sub = (JSON.parse(atob(payload)) as { sub?: unknown }).sub;
    return typeof sub === "string" ? sub : null;
  } catch {
    return null;
  }
}

const demoUser = () => new URLSearchParams(location.search).get("user")?.trim() || null;
const viewer = () => (savedToken() ? tokenUser(savedToken()) : null) ?? demoUser();
/** `?user=` on reads when there is no token (a token speaks for itself). */
const asUser = (sep: "?" | "&") => {
  const user = demoUser();
  return !savedToken() && user ? `${sep}user=${encodeURIComponent(user)}` : "";
};

const shown = new Set<string>();
let nextCursor: string | null = null;

function showItems(items: ArticleView[], where: "append" | "prepend", fresh = false): void {
  const list = byId("feed-list");
  const nodes = items
    .filter((a) => !shown.has(a.id))
    .map((a) => {
      shown.add(a.id);
      const node = articleItem(a, followContext());
      if (fresh) node.classList.add("fresh");
      return node;
    });
  // Node's methods: the Workers types (loaded project-wide) give Element's append/prepend other meanings.
  if (where === "append") for (const node of nodes) list.appendChild(node);
  else for (const node of nodes.reverse()) list.insertBefore(node, list.firstChild);
  byId("feed-empty").hidden = shown.size > 0;
}

// A reload (a follow, a new token) supersedes the load before it: older answers are dropped.
let feedLoads = 0;

async function loadFeed(more = false): Promise<void> {
  const error = byId("feed-error");
  const load = more ? feedLoads : ++feedLoads;
  showError(error, null);
  if (!more) {
    shown.clear();
    byId("feed-list").replaceChildren();
    pending.clear();
    renderBanner();
  }
  const cursor = more && nextCursor ? `&cursor=${encodeURIComponent(nextCursor)}` : "";
  try {
    const page = await api<FeedPage>("GET", `/api/newsfeed?limit=20${cursor}${asUser("&")}`);
    if (load !== feedLoads) return;
    nextCursor = page.nextCursor;
    showItems(page.items, "append");
    byId("feed-more").hidden = !nextCursor;
  } catch (failure) {
    if (load === feedLoads) showError(error, failure);
  }
}

async function toggleLike(button: HTMLButtonElement): Promise<void> {
  const error = byId("feed-error");
  if (!savedToken()) {
    showError(error, "Save a token above to like articles.");
    byId("token").focus();
    return;
  }
  const liked = button.getAttribute("aria-pressed") === "true";
  button.disabled = true;
  try {
    const id = button.dataset.id!;
    const result = await api<{ liked: boolean; likes: number }>(liked ? "DELETE" : "POST", `/api/like/${id}`);
    for (const b of document.querySelectorAll<HTMLButtonElement>(
      `button.like[data-id="${CSS.escape(id)}"]`,
    )) {
      b.setAttribute("aria-pressed", String(result.liked));
      b.textContent = `♥ ${result.likes}`;
    }
    showError(error, null);
  } catch (failure) {
    showError(error, failure);
  } finally {
    button.disabled = false;
  }
}

// Live: new articles wait behind the banner until the reader asks for them (the list does not jump).
const pending = new Map<string, ArticleView>();
let source: EventSource | null = null;

function renderBanner(): void {
  const banner = byId<HTMLButtonElement>("new-items");
  banner.hidden = pending.size === 0;
  banner.textContent = `${pending.size} new item${pending.size === 1 ? "" : "s"}`;
}

function connectLive(): void {
  source?.close();
  const token = savedToken();
  const query = token ? `?token=${encodeURIComponent(token)}` : asUser("?");
  source = new EventSource(`/api/live${query}`);
  source.addEventListener("articles", (event) => {
    const { articles } = JSON.parse((event as MessageEvent<string>).data) as { articles: ArticleView[] };
    for (const article of articles)
      if (!shown.has(article.id)) pending.set(article.id, { likes: 0, ...article });
    renderBanner();
  });
}

byId("new-items").addEventListener("click", () => {
  showItems([...pending.values()].reverse(), "prepend", true);
  pending.clear();
  renderBanner();
});

async function loadRecommendations(): Promise<void> {
  const user = viewer();
  const card = byId("recs-card");
  card.hidden = !user;
  if (!user) return;
  const error = byId("recs-error");
  showError(error, null);
  try {
    const { items } = await api<{ items: { article: ArticleView; reason: string }[] }>(
      "GET",
      `/api/recommendations/${encodeURIComponent(user)}?limit=10`,
    );
    byId("recs-list").replaceChildren(
      ...items.map((r) =>
        articleItem(r.article, followContext(), el("span", { class: "reason", text: r.reason })),
      ),
    );
  } catch (failure) {
    showError(error, failure);
  }
}

async function loadFeeds(): Promise<void> {
  const error = byId("feeds-error");
  showError(error, null);
  try {
    const { feeds } = await api<{ feeds: FeedView[] }>("GET", "/api/feeds?limit=50");
    byId("feeds-list").replaceChildren(...feeds.map((feed) => feedItem(feed, followContext())));
  } catch (failure) {
    showError(error, failure);
  }
}

byId("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = byId("search-error");
  showError(error, null);
  const q = byId<HTMLInputElement>("search-q").value;
  try {
    const { items } = await api<{ items: (ArticleView & { snippet: string })[] }>(
      "GET",
      `/api/search?q=${encodeURIComponent(q)}&limit=20`,
    );
    const list = byId("search-list");
    list.replaceChildren(
      ...items.map((a) =>
        articleItem(
          { ...a, summary: null },
          followContext(),
          el("p", { class: "item-summary" }, snippetNodes(a.snippet)),
        ),
      ),
    );
    if (items.length === 0) list.replaceChildren(el("li", { class: "empty", text: "No matches." }));
  } catch (failure) {
    showError(error, failure);
  }
});

byId("feed-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = byId("feeds-error");
  const button = byId<HTMLButtonElement>("feed-add");
  const input = byId<HTMLInputElement>("feed-url");
  showError(error, null);
  button.disabled = true;
  try {
    await api("POST", "/api/feeds", { url: input.value });
    input.value = "";
    await Promise.all([loadFeeds(), loadFeed()]);
  } catch (failure) {
    showError(error, failure);
    if (failure instanceof ApiError && failure.status === 401) byId("token").focus();
  } finally {
    button.disabled = false;
  }
});

document.addEventListener("click", (event) => {
  const button = (event.target as Element | null)?.closest?.("button.like");
  if (button) void toggleLike(button as HTMLButtonElement);
});
byId("feed-more").addEventListener("click", () => void loadFeed(true));

byId("user-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const user = byId<HTMLInputElement>("user").value.trim();
  const url = new URL(location.href);
  if (user) url.searchParams.set("user", user);
  else url.searchParams.delete("user");
  history.replaceState(null, "", url);
  refresh();
});

function refresh(): void {
  const user = viewer();
  byId("whoami").textContent = savedToken()
    ? `Signed in as ${user ?? "(unreadable token)"}.`
    : user
      ? `Viewing ${user}'s feed (read only).`
      : "Anonymous: the global popular feed.";
  byId<HTMLInputElement>("user").value = demoUser() ?? "";
  connectLive();
  void loadFeed();
  void loadRecommendations();
  void loadFeeds();
  void loadFollows();
}

takeTokenFromFragment();
mountTokenForm(refresh);
// The server reads the live stream's follow filter when it connects: reconnect, and rank the feed anew.
mountFollows(async () => {
  connectLive();
  await loadFeed();
});
refresh();
