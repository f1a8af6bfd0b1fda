/**
 * Seeded simulation of the whole client discipline: several DocumentSync clients and a real Room +
 * DocumentSession + MemorySessionStore, every frame delivered in a random interleaving (FIFO per
 * socket), sockets dropped at random (losing frames both ways) and reopened, the rate limit refusing
 * ops, the server restarting from its store, concurrent typing with emoji. At the end every client has
 * the server's text, no (src, seq) was applied twice, and everyone draws each cursor where its owner
 * has it. DOCS_CLIENT_SEED reproduces a run.
 */
import { describe, expect, it } from "vitest";
import { codePointLength, type TextOp } from "../ot/index.ts";
import { int, pick, type Random, randomOp, seededRandom } from "../ot/testing/random.ts";
import type { SessionOptions } from "../session.ts";
import { SimNetwork, type SimUser } from "./testing/sim-network.ts";

const SEED = Number(process.env.DOCS_CLIENT_SEED ?? 20_241_203);

interface Scenario {
  /** Session limits; a tiny history window makes the server send whole texts and refuse stale ops. */
  session?: SessionOptions;
  restarts: boolean;
  /** Insert unique tokens between tokens only, so duplicated or lost text can be counted. */
  tokens: boolean;
}

const START = "The quick brown 🦊 jumps";

/** An edit: random (emoji included), or one unique token inserted at a token boundary. */
function edit(random: Random, user: SimUser, counter: { n: number }, tokens: boolean): TextOp {
  const text = user.sync.text;
  if (!tokens) return randomOp(random, text);
  const boundaries = [0];
  for (const match of text.matchAll(/»/g)) boundaries.push(codePointLength(text.slice(0, match.index + 1)));
  const at = pick(random, boundaries);
  const token = `«${user.user}.${counter.n++}😀»`;
  return at === 0 ? [token] : [at, token];
}

function randomSelection(random: Random, text: string) {
  const length = codePointLength(text);
  return random() < 0.1 ? null : { anchor: int(random, length), head: int(random, length) };
}

function expectCursorsInRange(users: SimUser[], context: string): void {
  for (const user of users) {
    const length = codePointLength(user.sync.text);
    const sels = [user.sync.selection, ...user.sync.peers.map((p) => p.sel)];
    for (const sel of sels) {
      if (!sel) continue;
      expect(Math.max(sel.anchor, sel.head), context).toBeLessThanOrEqual(length);
      expect(Math.min(sel.anchor, sel.head), context).toBeGreaterThanOrEqual(0);
    }
  }
}

const quiet = (network: SimNetwork, users: SimUser[]) =>
  users.every(
    (u) =>
      u.online &&
      !u.sync.status.unacknowledged &&
      u.link!.toServer.length === 0 &&
      u.link!.toClient.length === 0,
  ) && network.clock.pending === 0;

async function simulate(seed: number, scenario: Scenario): Promise<{ dropped: number }> {
  const random = seededRandom(seed);
  const network = await SimNetwork.create({
    content: scenario.tokens ? "" : START,
    session: scenario.session,
    room: { opsPerSecond: 50, opsBurst: 4 },
  });
  const users = Array.from({ length: 2 + int(random, 2) }, (_, i) =>
    network.user(`u${i}`, "editor", `c${i}`),
  );
  for (const user of users) network.connect(user);
  const counter = { n: 0 };
  const steps = 150 + int(random, 250);
  for (let step = 0; step < steps; step++) {
    const user = pick(random, users);
    const roll = random();
    if (roll < 0.25) {
      if (user.sync.editable) user.sync.localOp(edit(random, user, counter, scenario.tokens));
    } else if (roll < 0.3) {
      if (user.sync.version !== null) user.sync.setSelection(randomSelection(random, user.sync.text));
    } else if (roll < 0.52) network.toServer(user);
    else if (roll < 0.57) await network.settle();
    else if (roll < 0.8) network.toClient(user);
    else if (roll < 0.85) network.clock.advance(int(random, 200));
    else if (roll < 0.9)
      await Promise.resolve(); // let the server run part of the way
    else if (roll < 0.94) network.drop(user);
    else if (roll < 0.99) {
      if (!user.link) network.connect(user);
    } else if (scenario.restarts) await network.restartServer();
    expectCursorsInRange(users, `seed ${seed} step ${step}`);
  }

  // Drain: reconnect everyone and deliver in a random order until nobody has anything left.
  for (let round = 0; !quiet(network, users); round++) {
    if (round > 20_000) throw new Error(`seed ${seed}: no convergence`);
    for (const user of users) if (!user.link) network.connect(user);
    const user = pick(random, users);
    const moved = random() < 0.5 ? network.toServer(user) : network.toClient(user);
    if (!moved && users.every((u) => u.link?.toServer.length === 0 && u.link.toClient.length === 0)) {
      await network.settle();
      if (users.every((u) => u.link?.toClient.length === 0)) network.clock.advance(1000);
    }
  }

  const context = `seed ${seed}`;
  const text = network.session.text();
  for (const user of users) {
    expect(user.sync.text, `${context}: ${user.user}`).toBe(text);
    expect(user.sync.version, context).toBe(network.session.version);
  }
  const ops = await network.store.ops("doc", 0);
  const keys = ops.map((o) => `${o.src}/${o.seq}`);
  expect(new Set(keys).size, `${context}: an op applied twice`).toBe(keys.length);
  expectCursorsInRange(users, context);
  // Everyone draws each peer's selection where that peer has it.
  for (const user of users) {
    for (const peer of user.sync.peers) {
      const owner = users.find((u) => u.sync.src === peer.id)!;
      expect(peer.sel, `${context}: ${user.user} sees ${owner.user}`).toEqual(owner.sync.selection);
    }
  }
  if (scenario.tokens) {
    const counts = new Map<string, number>();
    for (const token of text.match(/«[^»]*»/g) ?? []) counts.set(token, (counts.get(token) ?? 0) + 1);
    expect(
      [...counts.values()].every((n) => n === 1),
      `${context}: duplicated text`,
    ).toBe(true);
    expect(text.replace(/«[^»]*»/g, ""), context).toBe("");
  }
  const dropped = users.flatMap((u) => u.problems.filter((p) => p.dropped)).length;
  return { dropped };
}

describe("DocumentSync simulation", () => {
  it("converges with drops, resends, rate limits and emoji; never drops an edit", async () => {
    for (let run = 0; run < 40; run++) {
      const { dropped } = await simulate(SEED + run, { restarts: true, tokens: false });
      expect(dropped, `seed ${SEED + run}`).toBe(0);
    }
  });

  it("applies every typed token exactly once", async () => {
    for (let run = 0; run < 25; run++) {
      const seed = SEED + 1000 + run;
      const { dropped } = await simulate(seed, { restarts: true, tokens: true });
      expect(dropped, `seed ${seed}`).toBe(0);
    }
  });

  it("still converges when the server can only send whole texts and refuses stale ops", async () => {
    let dropped = 0;
    for (let run = 0; run < 25; run++) {
      const seed = SEED + 2000 + run;
      dropped += (await simulate(seed, { session: { historyWindow: 3 }, restarts: true, tokens: false }))
        .dropped;
    }
    expect(dropped).toBeGreaterThan(0); // the scenario did exercise the fresh start
  });
});
