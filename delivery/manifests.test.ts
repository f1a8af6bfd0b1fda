import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  describeDocument,
  field,
  listManifestFiles,
  loadManifestFile,
  loadManifestTree,
  ManifestError,
  parseManifests,
} from "./manifests.ts";

const scratch = mkdtempSync(join(tmpdir(), "canary-manifests-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const file = join(scratch, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe("parseManifests", () => {
  it("returns every mapping document with its file and position", () => {
    const text = "kind: A\n---\nkind: B\nmetadata: {name: b}\n";
    expect(parseManifests(text, "two.yaml")).toEqual([
      { file: "two.yaml", index: 0, object: { kind: "A" } },
      { file: "two.yaml", index: 1, object: { kind: "B", metadata: { name: "b" } } },
    ]);
  });

  it("skips empty, list and scalar documents but keeps the others' positions", () => {
    const text = "---\n# nothing but a comment\n---\n- op: add\n---\njust text\n---\nkind: C\n";
    const documents = parseManifests(text, "mixed.yaml");
    expect(documents).toEqual([{ file: "mixed.yaml", index: 3, object: { kind: "C" } }]);
    expect(parseManifests("", "empty.yaml")).toEqual([]);
  });

  it("names the file and the document of a syntax error", () => {
    const text = "kind: A\n---\nkind: [unclosed\n";
    const thrown = (() => {
      try {
        parseManifests(text, "broken.yaml");
      } catch (err) {
        return err;
      }
    })() as ManifestError;
    expect(thrown).toBeInstanceOf(ManifestError);
    expect(thrown.file).toBe("broken.yaml");
    expect(thrown.index).toBe(1);
    expect(thrown.message).toMatch(/^broken\.yaml\[1\]: /);
  });

  it("refuses duplicate keys", () => {
    expect(() => parseManifests("kind: A\nkind: B\n", "dup.yaml")).toThrow(/dup\.yaml\[0\].*unique/);
  });

  it.each([
    ["a YAML 1.1 boolean", "data:\n  enabled: on\n", "/data/enabled"],
    ["a YAML 1.1 octal", "spec:\n  mode: 0755\n", "/spec/mode"],
    [
      "a YAML 1.1 timestamp",
      "metadata:\n  annotations:\n    since: 2024-01-01\n",
      "/metadata/annotations/since",
    ],
  ])("refuses %s, which kubectl and kustomize would read differently", (_, text, path) => {
    expect(() => parseManifests(text, "ambiguous.yaml")).toThrow(
      `ambiguous.yaml[0]: ${path} reads differently in YAML 1.1 and 1.2; quote the value`,
    );
  });

  it("accepts the same values quoted", () => {
    const [document] = parseManifests('data:\n  enabled: "on"\n  mode: "0755"\n', "quoted.yaml");
    expect(document?.object).toEqual({ data: { enabled: "on", mode: "0755" } });
  });

  it("expands anchors and aliases", () => {
    const text = "a: &x {b: 1}\nc: *x\n";
    expect(parseManifests(text, "alias.yaml")[0]?.object).toEqual({ a: { b: 1 }, c: { b: 1 } });
  });
});

describe("loading files and folders", () => {
  it("loads a file by its path", () => {
    const file = write("one/single.yaml", "kind: A\n");
    expect(loadManifestFile(file)).toEqual([{ file, index: 0, object: { kind: "A" } }]);
  });

  it("walks a folder tree in name order, manifests only, hidden folders skipped", () => {
    const root = join(scratch, "tree");
    write("tree/b.yaml", "kind: B\n");
    write("tree/a/z.yml", "kind: Z\n");
    write("tree/a/readme.md", "kind: not yaml\n");
    write("tree/dashboard.json", '{"kind": "json"}');
    write("tree/.hidden/x.yaml", "kind: Hidden\n");
    expect(listManifestFiles(root)).toEqual([join(root, "a/z.yml"), join(root, "b.yaml")]);
    expect(loadManifestTree(root).map((d) => d.object.kind)).toEqual(["Z", "B"]);
    expect(listManifestFiles(root, [".json"])).toEqual([join(root, "dashboard.json")]);
  });
});

describe("field and descriptions", () => {
  const object = { kind: "Service", metadata: { name: "web" }, spec: { ports: [{ port: 80 }] } };

  it("reads nested fields and lists, undefined when a step is missing", () => {
    expect(field(object, "spec", "ports", 0, "port")).toBe(80);
    expect(field(object, "spec", "missing", "deeper")).toBeUndefined();
    expect(field(object, "metadata", 0)).toBeUndefined();
    expect(field(object, "spec", "ports", "port")).toBeUndefined();
  });

  it("describes a document by file, position, kind and name", () => {
    expect(describeDocument({ file: "k8s/x.yaml", index: 2, object })).toBe("k8s/x.yaml[2] Service/web");
    expect(describeDocument({ file: "k8s/x.yaml", index: 0, object: {} })).toBe("k8s/x.yaml[0] ?/?");
  });
});
