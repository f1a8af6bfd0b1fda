import { describe, expect, it } from "vitest";
import { parsePrds } from "./index.ts";

const parse = (text: string) => parsePrds([{ file: "guide.md", text }]).tasks;

describe("local alternatives (`locally:` / `local:`)", () => {
  const guide = [
    "## Canary Deployment",
    "- [ ] Promote the canary `kubectl argo rollouts promote tinyurl -n canary` (locally: `npx canary rollout promote tinyurl`)",
    "- [ ] Watch the rollout (locally: `npx canary rollout status tinyurl`)",
    "- [ ] Abort it `kubectl argo rollouts abort tinyurl -n canary`; **Local:** `npx canary rollout abort tinyurl`",
    "- [ ] Check `k8s/canary/tinyurl.yaml` locally: `GET /healthz`",
    "- [ ] Open the page `npm start`",
    "- [ ] Run it twice",
    "  `npm run smoke`",
    "  locally: `npm run smoke -- --local`",
    "- [ ] Demo it",
    "  locally: `npm run demo -- --port 0`",
  ].join("\n");
  const [task] = parse(guide);

  it("gives a checklist item with both its command and its local alternative", () => {
    expect(task!.subtasks[0]).toMatchObject({
      title: "Promote the canary `kubectl argo rollouts promote tinyurl -n canary`",
      command: "kubectl argo rollouts promote tinyurl -n canary",
      localCommand: "npx canary rollout promote tinyurl",
    });
  });

  it("gives an item with only a local span no command", () => {
    const watch = task!.subtasks[1]!;
    expect(watch).toMatchObject({
      title: "Watch the rollout",
      localCommand: "npx canary rollout status tinyurl",
    });
    expect(watch).not.toHaveProperty("command");
  });

  it("reads the `local:` spelling, emphasis around it and separators before it", () => {
    expect(task!.subtasks[2]).toMatchObject({
      title: "Abort it `kubectl argo rollouts abort tinyurl -n canary`",
      command: "kubectl argo rollouts abort tinyurl -n canary",
      localCommand: "npx canary rollout abort tinyurl",
    });
  });

  it("takes the marked span as is, and leaves code spans that are not commands alone", () => {
    const check = task!.subtasks[3]!;
    expect(check).toMatchObject({ localCommand: "GET /healthz" });
    expect(check).not.toHaveProperty("command"); // a file name is no command
    const open = task!.subtasks[4]!;
    expect(open).toMatchObject({ command: "npm start" });
    expect(open).not.toHaveProperty("localCommand");
  });

  it("reads both from the item's later lines, and keeps those lines as details", () => {
    expect(task!.subtasks[5]).toMatchObject({
      title: "Run it twice",
      command: "npm run smoke",
      localCommand: "npm run smoke -- --local",
      details: "`npm run smoke`\nlocally: `npm run smoke -- --local`",
    });
  });

  it("never takes a later line's local span for the command", () => {
    const demo = task!.subtasks[6]!;
    expect(demo).toMatchObject({ title: "Demo it", localCommand: "npm run demo -- --port 0" });
    expect(demo).not.toHaveProperty("command");
  });

  it("works on task lines, and a heading's code stays a name unless it is a TASK_ heading", () => {
    const tasks = parse(
      [
        "## Deploy (locally: `npx canary rollout run x`)",
        "- [ ] a",
        "",
        "**TASK_009** [HIGH]: Ship `kubectl apply -k k8s/canary` (locally: `npm run demo`)",
        "### TASK_010: Verify `kubectl get ro` local: `npx canary rollout status x`",
        "- [ ] b",
      ].join("\n"),
    );
    expect(tasks.map((t) => [t.id, t.title, t.command, t.localCommand])).toEqual([
      [1, "Deploy", undefined, undefined],
      [9, "Ship `kubectl apply -k k8s/canary`", "kubectl apply -k k8s/canary", "npm run demo"],
      [10, "Verify `kubectl get ro`", "kubectl get ro", "npx canary rollout status x"],
    ]);
  });
});
