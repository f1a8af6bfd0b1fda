/**
 * The metrics of an AnalysisRun made from AnalysisTemplates and the arguments a rollout passes, as Argo
 * builds them (FlattenTemplates, MergeArgs, ResolveMetricArgs): the templates' args are merged (the same
 * name with two different defaults is an error), passed values override defaults, an arg left without a
 * value is an error, two metrics with the same name are an error, and every `{{args.NAME}}` in every string
 * field of every metric is replaced (`{{ args.NAME }}` too); any other `{{…}}` is an error. Unlike Argo,
 * which ignores them, a passed argument no template declares is an error: it is a typo or a stale name.
 */
import type { AnalysisTemplateSpec, MetricSpec } from "../types.ts";

export class AnalysisArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnalysisArgsError";
  }
}

const describe = (template: AnalysisTemplateSpec) => {
  const where =
    template.source.index === undefined
      ? template.source.file
      : `${template.source.file} #${template.source.index}`;
  return `${where} ${template.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate"}/${template.name}`;
};

/** Replaces the `{{…}}` tags of one string; `where` names the field for errors. */
function substitute(text: string, values: Map<string, string>, where: () => string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const open = rest.indexOf("{{");
    if (open < 0) return out + rest;
    const close = rest.indexOf("}}", open + 2);
    if (close < 0) throw new AnalysisArgsError(`${where()}: "{{" without a closing "}}"`);
    const tag = rest.slice(open + 2, close);
    const name = tag.trim().startsWith("args.") ? tag.trim().slice("args.".length) : undefined;
    const value = name === undefined ? undefined : values.get(name);
    if (value === undefined) {
      const hint = name === undefined ? "" : ` (no argument "${name}" is declared)`;
      throw new AnalysisArgsError(`${where()}: failed to resolve {{${tag}}}${hint}`);
    }
    out += rest.slice(0, open) + value;
    rest = rest.slice(close + 2);
  }
}

function substituteAll<T>(
  value: T,
  values: Map<string, string>,
  path: string,
  where: (path: string) => string,
): T {
  if (typeof value === "string") return substitute(value, values, () => where(path)) as T;
  if (Array.isArray(value))
    return value.map((item, i) => substituteAll(item, values, `${path}[${i}]`, where)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteAll(item, values, `${path}.${key}`, where)]),
    ) as T;
  }
  return value;
}

/**
 * The resolved metrics of a run of `templates` with `args` (name → value; the engine has already turned
 * podTemplateHashValue and the like into strings). Throws AnalysisArgsError naming the template and field.
 */
export function resolveTemplates(
  templates: AnalysisTemplateSpec[],
  args: Record<string, string>,
): MetricSpec[] {
  // Declared args across all templates: name → default (undefined: none yet) and who declares it.
  const declared = new Map<string, { value?: string; by: string[] }>();
  for (const template of templates) {
    for (const arg of template.args) {
      const previous = declared.get(arg.name);
      if (!previous) {
        declared.set(arg.name, { value: arg.value, by: [describe(template)] });
        continue;
      }
      if (previous.value !== undefined && arg.value !== undefined && previous.value !== arg.value) {
        throw new AnalysisArgsError(
          `Argument \`${arg.name}\` specified multiple times with different values: '${previous.value}' (${previous.by.join(", ")}), '${arg.value}' (${describe(template)})`,
        );
      }
      previous.value ??= arg.value;
      previous.by.push(describe(template));
    }
  }
  const names = templates.map((t) => t.name).join(", ");
  for (const name of Object.keys(args)) {
    if (!declared.has(name)) {
      const known = [...declared.keys()].join(", ") || "none";
      throw new AnalysisArgsError(
        `argument "${name}" is passed to ${names} but none of them declares it (declared: ${known})`,
      );
    }
  }
  const values = new Map<string, string>();
  for (const [name, arg] of declared) {
    const value = Object.hasOwn(args, name) ? args[name] : arg.value;
    if (value === undefined) {
      throw new AnalysisArgsError(
        `args.${name} was not resolved: ${arg.by.join(", ")} declares "${name}" without a value and none was passed`,
      );
    }
    values.set(name, value);
  }
  const seen = new Map<string, AnalysisTemplateSpec>();
  const metrics: MetricSpec[] = [];
  for (const template of templates) {
    template.metrics.forEach((metric, i) => {
      const other = seen.get(metric.name);
      if (other) {
        throw new AnalysisArgsError(
          `two metrics have the same name '${metric.name}': ${describe(other)} and ${describe(template)}`,
        );
      }
      seen.set(metric.name, template);
      metrics.push(
        substituteAll(metric, values, `metrics[${i}]`, (path) => `${describe(template)}: spec.${path}`),
      );
    });
  }
  return metrics;
}
