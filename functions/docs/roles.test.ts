import { describe, expect, it } from "vitest";
import { ACTIONS, type Action, can, isRole, ROLES, type Role } from "./roles.ts";

const EXPECTED: Record<Role, Record<Action, boolean>> = {
  viewer: { read: true, edit: false, share: false, delete: false },
  editor: { read: true, edit: true, share: false, delete: false },
  owner: { read: true, edit: true, share: true, delete: true },
};

describe("can", () => {
  const cases = ROLES.flatMap((role) => ACTIONS.map((action) => [role, action] as const));
  it("covers every role × action", () => expect(cases).toHaveLength(12));
  it.each(cases)("%s may %s: as the table says", (role, action) => {
    expect(can(role, action)).toBe(EXPECTED[role][action]);
  });
});

describe("isRole", () => {
  it("accepts the three roles only", () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const other of ["admin", "", "Owner", 1, null, undefined]) expect(isRole(other)).toBe(false);
  });
});
