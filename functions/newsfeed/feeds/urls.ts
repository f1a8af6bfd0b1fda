/**
 * URL resolution for feeds. A relative URL is resolved against, in order: the xml:base in effect (on
 * the element or any ancestor), the entry's own link (Atom's rel="alternate", RSS's <link>), the feed's
 * link (the site), then the address the feed was fetched from. Each parser builds that chain with
 * `firstBase`; these helpers only resolve and filter.
 */

/** Schemes a reader may follow from a link field; anything else (javascript:, data:, file:) is dropped. */
const WEB_SCHEMES = new Set(["http:", "https:"]);

/** `ref` made absolute against `base`; null when it cannot be (relative without a base, or malformed). */
export function resolveUrl(ref: string | null | undefined, base?: string | null): string | null {
  if (typeof ref !== "string") return null;
  const trimmed = ref.trim();
  if (trimmed.length === 0) return null;
  try {
    return new URL(trimmed, base ?? undefined).href;
  } catch {
    return null;
  }
}

/** Like `resolveUrl`, but only http(s): what a link, an enclosure or a site address may be. */
export function webUrl(ref: string | null | undefined, base?: string | null): string | null {
  const url = resolveUrl(ref, base);
  return url !== null && WEB_SCHEMES.has(new URL(url).protocol) ? url : null;
}

/** The first base that is an absolute URL (the chain above; nulls are skipped). */
export function firstBase(...candidates: (string | null | undefined)[]): string | null {
  for (const candidate of candidates) {
    if (candidate && resolveUrl(candidate) !== null) return candidate;
  }
  return null;
}
