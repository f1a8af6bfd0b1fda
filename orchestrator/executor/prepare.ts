/**
 * A plan made concrete: each step gets its action (run a command, wait for a person, nothing: already
 * done), its command with variables expanded, and its working directory. Shared by `--dry-run` and real
 * runs, so what the dry run prints is exactly what would execute.
 */
import type { Task, TaskStatus } from "../tasks/model.ts";
import { type CommandMap, type CommandSource, resolveCommand } from "./commands.ts";
import type { Plan, Step } from "./plan.ts";
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
  cwd: string;
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
}

/** Names whose values must not reach a terminal or a log file. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY/i;

function maskSecrets(variables: Variables): Variables {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, SECRET_NAME.test(name) && value ? "***" : value]),
  );
}

export function prepareRun(tasks: readonly Task[], plan: Plan, options: PrepareOptions): PreparedRun {
  const unresolved: UnresolvedVariables[] = [];
  const steps = plan.steps.map((step): PreparedStep => {
    const resolved = resolveCommand(step, options.commandMap);
    const done = step.status === "done" || options.alreadyDone?.has(step.id) === true;
    const action: StepAction = done ? "done" : resolved.kind === "command" ? "run" : "manual";
    if (resolved.kind === "manual")
      return { ...step, action, manualReason: resolved.reason, cwd: options.cwd };
    const expansion = expandVariables(resolved.template, options.variables);
    if (action === "run" && expansion.missing.length > 0) {
      unresolved.push({ stepId: step.id, names: expansion.missing });
    }
    const shown = expandVariables(resolved.template, maskSecrets(options.variables)).text;
    return {
      ...step,
      action,
      shell: expansion.text,
      shown,
      commandSource: resolved.source,
      cwd: options.cwd,
    };
  });

  const planned = new Set(plan.steps.map((s) => s.taskId));
  const parents = tasks
    .filter((task) => task.subtasks.length > 0 && planned.has(task.id))
    .map(
      (task): ParentTask => ({
        id: String(task.id),
        status: task.status,
        subtasks: Object.fromEntries(task.subtasks.map((s) => [`${task.id}.${s.id}`, s.status])),
        ownStep: task.command !== undefined,
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
