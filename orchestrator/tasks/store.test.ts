import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { normalizeStatus } from "./status.ts";
import { readTasksFile, TasksFileError, updateTasksFile, withTasksFileLock } from "./store.ts";
import { subtask, task } from "./testing/build.ts";

const fixture = new URL("./testing/taskmaster-tagged.json", import.meta.url);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "canary-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The file as plain JSON, untyped on purpose: the tests check what is on disk, not our types. */
async function json(path: string) {
  return JSON.parse(await readFile(path, "utf8"));
}

describe("tagged files (task-master's current format)", () => {
  it("reads master with defaults filled in and ids normalized", async () => {
    const file = await readTasksFile(fixture.pathname);
    expect(file.format).toBe("tagged");
    expect(file.data.tasks.map((t) => t.id)).toEqual([1, 2, 3, 4, 5]);
    const readme = file.data.tasks[3]!;
    expect(readme).toMatchObject({ id: 4, details: "", testStrategy: "", subtasks: [], dependencies: ["1"] });
    expect(file.data.tasks[1]!.subtasks[1]).toMatchObject({ id: 2, dependencies: ["2.1"], parentTaskId: 2 });
  });

  it("reads another tag, with completed as done", async () => {
    const file = await readTasksFile(fixture.pathname, { tag: "feature-qr" });
    expect(file.data.tasks[0]!.status).toBe("done");
  });

  it("writes back tagged, other tags and unknown fields untouched", async () => {
    const path = join(dir, "tasks.json");
    const original = await json(fixture.pathname);
    await writeFile(path, JSON.stringify(original));
    await updateTasksFile(path, {}, (data) => {
      data.tasks[2]!.status = "in-progress";
    });
    const written = await json(path);
    expect(written["feature-qr"]).toEqual(original["feature-qr"]);
    expect(written.master.tasks[2].status).toBe("in-progress");
    expect(written.master.tasks[1].subtasks[0].parentTaskId).toBe(2);
    expect(written.master.metadata.created).toBe(original.master.metadata.created);
    expect(written.master.metadata.updated).not.toBe(original.master.metadata.updated);
    expect(Object.keys(written.master.tasks[0])).toEqual(Object.keys(original.master.tasks[0]));
  });

  it("creates a new tagged file, and a new tag in an existing file", async () => {
    const path = join(dir, "nested", "tasks.json");
    await expect(readTasksFile(path)).rejects.toThrow(/no such tasks file/);
    await updateTasksFile(path, { allowMissing: true }, async (data) => {
      data.tasks.push({ ...(await readTasksFile(fixture.pathname)).data.tasks[0]! });
    });
    await updateTasksFile(path, { tag: "next", allowMissing: true }, () => undefined);
    const written = await json(path);
    expect(Object.keys(written)).toEqual(["master", "next"]);
    expect(written.master.tasks).toHaveLength(1);
    expect(written.next.metadata.description).toBe("Tasks for next context");
    await expect(readTasksFile(path, { tag: "missing" })).rejects.toThrow(
      /no tag "missing" \(tags in the file: master, next\)/,
    );
  });
});

describe("our extra fields", () => {
  it("round-trip a step's command and local alternative, and write neither when absent", async () => {
    const path = join(dir, "tasks.json");
    const promote = {
      command: "kubectl argo rollouts promote tinyurl",
      localCommand: "npx canary rollout promote tinyurl",
    };
    await updateTasksFile(path, { allowMissing: true }, (data) => {
      data.tasks.push(
        { ...task(1, { localCommand: "npm run demo" }), subtasks: [subtask(1, promote), subtask(2)] },
        task(2),
      );
    });
    const written = await json(path);
    expect(written.master.tasks[0]).toMatchObject({ localCommand: "npm run demo", subtasks: [promote, {}] });
    expect(written.master.tasks[0].subtasks[1]).not.toHaveProperty("localCommand");
    expect(written.master.tasks[1]).not.toHaveProperty("localCommand");
    const { data } = await readTasksFile(path);
    expect(data.tasks[0]!.localCommand).toBe("npm run demo");
    expect(data.tasks[0]!.subtasks[0]).toMatchObject(promote);
    await updateTasksFile(path, {}, (file) => {
      file.tasks[1]!.status = "done";
    });
    expect((await json(path)).master.tasks[0].subtasks[0]).toMatchObject(promote);
  });
});

describe("flat files (task-master's legacy format)", () => {
  it("reads and writes back flat, keeping unknown top-level keys", async () => {
    const path = join(dir, "tasks.json");
    const flat = {
      meta: { projectName: "demo" },
      tasks: [
        { id: "1", title: "First", status: "done" },
        {
          id: 2,
          title: "Second",
          status: "in_progress",
          dependencies: [1],
          subtasks: [{ id: "2.1", title: "Part" }],
        },
      ],
    };
    await writeFile(path, JSON.stringify(flat));
    const file = await readTasksFile(path);
    expect(file.format).toBe("flat");
    expect(file.data.tasks[1]).toMatchObject({ id: 2, status: "in-progress", priority: "medium" });
    expect(file.data.tasks[1]!.subtasks[0]).toMatchObject({ id: 1, status: "pending", dependencies: [] });
    await updateTasksFile(path, {}, (data) => {
      data.tasks[1]!.status = "done";
    });
    const written = await json(path);
    expect(Object.keys(written)).toEqual(["meta", "tasks"]);
    expect(written.meta).toEqual(flat.meta);
    expect(written.tasks[1].status).toBe("done");
    await expect(readTasksFile(path, { tag: "feature" })).rejects.toThrow(/flat \(untagged\) format/);
  });
});

describe("errors name the file and the problem", () => {
  const cases: [string, string, RegExp][] = [
    ["invalid JSON", "{ not json", /bad\.json: not valid JSON/],
    ["top level not an object", "[]", /bad\.json: expected a JSON object/],
    [
      "invalid status",
      '{"tasks":[{"id":1,"title":"A","status":"finished"}]}',
      /bad\.json: task 1: invalid status "finished"/,
    ],
    [
      "invalid subtask status",
      '{"tasks":[{"id":1,"title":"A","subtasks":[{"id":1,"status":"?"}]}]}',
      /subtask #1 of task 1: \(1\.1\) invalid status/,
    ],
    [
      "invalid priority",
      '{"tasks":[{"id":1,"title":"A","priority":"urgent"}]}',
      /task 1: invalid priority "urgent"/,
    ],
    ["non-numeric id", '{"tasks":[{"id":"abc","title":"A"}]}', /task #1: invalid id "abc"/],
    ["missing title", '{"tasks":[{"id":1}]}', /task 1: missing title/],
    ["duplicate ids", '{"tasks":[{"id":1,"title":"A"},{"id":"1","title":"B"}]}', /duplicate task id 1/],
    [
      "duplicate subtask ids",
      '{"tasks":[{"id":1,"title":"A","subtasks":[{"id":1},{"id":1}]}]}',
      /duplicate subtask id 1\.1/,
    ],
    [
      "dependencies not a list",
      '{"tasks":[{"id":1,"title":"A","dependencies":"2"}]}',
      /dependencies must be a list/,
    ],
  ];
  it.each(cases)("%s", async (_name, text, message) => {
    const path = join(dir, "bad.json");
    await writeFile(path, text);
    const read = readTasksFile(path);
    await expect(read).rejects.toThrow(TasksFileError);
    await expect(read).rejects.toThrow(message);
  });
});

describe("status synonyms", () => {
  it.each([
    ["completed", "done"],
    ["Complete", "done"],
    ["In Progress", "in-progress"],
    ["in_progress", "in-progress"],
    ["inprogress", "in-progress"],
    ["canceled", "cancelled"],
    ["todo", "pending"],
    ["DEFERRED", "deferred"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeStatus(input)).toBe(expected);
  });

  it("rejects what is not a status", () => {
    expect(normalizeStatus("finished")).toBeUndefined();
    expect(normalizeStatus(3)).toBeUndefined();
  });
});

describe("locking", () => {
  it("serializes concurrent read-modify-write cycles (no lost updates)", async () => {
    const path = join(dir, "tasks.json");
    await writeFile(path, JSON.stringify({ master: { tasks: [], metadata: { count: 0 } } }));
    await Promise.all(
      Array.from({ length: 6 }, () =>
        updateTasksFile(path, {}, async (data) => {
          const count = Number(data.metadata.count);
          await new Promise((resolve) => setTimeout(resolve, 5));
          data.metadata.count = count + 1;
        }),
      ),
    );
    expect((await json(path)).master.metadata.count).toBe(6);
  });

  it("takes over a stale lock left by a killed process", async () => {
    const path = join(dir, "tasks.json");
    await writeFile(path, JSON.stringify({ master: { tasks: [], metadata: {} } }));
    await mkdir(`${path}.lock`);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, longAgo, longAgo);
    await updateTasksFile(path, { staleMs: 2000 }, (data) => {
      data.metadata.recovered = true;
    });
    expect((await json(path)).master.metadata.recovered).toBe(true);
  });

  it("releases the lock when the update throws, and writes nothing", async () => {
    const path = join(dir, "tasks.json");
    const text = JSON.stringify({ master: { tasks: [], metadata: {} } });
    await writeFile(path, text);
    await expect(
      updateTasksFile(path, {}, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await readFile(path, "utf8")).toBe(text);
    await expect(withTasksFileLock(path, async () => "free")).resolves.toBe("free");
  });
});

describe("temp files left by killed writers", () => {
  it("are removed by the next write once they are old; fresh and unrelated files stay", async () => {
    const path = join(dir, "tasks.json");
    await writeFile(path, JSON.stringify({ master: { tasks: [], metadata: {} } }));
    const longAgo = new Date(Date.now() - 3_600_000);
    for (const name of ["tasks.json.123456789", "tasks.json.42", "tasks.json.bak", "other.json.123"]) {
      await writeFile(join(dir, name), "{");
      await utimes(join(dir, name), longAgo, longAgo);
    }
    await writeFile(join(dir, "tasks.json.777"), "{"); // fresh: could be a write in flight elsewhere
    await updateTasksFile(path, {}, () => undefined);
    expect((await readdir(dir)).sort()).toEqual([
      "other.json.123",
      "tasks.json",
      "tasks.json.777",
      "tasks.json.bak",
    ]);
  });
});
