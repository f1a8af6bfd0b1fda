/**
 * The console page's script: lists the engine's rollouts, follows each one's status stream (SSE), keeps
 * the traffic history the charts draw, and sends the actions (promote, promote full, abort, retry) as
 * same-origin JSON POSTs, showing the API's errors on the rollout's card.
 */
import { ApiError, byId, showError } from "../../../../functions/docs/client/browser.ts";
import type { RolloutStatus } from "../../types.ts";
import type { ControlAction } from "../actions.ts";
import { RolloutCard } from "./card.ts";
import { TrafficHistory } from "./history.ts";

interface Followed {
  card: RolloutCard;
  history: TrafficHistory;
  source: EventSource | null;
}

const followed = new Map<string, Followed>();
/** How often the list is read again (new rollouts, a stream the server closed). */
const RELIST_MS = 5000;

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers:
        body === undefined
          ? { Accept: "application/json" }
          : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError("network", "The engine does not answer: has `canary rollout run` ended?", 0);
  }
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    throw new ApiError(
      data?.error?.code ?? `http_${res.status}`,
      data?.error?.message ?? `Request failed with status ${res.status}`,
      res.status,
    );
  }
  return data as T;
}

const rolloutPath = (name: string) => `/api/rollouts/${encodeURIComponent(name)}`;

async function act(card: RolloutCard, action: ControlAction): Promise<void> {
  const entry = followed.get(card.name);
  if (!entry) return;
  card.setBusy(true);
  card.showError(null);
  try {
    const path = action === "promoteFull" ? "promote" : action;
    const status = await call<RolloutStatus>(
      "POST",
      `${rolloutPath(card.name)}/${path}`,
      action === "promoteFull" ? { full: true } : {},
    );
    card.update(status, entry.history);
  } catch (failure) {
    card.showError(failure);
  } finally {
    card.setBusy(false);
  }
}

function setLive(connected: boolean): void {
  const live = byId("live");
  live.dataset.state = connected ? "live" : "offline";
  live.textContent = connected ? "live" : "reconnecting…";
}

function follow(status: RolloutStatus): void {
  let entry = followed.get(status.name);
  if (!entry) {
    const card = new RolloutCard(status.name, (c, action) => void act(c, action));
    entry = { card, history: new TrafficHistory(), source: null };
    followed.set(status.name, entry);
    byId("rollouts").appendChild(card.root);
    entry.history.add(Date.now(), status.traffic);
    card.update(status, entry.history);
  }
  if (entry.source && entry.source.readyState !== EventSource.CLOSED) return;
  const current = entry;
  const source = new EventSource(`${rolloutPath(status.name)}/events`);
  current.source = source;
  source.addEventListener("open", () => setLive(true));
  source.addEventListener("error", () => setLive(false));
  source.addEventListener("status", (event) => {
    const next = JSON.parse((event as MessageEvent<string>).data) as RolloutStatus;
    current.history.add(Date.now(), next.traffic);
    current.card.update(next, current.history);
  });
}

async function refresh(): Promise<void> {
  const error = byId("console-error");
  try {
    const { rollouts } = await call<{ rollouts: RolloutStatus[] }>("GET", "/api/rollouts");
    showError(error, null);
    for (const status of rollouts) follow(status);
    byId("empty").hidden = followed.size > 0;
  } catch (failure) {
    showError(error, failure);
    setLive(false);
  }
}

void refresh();
setInterval(() => void refresh(), RELIST_MS);
