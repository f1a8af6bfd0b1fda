/**
 * Who may do what to a document. Pure: the HTTP layer (and later the socket layer) asks `can` before
 * acting, so one table decides for every runtime.
 */
export const ROLES = ["viewer", "editor", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = ["read", "edit", "share", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

const ALLOWED: Record<Role, readonly Action[]> = {
  viewer: ["read"],
  editor: ["read", "edit"],
  owner: ["read", "edit", "share", "delete"],
};

export function can(role: Role, action: Action): boolean {
  return ALLOWED[role].includes(action);
}

export const isRole = (value: unknown): value is Role =>
  typeof value === "string" && (ROLES as readonly string[]).includes(value);
