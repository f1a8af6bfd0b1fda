// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the runner's variable syntax, not a mistaken template literal.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_COMMAND_MAP,
  loadCommandMap,
  matchCommandMap,
  NO_COMMAND,
  parseCommandMap,
  resolveCommand,
} from "./commands.ts";

const shipped = await loadCommandMap(DEFAULT_COMMAND_MAP);
const mapped = (title: string) => matchCommandMap(title, shipped)?.template;

describe("resolveCommand", () => {
  it("prefers the step's inline command over the map", () => {
    const resolved = resolveCommand(
      { title: "Run the tests", description: "", command: "npx vitest run" },
      shipped,
    );
    expect(resolved).toEqual({ kind: "command", template: "npx vitest run", source: { kind: "inline" } });
  });

  it("tries the title, then the description, else leaves the step to a person", () => {
    const step = { title: "Prepare", description: "Install the dependencies first" };
    expect(resolveCommand(step, shipped)).toMatchObject({ kind: "command", template: "npm ci" });
    expect(resolveCommand({ title: "Look at the dashboard", description: "" }, shipped)).toEqual({
      kind: "manual",
      reason: NO_COMMAND,
    });
  });

  it("names the rule a command came from", () => {
    expect(resolveCommand({ title: "Initialize Terraform", description: "" }, shipped)).toMatchObject({
      source: { kind: "mapped", tool: "terraform" },
    });
  });

  it("leaves servers meant to keep running to a person, even with inline code", () => {
    const step = { title: "Start the services in a second terminal", description: "", command: "npm start" };
    expect(resolveCommand(step, shipped)).toMatchObject({
      kind: "manual",
      reason: expect.stringMatching(/keeps running/),
    });
  });

  it("leaves a reinstall of node_modules to a person: the runner is running from it", () => {
    const step = { title: "Install dependencies with npm ci", description: "", command: "npm ci" };
    expect(resolveCommand(step, shipped)).toMatchObject({
      kind: "manual",
      reason: expect.stringMatching(/node_modules/),
    });
  });

  it.each([
    "CI/CD workflow from lint to a kind-based deploy",
    "A control API and console: status, promote, abort, retry",
    "Container image for all services, non-root",
    "Watch the rollout progress",
  ])("does not read a feature description as a command: %s", (title) => {
    expect(resolveCommand({ title, description: "" }, shipped).kind).toBe("manual");
  });
});

describe("the shipped command map", () => {
  it.each([
    ["Initialize Terraform", "terraform -chdir=${TF_DIR:-terraform} init"],
    ["Format the Terraform files", "terraform -chdir=${TF_DIR:-terraform} fmt -check -recursive"],
    ["Validate the Terraform configuration", "terraform -chdir=${TF_DIR:-terraform} validate"],
    ["Apply the Terraform plan", "terraform -chdir=${TF_DIR:-terraform} apply -auto-approve"],
    ["Review the Terraform plan", "terraform -chdir=${TF_DIR:-terraform} plan"],
    ["Add the Argo Helm repository", "helm repo add argo https://argoproj.github.io/argo-helm"],
    [
      "Install Argo Rollouts",
      expect.stringMatching(/^helm upgrade --install argo-rollouts argo\/argo-rollouts/),
    ],
    [
      "Upgrade the release with Helm",
      "helm upgrade --install ${HELM_RELEASE} ${HELM_CHART} -n ${NAMESPACE:-canary}",
    ],
    ["Sync the Argo CD app tinyurl", "argocd app sync tinyurl"],
    ["Wait until Argo CD reports healthy", expect.stringMatching(/^argocd app wait/)],
    ["Promote the tinyurl rollout", "kubectl-argo-rollouts promote tinyurl -n ${NAMESPACE:-canary}"],
    ["Promote rollout Newsfeed", "kubectl-argo-rollouts promote newsfeed -n ${NAMESPACE:-canary}"],
    ["Promote", "kubectl-argo-rollouts promote ${ROLLOUT} -n ${NAMESPACE:-canary}"],
    ["Abort the docs rollout", "kubectl-argo-rollouts abort docs -n ${NAMESPACE:-canary}"],
    ["Watch the tinyurl rollout", expect.stringMatching(/^kubectl-argo-rollouts status tinyurl /)],
    ["Inspect rollout docs", "kubectl-argo-rollouts get rollout docs -n ${NAMESPACE:-canary}"],
    [
      "Wait for deployment prometheus",
      expect.stringMatching(/^kubectl rollout status deployment\/prometheus /),
    ],
    ["Apply the canary manifests", "kubectl apply -k k8s/canary"],
    ["kubectl apply -k k8s/blue-green", "kubectl apply -k k8s/blue-green"],
    ["List the pods", "kubectl get pods -n ${NAMESPACE:-canary}"],
    ["Deploy the Worker to Cloudflare", "npx wrangler deploy"],
    ["Check the Worker bundle with a dry run", "npx wrangler deploy --dry-run --outdir dist/worker"],
    ["Start the Workers runtime locally", "npx wrangler dev --port ${WRANGLER_PORT:-8787}"],
    [
      "Set the secret AUTH_SECRET",
      ': "$${AUTH_SECRET:?is not set}" && printf \'%s\' "$${AUTH_SECRET}" | npx wrangler secret put AUTH_SECRET',
    ],
    ["Build the container image", "docker build -t ${IMAGE:-canary}:${IMAGE_TAG:-latest} ."],
    ["Push the image", "docker push ${IMAGE:-canary}:${IMAGE_TAG:-latest}"],
    ["Install dependencies", "npm ci"],
    ["Run the unit tests", "npm test"],
    ["Build the project", "npm run build"],
    ["Run the TinyURL benchmark", "npm run bench -- tinyurl"],
    ["Run the benchmarks", "npm run bench"],
  ])("%s", (title, command) => {
    expect(mapped(title)).toEqual(command);
  });

  it("does not let text captured from a PRD reshape the command", () => {
    const map = parseCommandMap(
      { rules: [{ tool: "kubectl", pattern: "apply (.+)", command: "kubectl apply -k $1" }] },
      "t",
    );
    expect(matchCommandMap("apply k8s/canary", map)?.template).toBe("kubectl apply -k k8s/canary");
    expect(matchCommandMap("apply k8s; rm -rf /", map)).toBeUndefined();
  });

  it("fills named groups", () => {
    const map = parseCommandMap(
      { rules: [{ tool: "x", pattern: "go (?<where>\\w+)", command: "echo $<where>" }] },
      "t",
    );
    expect(matchCommandMap("go north", map)?.template).toBe("echo north");
  });

  it("rejects a malformed map with the place of the problem", () => {
    expect(() => parseCommandMap({ rules: [{ tool: "x", pattern: "(", command: "y" }] }, "m.json")).toThrow(
      /m\.json: rules\.0\.pattern/,
    );
    expect(() => parseCommandMap({ rules: [{ tool: "x" }] }, "m.json")).toThrow(/m\.json: rules\.0\.pattern/);
    expect(() => parseCommandMap({ rules: [{ tool: "x", pattern: "y" }] }, "m.json")).toThrow(
      "command map m.json: rules.0.command: is required",
    );
    expect(() => parseCommandMap({ rules: [{ pattern: "y", manual: true }] }, "m.json")).toThrow(
      "command map m.json: rules.0.reason: is required",
    );
  });
});
