/**
 * tasks.json on disk, in either of task-master's layouts:
 * - tagged (current): `{"master": {"tasks": [...], "metadata": {...}}, "feature-x": {...}}`
 * - flat (legacy):    `{"tasks": [...], "metadata"?: {...}}`
 * A file is written back in the layout it was read in; new files are tagged. Only the selected tag is
 * normalized; other tags and unknown top-level keys are written back exactly as they were read.
 *
 * Writes go to a temp file that is renamed over the target (write-file-atomic), so a reader or a process
 * killed mid-write only ever sees a whole old or a whole new file. Read-modify-write cycles hold a lock
 * (proper-lockfile, `<file>.lock`) so two canary processes never lose each other's updates; a lock left
 * by a killed process goes stale (its mtime stops being refreshed) and is taken over, and the temp file
 * such a process may leave is removed by a later write.
 */
import { mkdir, readdir, readFile, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { DEFAULT_TAG, type TagData } from "./model.ts";
import { isRecord, normalizeTaskList, TasksFileError } from "./normalize.ts";

export { TasksFileError } from "./normalize.ts";

export type FileFormat = "tagged" | "flat";

export interface TasksFile {
  path: string;
  format: FileFormat;
  tag: string;
  /** The selected tag, normalized. Mutate it, then write the file. */
  data: TagData;
  /** The whole file as parsed; other tags are taken from here untouched when writing. */
  root: Record<string, unknown>;
  /** False when the file (or, for tagged files, the tag) did not exist and `allowMissing` was given. */
  existed: boolean;
}

export interface ReadOptions {
  tag?: string;
  /** Start from an empty task list when the file or the tag does not exist (commands that create). */
  allowMissing?: boolean;
}

export interface LockTuning {
  /** Age in ms after which a lock nobody refreshes counts as abandoned (proper-lockfile's minimum is 2000). */
  staleMs?: number;
}

const DEFAULT_STALE_MS = 10_000;

function emptyTag(tag: string): TagData {
  const now = new Date().toISOString();
  return { tasks: [], metadata: { created: now, updated: now, description: `Tasks for ${tag} context` } };
}

function isFlat(root: Record<string, unknown>): boolean {
  return Array.isArray(root.tasks);
}

/** Reads and normalizes `tag` of the file at `path`; errors name the file and say what is wrong. */
export async function readTasksFile(path: string, options: ReadOptions = {}): Promise<TasksFile> {
  const tag = options.tag ?? DEFAULT_TAG;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (!options.allowMissing) {
      throw new TasksFileError(`${path}: no such tasks file (create it with \`canary parse-prd <prd.md>\`)`);
    }
    return { path, format: "tagged", tag, data: emptyTag(tag), root: {}, existed: false };
  }
  return parseTasksText(path, text, { ...options, tag });
}

export function parseTasksText(path: string, text: string, options: ReadOptions = {}): TasksFile {
  const tag = options.tag ?? DEFAULT_TAG;
  let root: unknown;
  try {
    // A BOM from Windows editors is not part of the JSON.
    root = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new TasksFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(root)) throw new TasksFileError(`${path}: expected a JSON object at the top level`);

  if (isFlat(root)) {
    if (tag !== DEFAULT_TAG) {
      throw new TasksFileError(`${path}: the file uses the flat (untagged) format and has no tag "${tag}"`);
    }
    const metadata = isRecord(root.metadata) ? root.metadata : {};
    const tasks = normalizeTaskList(root.tasks, path, "tasks");
    return { path, format: "flat", tag, data: { tasks, metadata }, root, existed: true };
  }

  const tagged = root[tag];
  if (tagged === undefined) {
    if (!options.allowMissing) {
      const tags = Object.keys(root);
      const known = tags.length > 0 ? ` (tags in the file: ${tags.join(", ")})` : " (the file has no tags)";
      throw new TasksFileError(`${path}: no tag "${tag}"${known}`);
    }
    return { path, format: "tagged", tag, data: emptyTag(tag), root, existed: false };
  }
  if (!isRecord(tagged)) throw new TasksFileError(`${path}: tag "${tag}" is not an object`);
  const tasks = normalizeTaskList(tagged.tasks ?? [], path, `tag "${tag}"`);
  const metadata = isRecord(tagged.metadata) ? tagged.metadata : {};
  return { path, format: "tagged", tag, data: { ...tagged, tasks, metadata }, root, existed: true };
}

/** The file's new text: the selected tag replaced, everything else as it was read. */
export function serializeTasksFile(file: TasksFile): string {
  const now = new Date().toISOString();
  let root: Record<string, unknown>;
  if (file.format === "flat") {
    // Flat files only carry metadata when they already had some.
    const metadata = isRecord(file.root.metadata) ? { ...file.data.metadata, updated: now } : undefined;
    root = { ...file.root, tasks: file.data.tasks, ...(metadata ? { metadata } : {}) };
  } else {
    const data = { ...file.data, metadata: { ...file.data.metadata, updated: now } };
    root = { ...file.root, [file.tag]: data };
  }
  return `${JSON.stringify(root, null, 2)}\n`;
}

/**
 * Runs `fn` while holding the lock on `path`. Waits for a live holder for a while, and takes over a lock
 * whose holder died (stale after `staleMs`).
 */
export async function withTasksFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  tuning: LockTuning = {},
): Promise<T> {
  const staleMs = Math.max(tuning.staleMs ?? DEFAULT_STALE_MS, 2000);
  await mkdir(dirname(path), { recursive: true });
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false, // the file may not exist yet
      stale: staleMs,
      // Keep retrying for longer than `stale`, so an abandoned lock is always recovered before giving up.
      retries: { retries: Math.ceil((staleMs + 5000) / 100), factor: 1, minTimeout: 100, maxTimeout: 100 },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new TasksFileError(
        `${path}: locked by another canary process (if none is running, remove ${path}.lock)`,
      );
    }
    throw error;
  }
  let result: T;
  try {
    result = await fn();
  } finally {
    await release().catch(() => undefined); // a compromised lock is already gone
  }
  // Losing the lock mid-cycle means another process may have written too: say so instead of passing.
  if (compromised) throw new TasksFileError(`${path}: lost the lock while writing (${compromised.message})`);
  return result;
}

/** Writes `file` atomically (temp file + rename). Call inside withTasksFileLock for read-modify-write. */
export async function writeTasksFileUnlocked(file: TasksFile): Promise<void> {
  await mkdir(dirname(file.path), { recursive: true });
  await writeFileAtomic(file.path, serializeTasksFile(file), { encoding: "utf8" });
  file.existed = true;
  await removeAbandonedTempFiles(file.path);
}

/** A write takes milliseconds; a temp file this old was left by a killed writer. */
const ABANDONED_TEMP_MS = 60_000;

/**
 * write-file-atomic names its temp file `<file>.<number>`; a writer killed before the rename leaves it
 * behind. Only called under the lock, so no canary write is in flight.
 */
async function removeAbandonedTempFiles(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d+$/.test(name.slice(prefix.length))) continue;
    const temp = join(dirname(path), name);
    const info = await stat(temp).catch(() => undefined);
    if (info?.isFile() && Date.now() - info.mtimeMs > ABANDONED_TEMP_MS)
      await unlink(temp).catch(() => undefined);
  }
}

/**
 * Locked read-modify-write: reads `path`, lets `mutate` change the selected tag's data in place, and
 * writes the result atomically. `mutate` returns whatever the caller wants back; returning `false`
 * skips the write (nothing changed).
 */
export async function updateTasksFile<T>(
  path: string,
  options: ReadOptions & LockTuning,
  mutate: (data: TagData, file: TasksFile) => T | Promise<T>,
): Promise<T> {
  return withTasksFileLock(
    path,
    async () => {
      const file = await readTasksFile(path, options);
      const result = await mutate(file.data, file);
      if (result !== false) await writeTasksFileUnlocked(file);
      return result;
    },
    options,
  );
}
