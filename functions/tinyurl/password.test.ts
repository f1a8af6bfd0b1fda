import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";

describe("hashPassword / verifyPassword", () => {
  it("stores pbkdf2$iterations$salt$hash and verifies the right password", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(/^pbkdf2\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
  });

  it("refuses a wrong password, including near misses", async () => {
    const stored = await hashPassword("secret", 1000);
    // (Not "secret\0": HMAC zero-pads short keys, so PBKDF2 cannot tell trailing NULs apart. Harmless.)
    for (const wrong of ["Secret", "secret ", "", "secre", "secretsecret"]) {
      expect(await verifyPassword(wrong, stored)).toBe(false);
    }
    expect(await verifyPassword("secret", stored)).toBe(true);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same", 1000), hashPassword("same", 1000)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("same", b)).toBe(true);
  });

  it("handles unicode passwords", async () => {
    const stored = await hashPassword("pässwörd 🔑", 1000);
    expect(await verifyPassword("pässwörd 🔑", stored)).toBe(true);
    expect(await verifyPassword("passwörd 🔑", stored)).toBe(false);
  });

  it("uses the iteration count in the stored string", async () => {
    const stored = await hashPassword("pw", 1000);
    expect(stored.split("$")[1]).toBe("1000");
    const tampered = stored.replace("$1000$", "$1001$");
    expect(await verifyPassword("pw", tampered)).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["plain text", "secret"],
    ["another scheme", "bcrypt$10$abc$def"],
    ["missing parts", "pbkdf2$1000$c2FsdA=="],
    ["extra parts", "pbkdf2$1000$c2FsdA==$aGFzaA==$more"],
    ["non-numeric iterations", "pbkdf2$abc$c2FsdA==$aGFzaA=="],
    ["zero iterations", "pbkdf2$0$c2FsdA==$aGFzaA=="],
    ["negative iterations", "pbkdf2$-5$c2FsdA==$aGFzaA=="],
    ["too many iterations", "pbkdf2$100000000$c2FsdA==$aGFzaA=="],
    ["invalid base64 salt", "pbkdf2$1000$!!!$aGFzaA=="],
    ["invalid base64 hash", "pbkdf2$1000$c2FsdA==$***"],
    ["truncated hash", "pbkdf2$1000$c2FsdA==$aGFzaA=="],
  ])("returns false, without throwing, for a malformed stored string (%s)", async (_name, stored) => {
    await expect(verifyPassword("secret", stored)).resolves.toBe(false);
  });
});
