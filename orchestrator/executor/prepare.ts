/**
 * A plan made concrete: each step gets its action (run a command, wait for a person, nothing: already
 * done), its command with variables expanded, and its working directory. Shared by `--dry-run` and real
 * runs, so what the dry run prints is exactly what would execute.
 *
 * Local alternatives (`locally: \`…\`` in the PRD): with `preferLocal` (`canary run --local`, no cluster)
 * a step that has one runs it. Otherwise the step runs its command and keeps the alternative for when that
 * command's program is missing (run.ts); a step with only an alternative is manual.
 */
import type { Task, TaskStatus } from "../tasks/model.ts";
import { type CommandMap, type CommandSource, resolveCommand, resolveLocalCommand } from "./commands.ts";
import { hasOwnCommand, type Plan, type Step } from "./plan.ts";
import { expandVariables, type Variables } from "./variables.ts";

/** `run`: has a command; `manual`: no command, a person does it; `done`: finished before this run. */
export type StepAction = "run" | "manual" | "done";

export interface PreparedStep extends Step {
  action: StepAction;
  /** The command as the shell gets it (variables expanded); unresolved references are left in place. */
  shell?: string;
  /** The same command for printing and logging: values of secret-looking variables are masked. */
  shown?: string;
  commandSource?: CommandSource;
  /** Why the step is left to a person (no command, or a phrase the command map marks manual). */
  manualReason?: string;
  /** The local alternative when it is not what runs first: run if the command's program is missing. */
  localAlternative?: ShellCommand;
  cwd: string;
}

export interface ShellCommand {
  shell: string;
  shown: string;
}

export interface UnresolvedVariables {
  stepId: string;
  names: string[];
}

/** A task whose subtasks are steps: its own status follows theirs (see run.ts). */
export interface ParentTask {
  id: string;
  status: TaskStatus;
  /** Status of every subtask, by step id (also those outside the plan). */
  subtasks: Record<string, TaskStatus>;
  /** The task has a command of its own, so it is a step and finishes only when that step does. */
  ownStep: boolean;
}

export interface PreparedRun {
  steps: PreparedStep[];
  levels: string[][];
  /** Steps that would run but reference variables with no value: the run must not start. */
  unresolved: UnresolvedVariables[];
  parents: ParentTask[];
}

export interface PrepareOptions {
  commandMap: CommandMap;
  variables: Variables;
  cwd: string;
  /** Steps a resumed run already finished. */
  alreadyDone?: ReadonlySet<string>;
  /** Run local alternatives where steps have them (no Kubernetes cluster here). */
  preferLocal?: boolean;
}

export const LOCAL_ONLY = "no command for a cluster; its local alternative runs with --local";

/** Names whose values must not reach a terminal or a log file. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY/i;

function maskSecrets(variables: Variables): Variables {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, SECRET_NAME.test(name) && value ? "***" : value]),
  );
}

export function prepareRun(tasks: readonly Task[], plan: Plan, options: PrepareOptions): PreparedRun {
  const unresolved: UnresolvedVariables[] = [];
  const masked = maskSecrets(options.variables);
  const expand = (template: string, stepId: string, runs: boolean): ShellCommand => {
    const expansion = expandVariables(template, options.variables);
    if (runs && expansion.missing.length > 0) unresolved.push({ stepId, names: expansion.missing });
    return { shell: expansion.text, shown: expandVariables(template, masked).text };
  };
  const steps = plan.steps.map((step): PreparedStep => {
    const main = resolveCommand(step, options.commandMap);
    const local = resolveLocalCommand(step, options.commandMap);
    const resolved = local && options.preferLocal ? local : main;
    const done = step.status === "done" || options.alreadyDone?.has(step.id) === true;
    const action: StepAction = done ? "done" : resolved.kind === "command" ? "run" : "manual";
    const runs = action === "run";
    const command = resolved.kind === "command" ? expand(resolved.template, step.id, runs) : undefined;
    // Shown by the plan; run when the command's program is missing, so its variables must resolve too.
    const alternative =
      local && resolved !== local ? expand(local.template, `${step.id} (local)`, runs) : undefined;
    const extras = { ...(alternative ? { localAlternative: alternative } : {}), cwd: options.cwd };
    if (resolved.kind === "manual") {
      return { ...step, action, manualReason: local ? LOCAL_ONLY : resolved.reason, ...extras };
    }
    return { ...step, action, ...command, commandSource: resolved.source, ...extras };
  });

  const planned = new Set(plan.steps.map((s) => s.taskId));
  const parents = tasks
    .filter((task) => task.subtasks.length > 0 && planned.has(task.id))
    .map(
      (task): ParentTask => ({
        id: String(task.id),
        status: task.status,
        subtasks: Object.fromEntries(task.subtasks.map((s) => [`${task.id}.${s.id}`, s.status])),
        ownStep: hasOwnCommand(task),
      }),
    );
  return { steps, levels: plan.levels, unresolved, parents };
}

export function describeUnresolved(unresolved: readonly UnresolvedVariables[]): string {
  const lines = unresolved.map((u) => `  ${u.stepId}: ${u.names.map((n) => `\${${n}}`).join(", ")}`);
  return ["unresolved variables (set them in --vars, the environment, or --set NAME=value):", ...lines].join(
    "\n",
  );
}
