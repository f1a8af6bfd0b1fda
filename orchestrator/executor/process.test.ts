// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the runner's variable syntax, not a mistaken template literal.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually } from "../../functions/shared/testing/eventually.ts";
import { commandPrograms, findMissingProgram, programNotFound, runShell } from "./process.ts";
import { tempDir } from "./testing/tasks.ts";

const env = process.env;

/** A process that has exited but not been reaped (a zombie) counts as gone. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("runShell", () => {
  it("runs through /bin/sh in the given directory and keeps stdout and stderr", async () => {
    const dir = tempDir();
    const result = await runShell("pwd; echo oops >&2; exit 3", { cwd: dir, env });
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, aborted: false });
    expect(result.output).toContain(dir);
    expect(result.output).toContain("oops");
  });

  it("keeps only the tail of a long output", async () => {
    const result = await runShell("seq 1 20000", { cwd: ".", env, tailBytes: 64 });
    expect(result.output.length).toBeLessThanOrEqual(64);
    expect(result.output.trimEnd().endsWith("20000")).toBe(true);
  });

  it("kills the whole process group on timeout, children included", async () => {
    const dir = tempDir();
    const pidFile = join(dir, "child.pid");
    const result = await runShell(`sleep 30 & echo $! > ${pidFile}; wait`, {
      cwd: dir,
      env,
      timeoutMs: 200,
      killGraceMs: 200,
    });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    const child = Number(readFileSync(pidFile, "utf8"));
    await eventually(
      () => alive(child),
      (isAlive) => !isAlive,
      { what: "the background sleep to die" },
    );
  });

  it("escalates to SIGKILL when SIGTERM is ignored", async () => {
    const result = await runShell("trap '' TERM; sleep 30", {
      cwd: ".",
      env,
      timeoutMs: 100,
      killGraceMs: 100,
    });
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL" });
  });

  it("stops when its signal aborts", async () => {
    const controller = new AbortController();
    const running = runShell("sleep 30", { cwd: ".", env, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await running).toMatchObject({ aborted: true, timedOut: false });
  });

  it("does not wait for background processes that keep the pipes open", async () => {
    const dir = tempDir();
    const result = await runShell(`sleep 30 & echo $! > ${join(dir, "pid")}; echo started`, {
      cwd: dir,
      env,
    });
    expect(result).toMatchObject({ exitCode: 0 });
    process.kill(Number(readFileSync(join(dir, "pid"), "utf8")));
  });
});

describe("finding the programs a command needs", () => {
  it("takes the first word of each simple command, past assignments, keywords and builtins", () => {
    expect(commandPrograms("FOO=1 kubectl get pods | grep x && cd terraform && terraform init")).toEqual([
      "kubectl",
      "grep",
      "terraform",
    ]);
    expect(commandPrograms("if helm version; then echo ok; fi")).toEqual(["helm"]);
    expect(commandPrograms("npm test 2>&1 | tee out.log; echo 'a && b'")).toEqual(["npm", "tee"]);
    expect(commandPrograms('"$TOOL" run; ${DIR}/bin/tool; echo $(which x)')).toEqual([]);
    expect(commandPrograms("case $x in a) foo;; esac")).toEqual([]);
    expect(commandPrograms("(cd k8s && kustomize build) | kubectl apply -f -; echo npm ci (demo)")).toEqual([
      "kustomize",
      "kubectl",
    ]);
  });

  it("reports the first program that is not on PATH or not executable", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tool"), "#!/bin/sh\n");
    chmodSync(join(dir, "tool"), 0o755);
    writeFileSync(join(dir, "plain"), "");
    expect(findMissingProgram("tool --x && sh -c true", dir, `${dir}:/bin`)).toBeUndefined();
    expect(findMissingProgram("./tool && ./plain", dir, "")).toBe("./plain");
    expect(findMissingProgram("definitely-not-a-binary-xyz --flag", dir, env.PATH)).toBe(
      "definitely-not-a-binary-xyz",
    );
  });

  it("reads the program name from the shell's exit 127", async () => {
    const result = await runShell("true && definitely-not-a-binary-xyz --flag", { cwd: ".", env });
    expect(result.exitCode).toBe(127);
    expect(programNotFound(result.exitCode, result.output)).toBe("definitely-not-a-binary-xyz");
    expect(programNotFound(127, "bash: line 1: kubectl: command not found\n")).toBe("kubectl");
    expect(programNotFound(1, "kubectl: not found")).toBeUndefined();
  });
});
