/** The Docs home page (`/`): the token, your documents, and a form that creates one and opens it. */
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

interface DocumentSummary {
  id: string;
  title: string;
  role: string;
  owner: string;
  updatedAt: string;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const editorPath = (id: string) => `/d/${encodeURIComponent(id)}`;

function documentItem(doc: DocumentSummary): HTMLElement {
  const link = el("a", { href: editorPath(doc.id), class: "doc-title", text: doc.title });
  const meta = el("span", {
    class: "hint",
    text: `${doc.role} · by ${doc.owner} · updated ${dateTime.format(new Date(doc.updatedAt))}`,
  });
  return el("li", { class: "doc-item", "data-id": doc.id }, [link, meta]);
}

async function loadList(): Promise<void> {
  const list = byId("doc-list");
  const empty = byId("list-empty");
  const error = byId("list-error");
  const signedIn = Boolean(savedToken());
  byId("create-card").hidden = !signedIn;
  byId("list-card").hidden = !signedIn;
  list.replaceChildren();
  empty.hidden = true;
  showError(error, null);
  if (!signedIn) return;
  try {
    const { documents } = await api<{ documents: DocumentSummary[] }>("GET", "/api/documents");
    list.replaceChildren(...documents.map(documentItem));
    empty.hidden = documents.length > 0;
  } catch (failure) {
    showError(error, failure);
    if (failure instanceof ApiError && failure.status === 401) byId("token").focus();
  }
}

byId("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = byId<HTMLInputElement>("create-title");
  const button = byId<HTMLButtonElement>("create-submit");
  const error = byId("create-error");
  showError(error, null);
  button.disabled = true;
  try {
    const doc = await api<{ id: string }>("POST", "/api/documents", { title: title.value });
    location.assign(editorPath(doc.id));
  } catch (failure) {
    showError(error, failure);
    button.disabled = false;
  }
});

takeTokenFromFragment();
mountTokenForm(() => void loadList());
void loadList();
