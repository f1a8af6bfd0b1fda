/**
 * Link passwords, hashed with PBKDF2-SHA256 through WebCrypto (present on Node and Workers). Workers cap
 * PBKDF2 at 100,000 iterations, so that is the cost both runtimes use. Format: `pbkdf2$<iter>$<salt>$<hash>`.
 */
const ITERATIONS = 100_000;
const enc = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return `pbkdf2$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * Constant-time comparison of the derived key with the stored one. A stored string that is not one of ours
 * (wrong scheme, bad base64, iteration count out of range) verifies nothing instead of throwing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash, ...rest] = stored.split("$");
  if (scheme !== "pbkdf2" || !iter || !salt || !hash || rest.length > 0 || !/^\d{1,7}$/.test(iter))
    return false;
  const iterations = Number(iter);
  // Workers refuse more than 100,000 iterations, so a larger count could never verify there either.
  if (iterations < 1 || iterations > ITERATIONS) return false;
  let expected: Uint8Array;
  let actual: Uint8Array;
  try {
    expected = fromBase64(hash);
    actual = await derive(password, fromBase64(salt), iterations);
  } catch {
    return false;
  }
  if (actual.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= actual[i]! ^ expected[i]!;
  return diff === 0;
}
