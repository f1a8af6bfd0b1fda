/**
 * Polls until `probe` returns a value `accept` likes, for things that happen asynchronously elsewhere (a
 * pub/sub message, a reconnect). The deadline only stops a broken test from hanging; it is not a timing
 * assertion, and it is generous.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  options: { what?: string; timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? `last error: ${String(lastError)}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`Timed out waiting for ${options.what ?? "a condition"} (${detail})`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 10));
  }
}
