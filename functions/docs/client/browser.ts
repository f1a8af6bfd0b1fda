/**
 * What both Docs pages need in the browser: building elements (user data only ever reaches the DOM as
 * text or attribute values, never through an HTML parser), the saved bearer token, and the JSON API.
 */

// No `extends HTMLElement` bound: the Workers types (loaded project-wide) redeclare Element's methods.
export const byId = <T = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as unknown as T;
};

type Props = Record<string, string | number | boolean | undefined>;

/** An element with attributes (`text` becomes its text content) and children. */
export function el(tag: string, props: Props = {}, children: (Node | string)[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = String(value);
    else node.setAttribute(key, String(value));
  }
  if (children.length > 0) node.replaceChildren(...children);
  return node;
}

const TOKEN_KEY = "docs.token";

// Storage may be disabled (privacy modes): the page still works for this visit.
let memoryToken = "";
export function savedToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}

export function saveToken(token: string): void {
  memoryToken = token;
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {}
}

/**
 * A link may carry a token in its fragment (`#token=…`), which never reaches a server: it is saved,
 * then removed from the address bar so it is not copied along with the link.
 */
export function takeTokenFromFragment(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  saveToken(decodeURIComponent(match[1]!));
  history.replaceState(null, "", location.pathname + location.search);
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Calls the API with the saved token; failures become ApiError with the server's own message. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = savedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("network", "Could not reach the server. Check your connection.", 0);
  }
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    const error = data?.error;
    throw new ApiError(
      error?.code ?? `http_${res.status}`,
      error?.message ?? `Request failed with status ${res.status}`,
      res.status,
    );
  }
  return data as T;
}

/** Shows an error in an alert region, or hides it when `error` is null. */
export function showError(node: HTMLElement, error: unknown): void {
  node.hidden = !error;
  node.textContent = error ? (error instanceof Error ? error.message : String(error)) : "";
}

/** Wires the token form (#token-form, #token, #token-forget); `changed` runs after a save or forget. */
export function mountTokenForm(changed: () => void): void {
  const input = byId<HTMLInputElement>("token");
  input.value = savedToken();
  byId("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    // People paste the whole header value; keep only the token.
    const token = input.value.trim().replace(/^Bearer\s+/i, "");
    input.value = token;
    saveToken(token);
    changed();
  });
  byId("token-forget").addEventListener("click", () => {
    input.value = "";
    saveToken("");
    changed();
  });
}
