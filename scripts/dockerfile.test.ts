// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text with ${ARG} references, not templates
/**
 * The Dockerfile, checked without a Docker engine: parsed, then held to the image's rules against the real
 * build context, .dockerignore and a real `npm run build` (its output folder, files and bundled inputs).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../functions/shared/config.ts";
import { buildServer, DEFAULT_OUT_DIR, type ServerBuild } from "./build-server.ts";
import {
  checkDockerfile,
  dockerignore,
  execForm,
  expand,
  type ImageExpectations,
  parseDockerfile,
  stagesOf,
} from "./dockerfile.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const DOCKERIGNORE = readFileSync(join(ROOT, ".dockerignore"), "utf8");
const defaults = loadConfig({});

const scratch = mkdtempSync(join(tmpdir(), "canary-dockerfile-"));
let built: ServerBuild;
beforeAll(async () => {
  built = await buildServer(join(scratch, DEFAULT_OUT_DIR));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function expectations(overrides: Partial<ImageExpectations> = {}): ImageExpectations {
  return {
    dockerfile: DOCKERFILE,
    dockerignore: DOCKERIGNORE,
    context: (path) => {
      const full = join(ROOT, path);
      if (!existsSync(full)) return undefined;
      return statSync(full).isDirectory() ? "folder" : "file";
    },
    build: { command: "npm run build", outDir: DEFAULT_OUT_DIR, files: built.files, inputs: built.inputs },
    services: ["tinyurl", "newsfeed", "docs"],
    ports: [defaults.TINYURL_PORT, defaults.NEWSFEED_PORT, defaults.DOCS_PORT],
    ...overrides,
  };
}

/** The real Dockerfile with one piece of text replaced (the piece must be there). */
function mutated(from: string | RegExp, to: string): string {
  const result = DOCKERFILE.replace(from, to);
  expect(result, `mutation ${from} did not apply`).not.toBe(DOCKERFILE);
  return result;
}

describe("the Dockerfile", () => {
  it("keeps every rule", () => {
    expect(checkDockerfile(expectations())).toEqual([]);
  });

  it("runs `npm run build`, which is scripts/build-server.ts", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.build).toBe("tsx scripts/build-server.ts");
  });

  it("is multi-stage: deps, build, then a runtime stage from an image, not from the build", () => {
    const stages = stagesOf(parseDockerfile(DOCKERFILE));
    expect(stages.map((s) => s.name)).toEqual(["deps", "build", "runtime"]);
    expect(stages[1]!.parent?.name).toBe("deps");
    expect(stages[2]!.parent).toBeUndefined();
    expect(stages[2]!.base).toMatch(/^node:20-/);
  });
});

describe("checkDockerfile catches", () => {
  it.each([
    [
      "a single stage",
      /^FROM \$\{NODE_IMAGE\} AS runtime$/m,
      "FROM build AS runtime",
      /starts FROM stage "build"/,
    ],
    [
      "a runtime that is not Node 20",
      /ARG NODE_IMAGE=node:20-bookworm-slim/,
      "ARG NODE_IMAGE=node:22-slim",
      /not a small official Node 20/,
    ],
    [
      "a full-size runtime image",
      /ARG NODE_IMAGE=node:20-bookworm-slim/,
      "ARG NODE_IMAGE=node:20",
      /not a small official Node 20/,
    ],
    ["root", /^USER 10001:10001$/m, "USER root", /USER root is not a numeric non-root UID/],
    ["no USER", /^USER 10001:10001$/m, "", /USER \(unset: root\)/],
    ["UID 0", /^USER 10001:10001$/m, "USER 0", /USER 0 is not/],
    ["dev dependencies at run time", "npm ci --omit=dev", "npm ci", /installs dev dependencies/],
    [
      "a missing context file",
      "COPY tsconfig.json ./",
      "COPY tsconfig.build.json ./",
      /tsconfig.build.json is not in the build context/,
    ],
    [
      "an ignored context file",
      "COPY tsconfig.json ./",
      "COPY tsconfig.json PRD.md ./",
      /PRD.md is excluded by .dockerignore/,
    ],
    [
      "sources the build cannot see",
      "COPY functions ./functions",
      "COPY functions/tinyurl ./functions/tinyurl",
      /functions\/start.ts is bundled but not copied/,
    ],
    [
      "sources copied to the wrong place",
      "COPY functions ./functions",
      "COPY functions ./src",
      /not copied to \/app\/functions\//,
    ],
    [
      "a different output folder",
      "COPY --from=build /app/dist ./dist",
      "COPY --from=build /app/build ./dist",
      /not the build output \/app\/dist/,
    ],
    [
      "a copy from the deps stage",
      "COPY --from=build /app/dist",
      "COPY --from=deps /app/dist",
      /from deps, not the build output/,
    ],
    [
      "an unknown stage",
      "COPY --from=build /app/dist",
      "COPY --from=builder /app/dist",
      /--from=builder names no earlier stage/,
    ],
    ["no build", "RUN npm run build", "RUN npx tsc", /no stage runs "npm run build"/],
    [
      "a CMD entry the build does not write",
      '"dist/start.mjs"',
      '"dist/server.js"',
      /but the build writes only start.mjs, start.mjs.map/,
    ],
    [
      "a CMD outside the copied output",
      '"dist/start.mjs"',
      '"functions/start.ts"',
      /which no COPY --from the build stage provides/,
    ],
    ["a shell-form CMD", 'CMD ["node", "dist/start.mjs"]', "CMD node dist/start.mjs", /shell form/],
    ["a missing NODE_ENV", "NODE_ENV=production", "NODE_ENV=development", /NODE_ENV is not production/],
    ["an unknown SERVICE default", "ARG SERVICE=tinyurl", "ARG SERVICE=shop", /SERVICE "shop" is not one of/],
    ["an unexposed port", "EXPOSE 5000 5001 5002", "EXPOSE 5000 5001", /port 5002 is not EXPOSEd/],
    [
      "source code in the runtime",
      "COPY --from=build /app/dist ./dist",
      "COPY --from=build /app/dist ./dist\nCOPY functions ./functions",
      /runtime copies functions from the context/,
    ],
  ] as const)("%s", (_, from, to, problem) => {
    const problems = checkDockerfile(expectations({ dockerfile: mutated(from, to) }));
    expect(problems).toContainEqual(expect.stringMatching(problem));
  });

  it("a Dockerfile with one stage", () => {
    expect(
      checkDockerfile(expectations({ dockerfile: 'FROM node:20-slim\nCMD ["node", "x.js"]\n' })),
    ).toEqual(["not a multi-stage build"]);
  });

  it("a .dockerignore that hides the bundled sources", () => {
    const problems = checkDockerfile(expectations({ dockerignore: `${DOCKERIGNORE}\nfunctions/shared\n` }));
    expect(problems).toContain("functions/shared/config.ts is bundled but excluded by .dockerignore");
  });
});

describe("parseDockerfile", () => {
  it("joins continuation lines, drops comments (even inside them) and keeps the first line number", () => {
    const parsed = parseDockerfile(
      '# top\nFROM node:20-slim AS a\n\nRUN echo one \\\n  # inside\n  && echo two\nenv A=1 B="two words"\n',
    );
    expect(parsed).toEqual([
      { keyword: "FROM", args: "node:20-slim AS a", line: 2 },
      { keyword: "RUN", args: "echo one && echo two", line: 4 },
      { keyword: "ENV", args: 'A=1 B="two words"', line: 7 },
    ]);
  });

  it("refuses what it does not understand", () => {
    expect(() => parseDockerfile("# escape=`\nFROM node:20-slim\n")).toThrow(/escape directive/);
    expect(() => parseDockerfile("FROM node:20-slim\nRUN <<EOF\necho\nEOF\n")).toThrow(/heredocs/);
    expect(() => parseDockerfile("FROM node:20-slim\nRUN echo \\\n")).toThrow(/continuation/);
    expect(() => stagesOf(parseDockerfile("RUN echo\nFROM node:20-slim\n"))).toThrow(/before the first FROM/);
  });

  it("tracks ARG, ENV, WORKDIR, USER and COPY per stage", () => {
    const [, second] = stagesOf(
      parseDockerfile(
        [
          "ARG BASE=node:20-slim",
          "FROM ${BASE} AS one",
          "WORKDIR /app",
          "ENV A=1",
          "FROM one AS two",
          "ARG NAME=x",
          'ENV B="$NAME y" C=${MISSING:-fallback}',
          "WORKDIR sub",
          "COPY --chown=1:1 a b ./",
          'COPY ["c", "/d"]',
          "USER 7",
        ].join("\n"),
      ),
    );
    expect(second).toMatchObject({
      name: "two",
      base: "one",
      env: { A: "1", B: "x y", C: "fallback" },
      workdir: "/app/sub",
      user: "7",
      copies: [
        { from: undefined, sources: ["a", "b"], dest: "/app/sub/", line: 9 },
        { from: undefined, sources: ["c"], dest: "/d", line: 10 },
      ],
    });
    expect(second!.parent?.base).toBe("node:20-slim");
  });

  it("tells exec form from shell form and expands variables", () => {
    expect(execForm('["node", "a.mjs"]')).toEqual(["node", "a.mjs"]);
    expect(execForm("node a.mjs")).toBeUndefined();
    expect(expand("$A-${B}-${C:-c}", { A: "a", B: "b" })).toBe("a-b-c");
  });
});

describe("dockerignore", () => {
  const ignored = dockerignore("# comment\nnode_modules\n/dist/\n**/*.test.ts\ndocs\n*.md\n!README.md\n");

  it.each([
    ["node_modules", true],
    ["node_modules/hono/package.json", true],
    ["dist/start.mjs", true],
    ["functions/docs/app.test.ts", true],
    ["x.test.ts", true],
    ["docs/guide.md", true],
    ["PRD.md", true],
    ["README.md", false],
    ["functions/docs/app.ts", false],
    ["functions/node_modules", false],
    ["docs.ts", false],
  ])("%s → ignored: %s", (path, expected) => {
    expect(ignored(path)).toBe(expected);
  });
});
