/**
 * Seeded simulation: several clients edit one document concurrently, their submissions reach the
 * sequencer against stale versions, and every message is delivered in a random interleaving (FIFO per
 * connection, as on a socket). At the end every client has the server's text. SESSION_SEED reproduces.
 */
import { describe, expect, it } from "vitest";
import { int, randomOp, seededRandom } from "./ot/testing/random.ts";
import { DocumentSession } from "./session.ts";
import { MemorySessionStore } from "./session-store.ts";
import { SimClient, serveOne } from "./testing/sim-client.ts";

const SEED = Number(process.env.SESSION_SEED ?? 20_240_917);
const RUNS = 60;

async function simulate(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const start = "The quick brown 🦊 jumps";
  const store = new MemorySessionStore();
  // A small window and frequent snapshots, so trimming and compaction happen mid-run.
  const options = { historyWindow: 64, snapshotEvery: 7 };
  let session = await DocumentSession.create("doc", store, start, options);
  const clients = Array.from({ length: 2 + int(random, 3) }, (_, i) => new SimClient(`c${i}`, start, 0));
  const steps = 40 + int(random, 80);
  for (let step = 0; step < steps; step++) {
    const client = clients[int(random, clients.length - 1)]!;
    const roll = random();
    if (roll < 0.4) client.edit(randomOp(random, client.text));
    else if (roll < 0.75) await serveOne(session, clients, client);
    else if (roll < 0.98) client.receive();
    else {
      // The server restarts: state comes back from the store alone.
      await session.idle();
      session = await DocumentSession.open("doc", store, options);
    }
  }
  // Drain: deliver everything, in a random order, until nobody has anything left to send or receive.
  while (!clients.every((c) => c.settled)) {
    const client = clients[int(random, clients.length - 1)]!;
    if (random() < 0.5) await serveOne(session, clients, client);
    else client.receive();
  }
  for (const client of clients) expect(client.text, `seed ${seed}, ${client.src}`).toBe(session.text());
  expect(clients.every((c) => c.version === session.version)).toBe(true);
  await session.idle();
  const reopened = await DocumentSession.open("doc", store, options);
  expect(reopened.text()).toBe(session.text());
}

describe("sequencer simulation", () => {
  it(`converges for ${RUNS} seeded runs (seed ${SEED})`, async () => {
    for (let run = 0; run < RUNS; run++) await simulate(SEED + run);
  });
});
