/**
 * A static check of the Dockerfile, for machines with no Docker engine: a small parser (line continuations,
 * comments, exec/shell forms, `${ARG}` substitution), .dockerignore matching, and the rules the image must
 * keep (see `checkDockerfile`). Heredocs, `# escape=` and wildcard COPY sources are not supported: the
 * parser refuses them rather than guessing.
 */
import { posix } from "node:path";

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions in order; continuation lines joined, comments and blank lines dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (/^#\s*escape\s*=/i.test(trimmed) && instructions.length === 0)
      throw new Error("the escape directive is not supported");
    // Comment and blank lines are dropped even inside a continued instruction, as Docker does.
    if (trimmed.startsWith("#") || trimmed === "") return;
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, "") : raw;
    pending = pending
      ? { ...pending, text: `${pending.text.trimEnd()} ${body.trim()}` }
      : { text: body, line: index + 1 };
    if (continued) return;
    const match = /^\s*(\S+)\s*(.*)$/.exec(pending.text)!;
    if (/<<-?["']?\w+/.test(match[2]!)) throw new Error(`line ${pending.line}: heredocs are not supported`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = undefined;
  });
  if (pending) throw new Error(`line ${pending.line}: the last instruction ends with a continuation`);
  return instructions;
}

/** `${NAME}`, `${NAME:-default}` and `$NAME` replaced from `vars` (unknown names become ""). */
export function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (_, braced, fallback, bare) => {
    const found = vars[braced ?? bare];
    return found !== undefined && found !== "" ? found : (fallback ?? "");
  });
}

/** Whitespace-separated words, double or single quotes grouping (ENV, ARG, EXPOSE, shell-form args). */
function words(args: string): string[] {
  return [...args.matchAll(/(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+/g)].map((m) =>
    m[0].replace(/"((?:\\.|[^"\\])*)"|'([^']*)'/g, (_, dq, sq) => dq?.replace(/\\(.)/g, "$1") ?? sq),
  );
}

/** Exec form (`["node", "x"]`) as its array; shell form as undefined. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((s) => typeof s === "string") ? parsed : undefined;
}

export interface Copy {
  /** Stage name or index a `--from` names; undefined for the build context. */
  from: string | undefined;
  sources: string[];
  /** Absolute destination in the image; ends with "/" when it is a folder for sure. */
  dest: string;
  line: number;
}

/** One FROM and what follows it, with the state the image has at its end. */
export interface Stage {
  name: string | undefined;
  base: string;
  /** The earlier stage this one is built FROM, if any (its files and settings carry over). */
  parent: Stage | undefined;
  copies: Copy[];
  runs: { command: string; workdir: string; line: number }[];
  env: Record<string, string>;
  workdir: string;
  user: string | undefined;
  /** CMD's arguments as written. */
  cmd: string | undefined;
  exposed: number[];
}

/** Stages in order, FROM lines resolved with the global ARGs, each stage's ENV/WORKDIR/USER/COPY tracked. */
export function stagesOf(instructions: Instruction[]): Stage[] {
  const globals: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  let vars: Record<string, string> = {};
  for (const { keyword, args, line } of instructions) {
    if (keyword === "FROM") {
      const [image, as, name] = words(args).filter((w) => !w.startsWith("--"));
      const base = expand(image ?? "", globals);
      const parent = stages.find((s) => s.name !== undefined && s.name === base.toLowerCase());
      stage = {
        name: as?.toUpperCase() === "AS" ? name?.toLowerCase() : undefined,
        base,
        parent,
        copies: [],
        runs: [],
        env: { ...parent?.env },
        workdir: parent?.workdir ?? "/",
        user: parent?.user,
        cmd: parent?.cmd,
        exposed: [...(parent?.exposed ?? [])],
      };
      stages.push(stage);
      vars = { ...stage.env };
      continue;
    }
    if (!stage) {
      if (keyword !== "ARG") throw new Error(`line ${line}: ${keyword} before the first FROM`);
      for (const [key, value = ""] of words(args).map((w) => w.split(/=(.*)/s))) globals[key!] = value;
      continue;
    }
    applyInstruction(stage, vars, globals, { keyword, args, line });
  }
  return stages;
}

function applyInstruction(
  stage: Stage,
  vars: Record<string, string>,
  globals: Record<string, string>,
  { keyword, args, line }: Instruction,
): void {
  switch (keyword) {
    case "ARG":
      for (const [key, value] of words(args).map((w) => w.split(/=(.*)/s))) {
        // A stage ARG without a default takes the global one of the same name.
        vars[key!] = value !== undefined ? expand(value, vars) : (globals[key!] ?? "");
      }
      break;
    case "ENV": {
      const parts = words(args);
      const pairs = parts[0]?.includes("=")
        ? parts.map((w) => w.split(/=(.*)/s))
        : [[parts[0], args.slice(parts[0]!.length).trim()]];
      for (const [key, value = ""] of pairs) {
        stage.env[key!] = expand(value, vars);
        vars[key!] = stage.env[key!]!;
      }
      break;
    }
    case "WORKDIR":
      stage.workdir = posix.resolve(stage.workdir, expand(args, vars));
      break;
    case "USER":
      stage.user = expand(args, vars);
      break;
    case "CMD":
      stage.cmd = args;
      break;
    case "EXPOSE":
      stage.exposed.push(...words(args).map((w) => Number.parseInt(w, 10)));
      break;
    case "RUN":
      stage.runs.push({ command: expand(args, vars), workdir: stage.workdir, line });
      break;
    case "COPY":
    case "ADD": {
      const all = execForm(args) ?? words(args);
      const flags = all.filter((w) => w.startsWith("--"));
      const paths = all.filter((w) => !w.startsWith("--")).map((p) => expand(p, vars));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      const dest = paths.pop() ?? "";
      const absolute = posix.resolve(stage.workdir, dest);
      const folder = dest.endsWith("/") || dest === "." || paths.length > 1;
      stage.copies.push({
        from: from?.toLowerCase(),
        sources: paths,
        dest: folder ? `${absolute}/` : absolute,
        line,
      });
      break;
    }
  }
}

/** Where `file` (under `source`, or `source` itself) lands in the image for one COPY; undefined if not covered. */
export function copiedTo(
  copy: Copy,
  source: string,
  file: string,
  sourceIsFolder: boolean,
): string | undefined {
  const from = posix.normalize(source).replace(/\/$/, "");
  if (sourceIsFolder) {
    if (file !== from && !file.startsWith(`${from}/`)) return undefined;
    return posix.join(copy.dest, posix.relative(from, file));
  }
  if (file !== from) return undefined;
  return copy.dest.endsWith("/") ? posix.join(copy.dest, posix.basename(from)) : copy.dest;
}

/** A .dockerignore as a predicate on context-relative paths: last matching rule wins, `!` re-includes. */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const include = l.startsWith("!");
      const pattern = posix.normalize(l.slice(include ? 1 : 0).trim()).replace(/^\/+|\/+$/g, "");
      const source = pattern
        .split("/")
        .map((segment) =>
          segment === "**"
            ? "(?:.*)"
            : segment
                .replace(/[.+^${}()|\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")
        .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
      return { include, regex: new RegExp(`^${source}$`) };
    });
  return (path) => {
    const clean = posix.normalize(path).replace(/^\.\/|\/$/g, "");
    // A path is excluded when it, or a folder holding it, matches.
    const prefixes = clean.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.regex.test(p))) ignored = !rule.include;
    return ignored;
  };
}

export interface ImageExpectations {
  dockerfile: string;
  dockerignore: string;
  /** What a context-relative path is in the build context, if it exists. */
  context: (path: string) => "file" | "folder" | undefined;
  /** What `npm run build` does: the command, its output folder (context-relative), files and inputs. */
  build: { command: string; outDir: string; files: string[]; inputs: string[] };
  services: string[];
  ports: number[];
}

const SMALL_NODE_20 =
  /^(docker\.io\/(library\/)?)?node:20(\.\d+){0,2}-[a-z0-9.-]*(slim|alpine[0-9.]*)(@sha256:[0-9a-f]{64})?$/;
const NPM_INSTALLS = /\bnpm\s+(?:ci|install|i)\b[^&;|]*/g;

/** Every way the Dockerfile breaks the image's rules; [] when it keeps them all. */
export function checkDockerfile(image: ImageExpectations): string[] {
  const problems: string[] = [];
  const stages = stagesOf(parseDockerfile(image.dockerfile));
  const ignored = dockerignore(image.dockerignore);
  const runtime = stages.at(-1);
  if (!runtime || stages.length < 2) return ["not a multi-stage build"];
  const stageNamed = (ref: string, before: Stage) =>
    stages.slice(0, stages.indexOf(before)).find((s, i) => s.name === ref || String(i) === ref);

  if (runtime.parent)
    problems.push(`the runtime stage starts FROM stage "${runtime.parent.name}" (and its dev files)`);
  if (!SMALL_NODE_20.test(runtime.base))
    problems.push(`runtime image ${runtime.base} is not a small official Node 20 image`);
  if (!/^[1-9]\d*(:\d+)?$/.test(runtime.user ?? ""))
    problems.push(`runtime USER ${runtime.user ?? "(unset: root)"} is not a numeric non-root UID`);
  if (runtime.env.NODE_ENV !== "production") problems.push("runtime NODE_ENV is not production");
  if (!image.services.includes(runtime.env.SERVICE ?? ""))
    problems.push(
      `runtime SERVICE "${runtime.env.SERVICE ?? ""}" is not one of ${image.services.join(", ")}`,
    );
  for (const port of image.ports)
    if (!runtime.exposed.includes(port)) problems.push(`port ${port} is not EXPOSEd`);

  const installs = runtime.runs.flatMap((r) => r.command.match(NPM_INSTALLS) ?? []);
  if (!installs.some((i) => /^npm\s+ci\b/.test(i))) problems.push("the runtime stage does not run npm ci");
  for (const install of installs)
    if (!/--omit[= ]dev\b/.test(install))
      problems.push(`runtime "${install.trim()}" installs dev dependencies`);

  for (const stage of stages) {
    for (const copy of stage.copies) {
      if (copy.from !== undefined) {
        if (!stageNamed(copy.from, stage))
          problems.push(`line ${copy.line}: --from=${copy.from} names no earlier stage`);
        continue;
      }
      for (const source of copy.sources) {
        if (/[*?[]/.test(source)) problems.push(`line ${copy.line}: wildcard source ${source} (not checked)`);
        else if (!image.context(source))
          problems.push(`line ${copy.line}: ${source} is not in the build context`);
        else if (ignored(source)) problems.push(`line ${copy.line}: ${source} is excluded by .dockerignore`);
      }
    }
  }

  const builder = stages.find((s) =>
    s.runs.some((r) => r.command.split(/&&|;/).some((c) => c.trim() === image.build.command)),
  );
  if (!builder) return [...problems, `no stage runs "${image.build.command}"`];
  const buildDir = builder.runs.find((r) => r.command.includes(image.build.command))!.workdir;
  const outDir = posix.join(buildDir, image.build.outDir);

  // The bundle's inputs must reach the build stage at the paths the build script reads them from.
  const chain: Stage[] = [];
  for (let s: Stage | undefined = builder; s; s = s.parent) chain.push(s);
  const contextCopies = chain.flatMap((s) => s.copies.filter((c) => c.from === undefined));
  for (const input of image.build.inputs) {
    if (ignored(input)) problems.push(`${input} is bundled but excluded by .dockerignore`);
    const target = posix.join(buildDir, input);
    const copied = contextCopies.some((c) =>
      c.sources.some((s) => copiedTo(c, s, input, image.context(s) === "folder") === target),
    );
    if (!copied) problems.push(`${input} is bundled but not copied to ${target} in the build stage`);
  }

  const fromBuild = runtime.copies.filter((c) => c.from !== undefined);
  for (const copy of fromBuild) {
    const wrong = copy.sources.filter((s) => posix.normalize(s).replace(/\/$/, "") !== outDir);
    if (stageNamed(copy.from!, runtime) !== builder || wrong.length > 0) {
      problems.push(
        `line ${copy.line}: the runtime copies ${copy.sources.join(", ")} from ${copy.from}, not the build output ${outDir}`,
      );
    }
  }
  for (const copy of runtime.copies.filter((c) => c.from === undefined)) {
    const extra = copy.sources.filter((s) => !["package.json", "package-lock.json"].includes(s));
    if (extra.length > 0)
      problems.push(`line ${copy.line}: the runtime copies ${extra.join(", ")} from the context`);
  }

  const cmd = runtime.cmd && execForm(runtime.cmd);
  if (!cmd) return [...problems, "CMD is missing or in shell form (SIGTERM would reach /bin/sh, not node)"];
  const entry = posix.resolve(runtime.workdir, cmd.at(-1)!);
  const provided = fromBuild
    .map((c) => copiedTo(c, c.sources[0]!, outDir, true))
    .find((dest) => dest !== undefined && entry.startsWith(`${dest}/`));
  if (cmd[0] !== "node") problems.push(`CMD runs ${cmd[0]}, not node`);
  if (!provided) problems.push(`CMD runs ${entry}, which no COPY --from the build stage provides`);
  else if (!image.build.files.includes(posix.relative(provided, entry)))
    problems.push(`CMD runs ${entry}, but the build writes only ${image.build.files.join(", ")}`);
  return problems;
}
