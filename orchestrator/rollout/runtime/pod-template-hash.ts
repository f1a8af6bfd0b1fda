/**
 * The local stand-in for Argo's `rollouts-pod-template-hash`: Argo hashes the pod template with 32-bit
 * FNV-1a and spells the decimal digits in Kubernetes' vowel-free alphabet (no accidental words, valid in
 * labels). Locally a version is the whole pod template, so the version is hashed. The decimal is padded to
 * 10 digits so every hash has 10 characters.
 */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A stable 10-character label value for `version` (what `podTemplateHashValue` arguments resolve to). */
export function podTemplateHash(version: string): string {
  const digits = String(fnv1a32(version)).padStart(10, "0");
  return [...digits].map((digit) => SAFE_ALPHABET[digit.charCodeAt(0) % SAFE_ALPHABET.length]).join("");
}
