/**
 * Likes and unlikes as events between replicas, so each replica's in-memory LikeIndex (recommender.ts)
 * sees the others' likes. Node with REDIS_URL: Redis pub/sub (like-events-redis.ts); one process: none
 * needed, every like is made here. Delivery is at most once: a message lost while Redis is unreachable
 * leaves that replica's index behind until its periodic rebuild from the store.
 */
export interface LikeEvent {
  op: "like" | "unlike";
  userId: string;
  articleId: number;
}

export interface LikeEvents {
  /** Tells the other replicas; never throws (a lost event is healed by the next rebuild). */
  publish(event: LikeEvent): Promise<void>;
  /** Delivers the other replicas' events. */
  subscribe(handler: (event: LikeEvent) => void): Promise<void>;
  close(): Promise<void>;
}

/** Parses an event off the wire; undefined for anything malformed. */
export function parseLikeEvent(value: unknown): LikeEvent | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { op, userId, articleId } = value as Record<string, unknown>;
  if (op !== "like" && op !== "unlike") return undefined;
  if (typeof userId !== "string" || userId.length === 0) return undefined;
  if (typeof articleId !== "number" || !Number.isSafeInteger(articleId)) return undefined;
  return { op, userId, articleId };
}
