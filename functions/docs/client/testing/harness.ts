/** Helpers for DocumentSync tests: a Room network that drains, and a sync with no server at all. */
import type { ClientMessage, PeerView } from "../../protocol.ts";
import { DocumentSync, type SyncProblem, type SyncStatus } from "../sync.ts";
import { FakeClock, SimNetwork, type SimUser } from "./sim-network.ts";

/** Delivers every queued frame, both ways, until the network is quiet. */
export async function drain(network: SimNetwork, users: SimUser[]): Promise<void> {
  for (let moved = true; moved; ) {
    moved = false;
    for (const user of users) while (network.toServer(user)) moved = true;
    await network.settle();
    for (const user of users) while (network.toClient(user)) moved = true;
  }
}

export const sent = (user: SimUser) => user.link!.toServer.map((frame) => JSON.parse(frame) as ClientMessage);

export async function pair(content = "hello") {
  const network = await SimNetwork.create({ content });
  const alice = network.user("alice");
  const bob = network.user("bob");
  network.connect(alice);
  network.connect(bob);
  await drain(network, [alice, bob]);
  return { network, alice, bob };
}

export const init = (v: number) => ({
  type: "init" as const,
  v,
  role: "editor" as const,
  you: view("me"),
  peers: [],
});
export const view = (id: string, sel: PeerView["sel"] = null): PeerView => ({
  id,
  user: id,
  name: id,
  color: "red",
  sel,
});

/** A DocumentSync with no server: tests hand it messages and read what it sends. */
export function standalone(clock = new FakeClock()) {
  const out: ClientMessage[] = [];
  const problems: SyncProblem[] = [];
  const restarts: string[] = [];
  const statuses: SyncStatus[] = [];
  const sync = new DocumentSync({
    src: "me",
    schedule: clock.schedule,
    events: {
      problem: (p) => problems.push(p),
      restart: (reason) => restarts.push(reason),
      status: (s) => statuses.push(s),
    },
  });
  /** Connects and loads `content` at version 0. */
  const load = (content: string, peers: PeerView[] = []) => {
    sync.connected((m) => out.push(m));
    sync.receive({ ...init(0), content, peers });
  };
  return { sync, out, problems, restarts, statuses, load };
}
