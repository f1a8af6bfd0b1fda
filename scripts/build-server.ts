/**
 * Bundles the Node server (functions/start.ts and everything it imports, the generated client bundles
 * included) into one ES module for the container: `dist/start.mjs` and its source map, nothing else.
 * npm packages stay imports (`packages: "external"`), resolved from node_modules at run time, so the build
 * fails when the bundle imports a package that `npm ci --omit=dev` would not install.
 *
 * Usage: npm run build [-- --outdir <dir>]   (tsx scripts/build-server.ts; default dist/)
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_OUT_DIR = "dist";
export const ENTRY_POINT = "functions/start.ts";
/** The file `node` runs, inside the output directory. */
export const OUTPUT_ENTRY = "start.mjs";
/** Every file a build writes; anything else in the output directory means it is not ours to clear. */
export const OUTPUT_FILES = [OUTPUT_ENTRY, `${OUTPUT_ENTRY}.map`] as const;

export interface ServerBuild {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  /** Source files bundled, relative to the repository root. */
  inputs: string[];
  /** Bare imports left for node_modules, as written (`hono/jwt`, `node:fs`). */
  externals: string[];
}

/** The npm package a bare import names (`@hono/node-server/conninfo` → `@hono/node-server`). */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Imports neither built into Node nor a production dependency (so missing from the image). */
export function undeclaredImports(externals: string[], dependencies: Record<string, string>): string[] {
  const builtins = new Set(builtinModules);
  return externals.filter(
    (specifier) =>
      !specifier.startsWith("node:") && !builtins.has(specifier) && !(packageName(specifier) in dependencies),
  );
}

/** Empties a previous build's output; refuses a folder holding anything a build does not write. */
async function clearOutDir(outDir: string): Promise<void> {
  const existing = await readdir(outDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  const foreign = existing.filter((name) => !(OUTPUT_FILES as readonly string[]).includes(name));
  if (foreign.length > 0) {
    throw new Error(`${outDir} holds files a build does not write (${foreign.join(", ")}); not clearing it`);
  }
  for (const name of existing) await rm(join(outDir, name), { force: true });
}

/** Bundles the server into `outDir` (absolute, or relative to the repository root). */
export async function buildServer(outDir: string = DEFAULT_OUT_DIR): Promise<ServerBuild> {
  const out = resolve(ROOT, outDir);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: ENTRY_POINT, out: basename(OUTPUT_ENTRY, ".mjs") }],
    outdir: out,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: true,
    // Class and function names show in logs and error names; keep them as written.
    keepNames: true,
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const externals = [
    ...new Set(
      Object.values(result.metafile.outputs).flatMap((o) =>
        o.imports.filter((i) => i.external).map((i) => i.path),
      ),
    ),
  ].sort();
  const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const missing = undeclaredImports(externals, manifest.dependencies ?? {});
  if (missing.length > 0) {
    throw new Error(
      `the server imports packages that are not production dependencies: ${missing.join(", ")}`,
    );
  }
  const files = result.outputFiles.map((f) => relative(out, f.path)).sort();
  const unexpected = files.filter((f) => !(OUTPUT_FILES as readonly string[]).includes(f));
  if (unexpected.length > 0) throw new Error(`esbuild produced unexpected files: ${unexpected.join(", ")}`);

  await clearOutDir(out);
  await mkdir(out, { recursive: true });
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  return { outDir: out, files, inputs, externals };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { outdir: { type: "string", default: DEFAULT_OUT_DIR } } });
  const built = await buildServer(values.outdir);
  console.log(`wrote ${built.files.map((f) => join(built.outDir, f)).join(", ")}`);
}
