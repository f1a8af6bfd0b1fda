/**
 * The editor page (`/d/{id}`): a textarea kept in step with the document by DocumentSync over a
 * WebSocket (connection.ts). Local input is diffed against the text last shown and sent as an op;
 * remote ops rewrite the textarea on the next frame (or after an IME composition), keeping the user's
 * selection where it was by the rule the server uses. Undo/redo are the page's own: own edits only.
 */
import { compose, type TextOp, transform, transformSelection } from "../ot/index.ts";
import {
  ApiError,
  api,
  byId,
  el,
  mountTokenForm,
  savedToken,
  showError,
  takeTokenFromFragment,
} from "./browser.ts";
import { DocumentConnection } from "./connection.ts";
import { drawCursors } from "./cursors-view.ts";
import { DocumentSync, type SyncStatus } from "./sync.ts";
import { caretAfter, inputOp, readSelection, writeSelection } from "./textarea.ts";
import { UndoManager } from "./undo.ts";

const docId = byId("doc").dataset.docId!;
const docPath = `/api/documents/${encodeURIComponent(docId)}`;
const area = byId<HTMLTextAreaElement>("editor");
const layer = byId("cursors");
const statusLine = byId("status");
const docError = byId("doc-error");

/** The text the textarea showed after the last render or input; remote ops since then are `held`. */
let shown = "";
let held: TextOp | null = null;
let composing = false;
let renderQueued = false;

const undo = new UndoManager();
const sync = new DocumentSync({
  src: crypto.randomUUID(),
  events: {
    change(change) {
      held = held ? compose(held, change.op) : change.op;
      if (change.kind === "reset") undo.clear();
      else undo.transform(change.op);
      scheduleRender();
    },
    peers: () => scheduleRender(),
    status: showStatus,
    problem(problem) {
      if (problem.dropped) showError(docError, `${problem.message} (${problem.code})`);
    },
    restart: () => connection.restart(),
  },
});
const connection = new DocumentConnection(sync, docId, savedToken, (reason) => {
  showError(docError, reason);
  statusLine.textContent = "Disconnected";
  area.readOnly = true;
});

// ---- local input ----

function onInput(): void {
  if (composing || area.value === shown) return;
  const value = area.value;
  let op: TextOp = [];
  try {
    op = inputOp(shown, value, area.selectionEnd);
  } catch {} // a lone surrogate, which no op can carry: reverted below
  if (!sync.editable || op.length === 0) {
    render(true); // keep the document as it was
    return;
  }
  let sel = readSelection(area, value);
  if (held) {
    // Remote ops arrived since the textarea was drawn: rebase the input over them.
    const local = op;
    op = transform(local, held, "left");
    sel = transformSelection(sel, transform(held, local, "right"), "left");
    held = null; // now part of sync.text, which render() writes to the textarea
  }
  const before = sync.text;
  try {
    sync.localOp(op);
  } catch {
    render(true); // refused: keep the document as it was
    return;
  }
  undo.record(op, before);
  sync.setSelection(sel);
  render(true);
}

function onSelect(): void {
  if (composing || area.value !== shown || document.activeElement !== area) return;
  const sel = readSelection(area, shown);
  sync.setSelection(held ? transformSelection(sel, held, "left") : sel);
}

function runHistory(which: "undo" | "redo"): void {
  if (!sync.editable || composing) return;
  render(true);
  const op = which === "undo" ? undo.undo() : undo.redo();
  if (!op) return;
  try {
    sync.localOp(op);
  } catch (error) {
    undo.clear(); // a step that no longer fits: the history cannot be trusted
    showError(docError, error);
    return;
  }
  const caret = caretAfter(op);
  sync.setSelection({ anchor: caret, head: caret });
  render(true);
}

// ---- drawing ----

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => render(false));
}

/** Shows the synced text in the textarea (unless an IME composition is under way) and the cursors. */
function render(restoreSelection: boolean): void {
  renderQueued = false;
  if (composing) return;
  const focused = document.activeElement === area;
  if (held && focused) {
    sync.setSelection(transformSelection(readSelection(area, shown), held, "left"));
    restoreSelection = true;
  }
  if (area.value !== sync.text) {
    const scroll = area.scrollTop;
    area.value = sync.text;
    area.scrollTop = scroll;
    restoreSelection = true;
  }
  shown = sync.text;
  held = null;
  if (restoreSelection && focused && sync.selection) writeSelection(area, shown, sync.selection);
  area.readOnly = !sync.editable;
  drawCursors(layer, shown, sync.peers);
  layer.scrollTop = area.scrollTop;
  byId("peers").replaceChildren(
    ...sync.peers.map((peer) => {
      const dot = el("span", { class: "dot" });
      dot.style.backgroundColor = peer.color;
      return el("li", { class: "peer", "data-peer": peer.id }, [dot, peer.name]);
    }),
  );
  byId<HTMLButtonElement>("undo").disabled = !sync.editable || !undo.canUndo;
  byId<HTMLButtonElement>("redo").disabled = !sync.editable || !undo.canRedo;
}

function showStatus(status: SyncStatus): void {
  const text = {
    online: status.unacknowledged ? "Connected · saving…" : "Connected · all changes saved",
    connecting: status.unacknowledged ? "Reconnecting · edits pending" : "Connecting…",
    offline: status.unacknowledged
      ? "Offline · edits pending, sent when back online"
      : "Offline · reconnecting…",
  }[status.connection];
  statusLine.textContent = text;
  statusLine.dataset.connection = status.connection;
  statusLine.dataset.pending = String(status.unacknowledged);
  area.readOnly = !sync.editable;
  // The role can change while the page is open (the server then reconnects us): show the current one.
  if (sync.role) byId("role").textContent = sync.role;
}

// ---- start ----

async function open(): Promise<void> {
  showError(docError, null);
  const tokenCard = byId("token-card");
  if (!savedToken()) {
    tokenCard.hidden = false;
    statusLine.textContent = "Paste a token to open this document";
    return;
  }
  try {
    const doc = await api<{ title: string; role: string }>("GET", docPath);
    tokenCard.hidden = true;
    byId("doc-title").textContent = doc.title;
    document.title = `${doc.title} · canary Docs`;
    byId("role").textContent = doc.role;
    byId("share").hidden = doc.role !== "owner";
  } catch (error) {
    showError(docError, error);
    tokenCard.hidden = !(error instanceof ApiError && error.status === 401);
    if (error instanceof ApiError && error.status === 0) setTimeout(() => void open(), 3000);
    return;
  }
  connection.connect();
}

area.addEventListener("input", onInput);
area.addEventListener("compositionstart", () => {
  composing = true;
});
area.addEventListener("compositionend", () => {
  composing = false;
  onInput();
  render(true);
});
for (const type of ["select", "keyup", "mouseup"]) area.addEventListener(type, onSelect);
document.addEventListener("selectionchange", onSelect);
area.addEventListener("scroll", () => {
  layer.scrollTop = area.scrollTop;
});
area.addEventListener("mousedown", () => undo.breakGroup());
area.addEventListener("keydown", (event) => {
  if (event.key.startsWith("Arrow") || ["Home", "End", "PageUp", "PageDown", "Enter"].includes(event.key)) {
    undo.breakGroup();
  }
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === "z" || key === "y") {
    event.preventDefault(); // never the textarea's own undo, which knows nothing of other people
    runHistory(key === "z" && !event.shiftKey ? "undo" : "redo");
  }
});
area.addEventListener("beforeinput", (event) => {
  if (event.inputType === "historyUndo" || event.inputType === "historyRedo") {
    event.preventDefault();
    runHistory(event.inputType === "historyUndo" ? "undo" : "redo");
  }
});
byId("undo").addEventListener("click", () => runHistory("undo"));
byId("redo").addEventListener("click", () => runHistory("redo"));

byId("share-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const user = byId<HTMLInputElement>("share-user").value.trim();
  const role = byId<HTMLSelectElement>("share-role").value;
  const result = byId("share-result");
  result.textContent = "";
  showError(byId("share-error"), null);
  try {
    await api("POST", `${docPath}/share`, { user, role });
    result.textContent = `Shared with ${user} as ${role}.`;
  } catch (error) {
    showError(byId("share-error"), error);
  }
});

takeTokenFromFragment();
mountTokenForm(() => {
  connection.stop("");
  void open();
});
void open();
