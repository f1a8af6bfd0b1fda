import { describe, expect, it } from "vitest";
import {
  applyJsonPatch,
  applyReplacement,
  fieldPathSteps,
  imageName,
  imageTag,
  selects,
  setImages,
} from "./manifests-patch.ts";

describe("applyJsonPatch", () => {
  const document = { a: { b: 1, "x/y": 2, "t~": 3 }, list: [1, 2, 3] };

  it("adds, replaces and removes object members without touching the original", () => {
    const result = applyJsonPatch(document, [
      { op: "add", path: "/a/c", value: { d: true } },
      { op: "replace", path: "/a/b", value: 10 },
      { op: "remove", path: "/a/x~1y" },
      { op: "test", path: "/a/t~0", value: 3 },
    ]);
    expect(result).toEqual({ a: { b: 10, c: { d: true }, "t~": 3 }, list: [1, 2, 3] });
    expect(document.a).toEqual({ b: 1, "x/y": 2, "t~": 3 });
  });

  it("inserts, appends, replaces and removes list items by index", () => {
    const result = applyJsonPatch(document, [
      { op: "add", path: "/list/0", value: 0 },
      { op: "add", path: "/list/-", value: 4 },
      { op: "replace", path: "/list/1", value: 9 },
      { op: "remove", path: "/list/2" },
    ]);
    expect(result).toEqual({ ...document, list: [0, 9, 3, 4] });
  });

  it("replaces the whole document at the empty pointer", () => {
    expect(applyJsonPatch(document, [{ op: "replace", path: "", value: { n: 1 } }])).toEqual({ n: 1 });
  });

  it.each([
    [{ op: "replace", path: "/a/missing", value: 1 }, "/a/missing does not exist"],
    [{ op: "add", path: "/nope/deeper", value: 1 }, '/nope/deeper: "nope" does not exist'],
    [{ op: "add", path: "/list/7", value: 1 }, "index 7 is out of range"],
    [{ op: "remove", path: "/list/x" }, '"x" is not an array index'],
    [{ op: "test", path: "/a/b", value: 2 }, "test /a/b failed"],
    [{ op: "move", from: "/a", path: "/b" }, 'JSON6902 "move" is not supported'],
    [{ op: "add", path: "/a/z" }, "add /a/z needs a value"],
    [{ op: "add", path: "a", value: 1 }, '"a" is not a JSON pointer'],
    [{ path: "/a" }, "needs op and path"],
    [{ op: "remove", path: "" }, "cannot remove the whole document"],
  ])("refuses %j", (operation, message) => {
    expect(() => applyJsonPatch(document, [operation])).toThrow(message);
  });
});

describe("selects", () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "prod" },
  };
  const service = { apiVersion: "v1", kind: "Service", metadata: { name: "web" } };

  it("matches group, version, kind, name and namespace exactly", () => {
    expect(selects({ group: "apps", kind: "Deployment" }, deployment)).toBe(true);
    expect(selects({ group: "", version: "v1", kind: "Service", name: "web" }, service)).toBe(true);
    expect(selects({ group: "apps" }, service)).toBe(false);
    expect(selects({ namespace: "prod" }, deployment)).toBe(true);
    expect(selects({ name: "we" }, deployment)).toBe(false);
  });

  it("refuses selector fields it does not implement", () => {
    expect(() => selects({ labelSelector: "a=b" } as never, service)).toThrow(
      'selector field "labelSelector"',
    );
  });
});

describe("field paths and replacements", () => {
  it("reads list selectors and bracketed keys", () => {
    expect(fieldPathSteps("spec.containers.[name=app].image")).toEqual([
      { key: "spec" },
      { key: "containers" },
      { match: ["name", "app"] },
      { key: "image" },
    ]);
    expect(fieldPathSteps("metadata.labels.[app.kubernetes.io/name]")).toEqual([
      { key: "metadata" },
      { key: "labels" },
      { key: "app.kubernetes.io/name" },
    ]);
    expect(() => fieldPathSteps("")).toThrow("empty field path");
  });

  const objects = () => [
    { kind: "ConfigMap", metadata: { name: "source" }, data: { url: "host:8080", other: "x" } },
    { kind: "ConfigMap", metadata: { name: "target" }, data: { port: "", host: "" } },
  ];

  it("copies a field, or one delimited part of it, into the selected objects' fields", () => {
    const built = objects();
    applyReplacement(built, {
      source: {
        kind: "ConfigMap",
        name: "source",
        fieldPath: "data.url",
        options: { delimiter: ":", index: 1 },
      },
      targets: [{ select: { name: "target" }, fieldPaths: ["data.port"] }],
    });
    applyReplacement(built, {
      source: { name: "source" },
      targets: [{ select: { kind: "ConfigMap" }, reject: [{ name: "source" }], fieldPaths: ["data.host"] }],
    });
    expect(built[1]?.data).toEqual({ port: "8080", host: "source" });
  });

  it("refuses what does not resolve", () => {
    const targets = [{ select: { name: "target" }, fieldPaths: ["data.port"] }];
    expect(() => applyReplacement(objects(), { source: { kind: "ConfigMap" }, targets })).toThrow(
      "matches 2 resources",
    );
    expect(() =>
      applyReplacement(objects(), { source: { name: "source", fieldPath: "data.none" }, targets }),
    ).toThrow("field path data.none does not exist");
    expect(() =>
      applyReplacement(objects(), {
        source: { name: "source", fieldPath: "data.other", options: { delimiter: ":", index: 1 } },
        targets,
      }),
    ).toThrow("has no part 1");
    expect(() =>
      applyReplacement(objects(), {
        source: { name: "source" },
        targets: [{ select: { name: "x" }, fieldPaths: ["a"] }],
      }),
    ).toThrow("matches nothing");
    expect(() =>
      applyReplacement(objects(), {
        source: { name: "source" },
        targets: [{ ...targets[0]!, options: { create: true } }],
      }),
    ).toThrow("target options are not supported");
    expect(() =>
      applyReplacement(objects(), {
        source: { name: "source" },
        targets: [{ select: { name: "target" }, fieldPaths: ["data.[a=b]"] }],
      }),
    ).toThrow("needs a list");
  });
});

describe("images", () => {
  it("splits references with registry ports, tags and digests", () => {
    expect(imageName("registry:5000/team/app:1.2@sha256:abc")).toBe("registry:5000/team/app");
    expect(imageTag("registry:5000/team/app:1.2@sha256:abc")).toBe("1.2");
    expect(imageName("registry:5000/app")).toBe("registry:5000/app");
    expect(imageTag("registry:5000/app")).toBeUndefined();
  });

  it("rewrites the containers whose image name matches, in pods, templates and job templates", () => {
    const pod = {
      spec: { containers: [{ image: "app:1" }, { image: "other:1" }], initContainers: [{ image: "app" }] },
    };
    setImages(pod, { name: "app", newTag: "2" });
    expect(pod.spec.containers).toEqual([{ image: "app:2" }, { image: "other:1" }]);
    expect(pod.spec.initContainers).toEqual([{ image: "app:2" }]);
    const cron = {
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: "app:1" }] } } } } },
    };
    setImages(cron, { name: "app", newName: "mirror/app" });
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]?.image).toBe("mirror/app:1");
    setImages(cron, { name: "mirror/app", digest: "sha256:def" });
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]?.image).toBe("mirror/app@sha256:def");
  });
});
