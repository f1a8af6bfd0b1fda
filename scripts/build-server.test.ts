/**
 * `npm run build` output as the container runs it: the bundle in `<app>/dist`, node_modules beside it, the
 * working directory outside the repository (so nothing may be read from the source tree), one service per
 * process chosen by SERVICE, stopped with SIGTERM.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killServiceProcesses, startServiceProcess } from "../functions/shared/testing/service-process.ts";
import {
  buildServer,
  DEFAULT_OUT_DIR,
  ENTRY_POINT,
  OUTPUT_ENTRY,
  OUTPUT_FILES,
  packageName,
  type ServerBuild,
  undeclaredImports,
} from "./build-server.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SERVICES = [
  { name: "tinyurl", portVariable: "TINYURL_PORT" },
  { name: "newsfeed", portVariable: "NEWSFEED_PORT" },
  { name: "docs", portVariable: "DOCS_PORT" },
] as const;

const scratch = mkdtempSync(join(tmpdir(), "canary-build-"));
/** Laid out like the image's /app: dist/ from the build, node_modules next to it. */
const app = join(scratch, "app");
const outDir = join(app, DEFAULT_OUT_DIR);
let built: ServerBuild;

beforeAll(async () => {
  mkdirSync(app);
  symlinkSync(join(ROOT, "node_modules"), join(app, "node_modules"), "dir");
  built = await buildServer(outDir);
});
afterEach(killServiceProcesses);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("buildServer", () => {
  it("writes the entry module and its source map, nothing else", () => {
    expect(built.outDir).toBe(outDir);
    expect(built.files).toEqual([...OUTPUT_FILES].sort());
    expect(readdirSync(outDir).sort()).toEqual([...OUTPUT_FILES].sort());
    const code = readFileSync(join(outDir, OUTPUT_ENTRY), "utf8");
    expect(code).toContain(`//# sourceMappingURL=${OUTPUT_ENTRY}.map`);
    const map = JSON.parse(readFileSync(join(outDir, `${OUTPUT_ENTRY}.map`), "utf8")) as {
      sources: string[];
    };
    expect(map.sources.some((s) => s.endsWith(ENTRY_POINT))).toBe(true);
  });

  it("bundles the source tree, client bundles included, and leaves npm packages as imports", () => {
    expect(built.inputs).toContain(ENTRY_POINT);
    expect(built.inputs).toContain("functions/docs/client/bundle.generated.ts");
    expect(built.inputs.every((input) => input.startsWith("functions/"))).toBe(true);
    expect(built.externals).toEqual(
      expect.arrayContaining(["@hono/node-server", "@libsql/client", "prom-client"]),
    );
  });

  it("imports only production dependencies and Node built-ins", () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(undeclaredImports(built.externals, dependencies)).toEqual([]);
  });

  it("rebuilds over its own output but refuses to clear a folder holding other files", async () => {
    const again = await buildServer(outDir);
    expect(again.files).toEqual(built.files);

    const other = join(scratch, "not-a-build");
    mkdirSync(other);
    writeFileSync(join(other, "notes.txt"), "keep me");
    await expect(buildServer(other)).rejects.toThrow(/not clearing it/);
    expect(readdirSync(other)).toEqual(["notes.txt"]);
  });
});

describe("undeclaredImports", () => {
  it("names packages that are neither built-ins nor production dependencies", () => {
    const dependencies = { hono: "4", "@hono/node-server": "2" };
    expect(
      undeclaredImports(
        ["node:fs", "path", "hono/jwt", "@hono/node-server/conninfo", "vitest", "@types/node"],
        dependencies,
      ),
    ).toEqual(["vitest", "@types/node"]);
  });

  it("reads the package name from a deep import", () => {
    expect(packageName("@hono/node-server/conninfo")).toBe("@hono/node-server");
    expect(packageName("hono/jwt")).toBe("hono");
    expect(packageName("ws")).toBe("ws");
  });
});

describe.each(SERVICES)("the built server with SERVICE=$name", ({ name, portVariable }) => {
  it("serves /healthz, /readyz and /metrics, runs only that service, and exits 0 on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(scratch, `data-${name}-`));
    const started = await startServiceProcess(
      { SERVICE: name, [portVariable]: "0", DATA_DIR: dataDir, HOST: "127.0.0.1" },
      { entry: join(outDir, OUTPUT_ENTRY), cwd: app },
    );
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const res = await fetch(`${started.url}${path}`);
      expect(res.status, `${name} ${path}`).toBe(200);
      if (path === "/healthz") expect(await res.json()).toMatchObject({ status: "ok", service: name });
      else if (path === "/metrics") expect(await res.text()).toContain(`service="${name}"`);
      else await res.body?.cancel();
    }
    expect(readdirSync(dataDir)).toContain(`${name}.db`);

    started.child.kill("SIGTERM");
    expect(await started.exited).toEqual({ code: 0, signal: null });
    const listening = started.output.filter((line) => line.includes('"msg":"listening"'));
    expect(listening).toHaveLength(1);
  });
});
