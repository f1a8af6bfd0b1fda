import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadTerraformModule } from "./terraform.ts";
import {
  checkWorkflow,
  parseWorkflow,
  pathsInScript,
  REQUIRED_JOBS,
  transitiveNeeds,
  type Workflow,
  type WorkflowJob,
} from "./workflow.ts";

const ROOT = join(import.meta.dirname, "..");
const WORKFLOW_PATH = ".github/workflows/ci-cd.yml";
const workflow = parseWorkflow(readFileSync(join(ROOT, WORKFLOW_PATH), "utf8"));
const runs = (job: WorkflowJob) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");

describe("the repository's workflow", () => {
  it("parses; its jobs, needs, npm scripts, paths and action pins all check out", () => {
    expect(checkWorkflow(ROOT, WORKFLOW_PATH)).toEqual([]);
  });

  it("deploys only after every test job, and production only after staging", () => {
    const tests = ["lint", "typecheck", "unit", "workers", "browser", "security"];
    for (const deploy of ["deploy-staging", "deploy-production"])
      expect([...transitiveNeeds(workflow, deploy)]).toEqual(expect.arrayContaining([...tests, "image"]));
    expect(transitiveNeeds(workflow, "deploy-production")).toContain("deploy-staging");
  });

  it("has a staging and a manually approved production environment, each rolling back on failure", () => {
    const staging = workflow.jobs["deploy-staging"]!;
    const production = workflow.jobs["deploy-production"]!;
    expect(staging.environment).toBe("staging");
    expect(production.environment).toMatchObject({ name: "production" });
    expect(production.if).toContain("refs/heads/main");
    for (const job of [staging, production]) {
      const rollback = job.steps?.find((s) => s.if === "failure()");
      expect(rollback?.run).toMatch(/kubectl argo rollouts abort/);
      expect(rollback?.run).toMatch(/kubectl argo rollouts undo/);
    }
  });

  it("runs a canary end to end on kind with Argo Rollouts and the image built in the job", () => {
    const staging = workflow.jobs["deploy-staging"]!;
    const uses = (staging.steps ?? []).map((s) => s.uses);
    expect(uses).toEqual(expect.arrayContaining(["helm/kind-action@v1", "docker/build-push-action@v6"]));
    const script = runs(staging);
    for (const command of [
      /helm upgrade --install argo-rollouts argo\/argo-rollouts/,
      /kind load docker-image/,
      /kubectl apply -k k8s\/canary/,
      /kubectl argo rollouts set image/,
      /kubectl argo rollouts get rollout .* --watch/,
      /promote_until_healthy/,
    ])
      expect(script).toMatch(command);
    expect(workflow.env?.PROMOTE_UNTIL_HEALTHY).toMatch(/kubectl argo rollouts promote/);
  });

  it("pushes the image with registry credentials from secrets and runs npm audit and CodeQL", () => {
    const login = workflow.jobs.image?.steps?.find((s) => s.uses?.startsWith("docker/login-action@"));
    expect(String(login?.with?.password)).toMatch(/secrets\./);
    const security = workflow.jobs.security!;
    expect(runs(security)).toContain("npm audit --audit-level=high");
    expect((security.steps ?? []).map((s) => s.uses)).toEqual(
      expect.arrayContaining(["github/codeql-action/init@v4", "github/codeql-action/analyze@v4"]),
    );
  });

  it("installs the chart versions and node image that terraform/ pins", async () => {
    const { module } = await loadTerraformModule(join(ROOT, "terraform"));
    const variables = Object.assign({}, ...module.files.map((f) => f.json.variable ?? {})) as Record<
      string,
      { default?: unknown }[]
    >;
    const pinned = (name: string) => variables[name]?.[0]?.default;
    expect(workflow.env).toMatchObject({
      KIND_NODE_IMAGE: pinned("node_image"),
      INGRESS_NGINX_CHART_VERSION: pinned("ingress_nginx_chart_version"),
      ARGO_ROLLOUTS_CHART_VERSION: pinned("argo_rollouts_chart_version"),
      KUBE_PROMETHEUS_STACK_CHART_VERSION: pinned("kube_prometheus_stack_chart_version"),
      REDIS_CHART_VERSION: pinned("redis_chart_version"),
    });
  });
});

describe("checkWorkflow on broken fixtures", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A tiny repository: package.json, a Dockerfile, k8s/canary/, and a workflow with every required job. */
  function fixture(change: (workflow: Workflow) => void, text?: string): string[] {
    const root = mkdtempSync(join(tmpdir(), "canary-workflow-"));
    dirs.push(root);
    mkdirSync(join(root, "k8s", "canary"), { recursive: true });
    mkdirSync(join(root, ".github", "workflows"), { recursive: true });
    writeFileSync(join(root, "Dockerfile"), "FROM scratch\n");
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ scripts: { lint: "biome check .", test: "vitest" } }),
    );
    const jobs = Object.fromEntries(
      REQUIRED_JOBS.map((name) => [name, { "runs-on": "ubuntu-latest", steps: [{ run: "true" }] }]),
    ) as Record<string, WorkflowJob>;
    const valid: Workflow = { name: "ci", on: { push: {} }, jobs };
    jobs.lint!.steps = [{ uses: "actions/checkout@v6" }, { run: "npm ci && npm run lint && npm test" }];
    jobs.image!.needs = ["lint"];
    jobs.image!.steps = [{ uses: "docker/build-push-action@v6", with: { context: ".", file: "Dockerfile" } }];
    jobs["deploy-staging"]!.needs = "image";
    jobs["deploy-staging"]!.steps = [
      { run: "kubectl apply -k k8s/canary\ncurl -s https://example.com/x.yaml" },
    ];
    change(valid);
    writeFileSync(join(root, WORKFLOW_PATH), text ?? stringify(valid));
    return checkWorkflow(root, WORKFLOW_PATH);
  }

  it("accepts the valid fixture", () => {
    expect(fixture(() => {})).toEqual([]);
  });

  it("reports YAML that does not parse, and a workflow without jobs", () => {
    expect(fixture(() => {}, "jobs: [unclosed\n")).toEqual([
      expect.stringMatching(/^\.github\/workflows\/ci-cd\.yml: /),
    ]);
    expect(fixture(() => {}, "name: ci\n")).toEqual([`${WORKFLOW_PATH}: the workflow has no jobs`]);
  });

  it("reports a missing required job, a need that is not a job, and a cycle", () => {
    expect(fixture((w) => delete w.jobs.browser)).toEqual(['job "browser" is missing']);
    expect(fixture((w) => (w.jobs.image!.needs = ["lint", "tests"]))).toEqual([
      'job "image" needs "tests", which is not a job',
    ]);
    expect(fixture((w) => (w.jobs.lint!.needs = "deploy-staging"))).toEqual([
      "needs cycle: lint → deploy-staging → image → lint",
    ]);
  });

  it("reports npm scripts that package.json does not have", () => {
    const problems = fixture((w) => {
      w.jobs.unit!.steps = [
        { name: "tests", run: "npm run test:node -- --exclude x\nnpm run-script build\nnpm start" },
      ];
    });
    expect(problems).toEqual([
      'unit step 1 (tests): npm script "test:node" is not in package.json',
      'unit step 1 (tests): npm script "build" is not in package.json',
      'unit step 1 (tests): npm script "start" is not in package.json',
    ]);
  });

  it("reports repository paths that do not exist, in scripts and in path inputs", () => {
    const problems = fixture((w) => {
      w.jobs["deploy-staging"]!.steps = [
        { run: "kubectl apply -k k8s/canery\n(cd k8s/canary && ls)\nhelm install x -f values/missing.yaml" },
        { run: "cd canary && cd canery", "working-directory": "k8s" },
        { uses: "docker/build-push-action@v6", with: { context: ".", file: "Containerfile" } },
      ];
    });
    expect(problems).toEqual([
      "deploy-staging step 1 (run): k8s/canery does not exist in the repository",
      "deploy-staging step 1 (run): values/missing.yaml does not exist in the repository",
      "deploy-staging step 2 (run): k8s/canery does not exist in the repository",
      "deploy-staging step 3 (docker/build-push-action@v6): Containerfile does not exist in the repository",
    ]);
  });

  it("reports actions that are not pinned to a major version or a commit", () => {
    const problems = fixture((w) => {
      w.jobs.lint!.steps = [
        { uses: "actions/checkout@main" },
        { uses: "actions/setup-node" },
        { uses: "actions/cache@0123456789abcdef0123456789abcdef01234567" },
        { uses: "./.github/actions/local" },
      ];
    });
    expect(problems).toEqual([
      "lint step 1 (actions/checkout@main): actions/checkout@main is not pinned to a major version",
      "lint step 2 (actions/setup-node): actions/setup-node is not pinned to a major version",
    ]);
  });
});

describe("pathsInScript", () => {
  const root = new Set(["k8s", "terraform", "Dockerfile", ".ci"]);

  it("takes words after path-taking flags, ./ words and words under a root entry; skips runtime values", () => {
    const script = [
      "kubectl apply -k k8s/canary -f -",
      "helm upgrade x repo/chart -f terraform/values/a.yaml # a comment naming k8s/nothing",
      'bash .ci/run && ./scripts/x.sh && cat "$RUNNER_TEMP/kind.yaml" ~/.kube/config /etc/hosts',
      "curl https://github.com/k8s/x oci://registry/x kind.x-k8s.io/v1alpha4 --config=k8s/x",
    ].join("\n");
    expect(pathsInScript(script, root)).toEqual([
      "k8s/canary",
      "terraform/values/a.yaml",
      ".ci/run",
      "./scripts/x.sh",
    ]);
  });
});
