/**
 * Following, in the browser: the signed-in reader's follows (`GET /api/follows`), the "Following" card
 * with an unfollow button per source and topic, and the one click handler of every follow toggle
 * render.ts draws (on articles and feeds). After a change the card and every toggle on the page show it
 * at once, then `changed` runs: home.ts reloads the feed (following lifts stories) and reconnects the
 * live stream (the server reads its follow filter once per connection).
 */
import { ApiError, api, byId, el, savedToken, showError } from "../../docs/client/browser.ts";
import {
  type FollowContext,
  type FollowList,
  type FollowTarget,
  followAnnouncement,
  followedTargets,
  followRequest,
  isFollowed,
  NO_FOLLOWS,
  parseTarget,
} from "./follow-model.ts";
import { setFollowed } from "./render.ts";

let follows: FollowList = NO_FOLLOWS;
let changed: () => Promise<void> = async () => {};

/** How render.ts draws follow targets right now. */
export function followContext(): FollowContext {
  return savedToken() ? { interactive: true, follows } : { interactive: false };
}

const targetOf = (button: Element) =>
  parseTarget(
    button.getAttribute("data-follow-kind") ?? undefined,
    button.getAttribute("data-follow-value") ?? undefined,
    button.getAttribute("data-follow-label") ?? undefined,
  );

/** Every toggle on the page shows the current follows. */
function syncToggles(): void {
  for (const button of document.querySelectorAll("button[data-follow-kind][aria-pressed]")) {
    const target = targetOf(button);
    if (target) setFollowed(button, isFollowed(follows, target));
  }
}

function followedItem(target: FollowTarget): HTMLElement {
  return el("li", { class: "item" }, [
    el("span", { class: "item-title", text: target.label }),
    el("button", {
      type: "button",
      class: "unfollow",
      "data-follow-kind": target.kind,
      "data-follow-value": target.value,
      "data-follow-label": target.label,
      "aria-label": `Unfollow ${target.label}`,
      text: "Unfollow",
    }),
  ]);
}

function renderCard(): void {
  const { sources, topics } = followedTargets(follows);
  byId("follows-sources").replaceChildren(...sources.map(followedItem));
  byId("follows-topics").replaceChildren(...topics.map(followedItem));
  byId("follows-sources-group").hidden = sources.length === 0;
  byId("follows-topics-group").hidden = topics.length === 0;
  const empty = byId("follows-empty");
  empty.hidden = sources.length + topics.length > 0;
  empty.textContent = savedToken()
    ? "You follow nothing yet. Follow a feed, or an article's source or #topic: their stories rise in your feed."
    : "Save a token above to follow feeds and topics.";
}

/** Loads the reader's follows (none without a token) and shows them everywhere. */
export async function loadFollows(): Promise<void> {
  const error = byId("follows-error");
  showError(error, null);
  byId("follows-status").textContent = "";
  follows = NO_FOLLOWS;
  if (savedToken()) {
    try {
      follows = await api<FollowList>("GET", "/api/follows");
    } catch (failure) {
      showError(error, failure);
    }
  }
  renderCard();
  syncToggles();
}

/** Where focus was, to put it back after the lists under it are redrawn. */
interface FocusSpot {
  button: HTMLElement;
  card: Element | null;
  articleId: string | null;
}

function restoreFocus(spot: FocusSpot | null): void {
  // Only when focus was lost with the redrawn button: never take it from where the reader moved it.
  const active = document.activeElement;
  if (!spot || (active && active !== document.body && active !== spot.button)) return;
  if (spot.button.isConnected) {
    spot.button.focus();
    return;
  }
  const { followKind, followValue } = spot.button.dataset;
  const same = `button[data-follow-kind="${CSS.escape(followKind!)}"][data-follow-value="${CSS.escape(followValue!)}"]`;
  const article = spot.articleId
    ? spot.card?.querySelector(`li[data-id="${CSS.escape(spot.articleId)}"]`)
    : null;
  const next =
    article?.querySelector<HTMLElement>(same) ??
    spot.card?.querySelector<HTMLElement>(`.items ${same}`) ??
    spot.card?.querySelector<HTMLElement>("button.unfollow") ??
    spot.card?.querySelector<HTMLElement>("h2[tabindex]");
  next?.focus();
}

async function toggle(
  button: HTMLButtonElement,
  target: FollowTarget,
  spot: FocusSpot | null,
): Promise<void> {
  const error =
    button.closest(".card")?.querySelector<HTMLElement>(".error[role=alert]") ??
    byId<HTMLElement>("follows-error");
  const { method, body } = followRequest(target, isFollowed(follows, target));
  try {
    follows = await api<FollowList>(method, "/api/follows", body);
    showError(error, null);
    renderCard();
    syncToggles();
    byId("follows-status").textContent = followAnnouncement(target, isFollowed(follows, target));
    await changed();
  } catch (failure) {
    showError(error, failure);
    if (failure instanceof ApiError && failure.status === 401) byId("token").focus();
  } finally {
    button.disabled = false;
    restoreFocus(spot);
  }
}

/**
 * Wires every follow toggle and unfollow button (present and future). Changes run one after another, so
 * each starts from the follows the previous one left and the card never shows an older answer.
 */
export function mountFollows(onChange: () => Promise<void>): void {
  changed = onChange;
  let queue = Promise.resolve();
  document.addEventListener("click", (event) => {
    const found = (event.target as Element | null)?.closest?.("button[data-follow-kind]");
    const target = found ? targetOf(found) : null;
    if (!found || !target || (found as HTMLButtonElement).disabled) return;
    const button = found as HTMLButtonElement;
    const card = button.closest(".card");
    const spot =
      document.activeElement === button
        ? { button, card, articleId: button.closest("li[data-id]")?.getAttribute("data-id") ?? null }
        : null;
    button.disabled = true; // at once: a second click while queued is not a second change
    queue = queue.then(() => toggle(button, target, spot));
  });
}
