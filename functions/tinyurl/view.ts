import type { LinkRecord } from "./links.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * A link as the API shows it. The target of a password link is only shown to its owner (or to the
 * creator, in the 201 answer), never to someone who merely knows the code.
 */
export function linkView(
  link: LinkRecord,
  shortBase: string,
  viewer: { userId?: string; creator?: boolean },
) {
  const owned = link.owner !== null && link.owner === viewer.userId;
  const revealTarget = !link.passwordHash || owned || viewer.creator === true;
  return {
    code: link.code,
    shortUrl: `${shortBase}/${link.code}`,
    url: revealTarget ? link.url : null,
    title: link.title,
    tags: link.tags,
    redirectStatus: link.redirectStatus,
    expiresAt: iso(link.expiresAt),
    maxVisits: link.maxVisits,
    visitsUsed: link.visitsUsed,
    hasPassword: link.passwordHash !== null,
    owned,
    createdAt: iso(link.createdAt)!,
    updatedAt: iso(link.updatedAt)!,
  };
}
