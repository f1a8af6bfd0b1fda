/**
 * Static checks of a GitHub Actions workflow against the repository it runs in: the YAML parses, the
 * required jobs exist, `needs` names existing jobs and has no cycle, every `npm run X` (and `npm test` /
 * `npm start`) names a script of package.json, every repository path the workflow names exists, and every
 * action is pinned to a major version.
 *
 * Paths are read where a workflow names them: the `with:` inputs that take a path (file, context, …), the
 * `working-directory`, and in `run:` scripts the word after a path-taking flag or command (`-k`, `-f`,
 * `cd`, `bash`, …), a word starting with `./`, or a word whose first segment is an entry of the
 * repository's root (`k8s/canary`, `terraform/values/x.yaml`). Words with `$`, globs or URLs are runtime
 * values and are skipped.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { parse as parseYaml } from "yaml";

export const REQUIRED_JOBS = [
  "lint",
  "typecheck",
  "unit",
  "workers",
  "browser",
  "security",
  "image",
  "deploy-staging",
  "deploy-production",
] as const;

export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  "working-directory"?: string;
}

export interface WorkflowJob {
  needs?: string | string[];
  environment?: string | { name: string; url?: string };
  defaults?: { run?: { "working-directory"?: string } };
  steps?: WorkflowStep[];
  [key: string]: unknown;
}

export interface Workflow {
  name?: string;
  on?: unknown;
  env?: Record<string, unknown>;
  jobs: Record<string, WorkflowJob>;
}

/** Parses workflow YAML; throws with the parser's message when it is not YAML or has no jobs. */
export function parseWorkflow(text: string): Workflow {
  const document = parseYaml(text, { prettyErrors: true }) as Partial<Workflow> | null;
  if (
    !document ||
    typeof document !== "object" ||
    typeof document.jobs !== "object" ||
    document.jobs === null
  )
    throw new Error("the workflow has no jobs");
  return document as Workflow;
}

export const needsOf = (job: WorkflowJob): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

/** Every job that must finish before this one, directly or not. */
export function transitiveNeeds(workflow: Workflow, jobName: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const need of needsOf(workflow.jobs[name] ?? {}))
      if (!seen.has(need)) {
        seen.add(need);
        visit(need);
      }
  };
  visit(jobName);
  return seen;
}

export function jobGraphProblems(workflow: Workflow, required: readonly string[] = REQUIRED_JOBS): string[] {
  const problems: string[] = [];
  for (const name of required) if (!workflow.jobs[name]) problems.push(`job "${name}" is missing`);
  for (const [name, job] of Object.entries(workflow.jobs))
    for (const need of needsOf(job))
      if (!workflow.jobs[need]) problems.push(`job "${name}" needs "${need}", which is not a job`);
  // Depth-first search; a job met again while still on the path closes a cycle.
  const state = new Map<string, "active" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "active") {
      problems.push(`needs cycle: ${[...path.slice(path.indexOf(name)), name].join(" → ")}`);
      return;
    }
    state.set(name, "active");
    for (const need of needsOf(workflow.jobs[name] ?? {}))
      if (workflow.jobs[need]) visit(need, [...path, name]);
    state.set(name, "done");
  };
  for (const name of Object.keys(workflow.jobs)) visit(name, []);
  return problems;
}

interface StepRef {
  job: string;
  step: WorkflowStep;
  label: string;
}

function steps(workflow: Workflow): StepRef[] {
  return Object.entries(workflow.jobs).flatMap(([job, body]) =>
    (body.steps ?? []).map((step, i) => ({
      job,
      step,
      label: `${job} step ${i + 1} (${step.name ?? step.uses ?? "run"})`,
    })),
  );
}

/** `npm run X`, `npm run-script X`, `npm test`, `npm start` in run scripts, with the script name. */
export function npmScriptsUsed(script: string): string[] {
  const named = [...script.matchAll(/\bnpm\s+(?:run|run-script)\s+([^\s;&|)'"]+)/g)].map((m) => m[1]!);
  const aliases = [...script.matchAll(/\bnpm\s+(test|start)\b/g)].map((m) => m[1]!);
  return [...named, ...aliases];
}

export function npmScriptProblems(
  workflow: Workflow,
  packageJson: { scripts?: Record<string, string> },
): string[] {
  const problems: string[] = [];
  for (const { step, label } of steps(workflow))
    for (const script of npmScriptsUsed(step.run ?? ""))
      if (!packageJson.scripts?.[script])
        problems.push(`${label}: npm script "${script}" is not in package.json`);
  return problems;
}

// Inputs that name an existing path (`path` is left out: for checkout, cache and artifacts it is an output).
const PATH_INPUTS = new Set(["file", "context", "config", "working-directory", "cache-dependency-path"]);
const PATH_TAKING = new Set([
  "-k",
  "--kustomize",
  "-f",
  "--filename",
  "--values",
  "--config",
  "-C",
  "cd",
  "bash",
  "sh",
  "source",
  ".",
  "tsx",
  "node",
]);
const RUNTIME_VALUE = /[$*?{}=:@,]|^[-/~]|^https?:/;

/** The repository paths a run script names, as described at the top of this file. */
export function pathsInScript(script: string, rootEntries: ReadonlySet<string>): string[] {
  const words = script
    .replace(/(^|\s)#[^\n]*/g, "$1")
    .split(/[\s;|&()<>]+/)
    .map((w) => w.replace(/^['"]|['"]$/g, ""));
  return words.filter((word, i) => {
    if (word === "" || word === "-" || RUNTIME_VALUE.test(word)) return false;
    if (PATH_TAKING.has(words[i - 1] ?? "") || word.startsWith("./")) return true;
    return word.includes("/") && rootEntries.has(word.split("/")[0]!);
  });
}

export function pathProblems(workflow: Workflow, root: string): string[] {
  const rootEntries = new Set(readdirSync(root));
  const problems: string[] = [];
  for (const { job, step, label } of steps(workflow)) {
    const base = step["working-directory"] ?? workflow.jobs[job]?.defaults?.run?.["working-directory"] ?? ".";
    const named: string[] = [];
    if (step.run) named.push(...pathsInScript(step.run, rootEntries).map((p) => join(base, p)));
    for (const [key, value] of Object.entries(step.with ?? {}))
      if (PATH_INPUTS.has(key) && typeof value === "string" && !RUNTIME_VALUE.test(value)) named.push(value);
    if (step["working-directory"] && !RUNTIME_VALUE.test(step["working-directory"]))
      named.push(step["working-directory"]);
    for (const path of named)
      if (!existsSync(join(root, normalize(path))))
        problems.push(`${label}: ${path} does not exist in the repository`);
  }
  return problems;
}

/** Actions are pinned to a major version (`@v4`) or a commit; local actions (`./…`) need no pin. */
export function actionPinProblems(workflow: Workflow): string[] {
  return steps(workflow)
    .filter(
      ({ step }) => step.uses && !step.uses.startsWith("./") && !/@(v\d+|[0-9a-f]{40})$/.test(step.uses),
    )
    .map(({ step, label }) => `${label}: ${step.uses} is not pinned to a major version`);
}

/** Everything, for the workflow file at workflowPath in the repository at root. */
export function checkWorkflow(root: string, workflowPath: string): string[] {
  let workflow: Workflow;
  try {
    workflow = parseWorkflow(readFileSync(join(root, workflowPath), "utf8"));
  } catch (err) {
    return [`${workflowPath}: ${(err as Error).message}`];
  }
  const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return [
    ...jobGraphProblems(workflow),
    ...npmScriptProblems(workflow, packageJson),
    ...pathProblems(workflow, root),
    ...actionPinProblems(workflow),
  ];
}
