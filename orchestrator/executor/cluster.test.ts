import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ClusterProbe, decideLocal, probeCluster } from "./cluster.ts";
import { tempDir } from "./testing/tasks.ts";

/** A probe that must not be asked (flags and CANARY_CLUSTER decide first). */
const unasked: ClusterProbe = () => {
  throw new Error("probed");
};
const answers =
  (reachable: boolean, why: string): ClusterProbe =>
  async () => ({ reachable, why });

describe("decideLocal", () => {
  it("runs local alternatives when no cluster answers, and main commands when one does", async () => {
    expect(await decideLocal({}, {}, answers(false, "kubectl cluster-info failed"))).toEqual({
      local: true,
      message:
        "no Kubernetes cluster reachable (kubectl cluster-info failed): steps with a local alternative run it",
    });
    expect(await decideLocal({}, {}, answers(true, "kubectl cluster-info answered"))).toEqual({
      local: false,
      message:
        "Kubernetes cluster reachable (kubectl cluster-info answered): steps run their commands " +
        "(a local alternative only where a program is missing)",
    });
  });

  it("takes CANARY_CLUSTER=present|absent instead of probing, and refuses other values", async () => {
    expect(await decideLocal({}, { CANARY_CLUSTER: "absent" }, unasked)).toMatchObject({
      local: true,
      message: expect.stringMatching(/^no Kubernetes cluster reachable \(CANARY_CLUSTER=absent\): /),
    });
    expect(await decideLocal({}, { CANARY_CLUSTER: " present " }, unasked)).toMatchObject({
      local: false,
      message: expect.stringMatching(/^Kubernetes cluster reachable \(CANARY_CLUSTER=present\): /),
    });
    await expect(decideLocal({}, { CANARY_CLUSTER: "maybe" }, unasked)).rejects.toThrow(
      'CANARY_CLUSTER must be "present" or "absent", not "maybe"',
    );
    // Blank counts as unset.
    expect((await decideLocal({}, { CANARY_CLUSTER: "" }, answers(true, "x"))).local).toBe(false);
  });

  it("lets --local and --cluster decide over everything, but not both", async () => {
    const absent = { CANARY_CLUSTER: "absent" };
    expect(await decideLocal({ cluster: true }, absent, unasked)).toMatchObject({
      local: false,
      message: expect.stringMatching(/^--cluster: steps run their commands/),
    });
    expect(await decideLocal({ local: true }, { CANARY_CLUSTER: "present" }, unasked)).toEqual({
      local: true,
      message: "--local: steps with a local alternative run it",
    });
    await expect(decideLocal({ local: true, cluster: true }, {}, unasked)).rejects.toThrow(/contradict/);
  });
});

describe("probeCluster (a stand-in kubectl on PATH)", () => {
  function fakeKubectl(exitCode: number): { env: NodeJS.ProcessEnv; args: () => string } {
    const dir = tempDir("canary-kubectl-");
    const script = join(dir, "kubectl");
    writeFileSync(script, `#!/bin/sh\necho "$@" > "${dir}/args"\nexit ${exitCode}\n`);
    chmodSync(script, 0o755);
    return { env: { PATH: dir }, args: () => readFileSync(join(dir, "args"), "utf8").trim() };
  }

  it("finds a cluster when `kubectl cluster-info` exits 0", async () => {
    const kubectl = fakeKubectl(0);
    expect(await probeCluster(kubectl.env)).toEqual({
      reachable: true,
      why: "kubectl cluster-info answered",
    });
    expect(kubectl.args()).toBe("cluster-info --request-timeout=5s");
  });

  it("finds none when it fails, or when kubectl is not installed", async () => {
    expect(await probeCluster(fakeKubectl(1).env)).toEqual({
      reachable: false,
      why: "kubectl cluster-info failed",
    });
    expect(await probeCluster({ PATH: tempDir("canary-empty-path-") })).toEqual({
      reachable: false,
      why: "kubectl not found",
    });
  });
});
