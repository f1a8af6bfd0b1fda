/**
 * Child process for the kill-during-write test: rewrites a large tasks file through the store, forever.
 * Each write stamps every task with the next generation number, so a reader can tell a whole file from a
 * mix of two. Prints `writing <generation>` when the new content is ready (the write is about to start)
 * and `wrote <generation>` after each completed write, so the test can aim its kills at the write.
 *
 * usage: node --import tsx write-loop.ts <tasks.json> <staleMs>
 */
import { writeSync } from "node:fs";
import { updateTasksFile } from "../store.ts";

const [file, staleMs] = process.argv.slice(2);
if (!file) throw new Error("usage: write-loop.ts <tasks.json> <staleMs>");

for (;;) {
  const generation = await updateTasksFile(file, { staleMs: Number(staleMs ?? 2000) }, (data) => {
    const next = Number(data.metadata.generation ?? 0) + 1;
    for (const task of data.tasks) task.details = `generation ${next} ${"x".repeat(1000)}`;
    data.metadata.generation = next;
    writeSync(1, `writing ${next}\n`); // synchronous: the line is out before the write begins
    return next;
  });
  process.stdout.write(`wrote ${generation}\n`);
}
