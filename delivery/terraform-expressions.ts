/**
 * The expressions of a Terraform module as @cdktf/hcl2json hands them over: strings holding "${…}" (and
 * "%{…}") templates. Its own reference finder skips the bodies of `for` expressions, so the checks read the
 * code themselves: each interpolation's code, with string literal text blanked (so that words inside
 * literals are never taken for references) and nested interpolations spliced in.
 */
import type { TerraformModule } from "./terraform.ts";

/** An expression found in the module: the code inside one "${…}", with the file it came from. */
export interface Expression {
  file: string;
  /** The code with string literals kept, e.g. `file("${path.module}/x")` keeps "${path.module}/x". */
  raw: string;
  /** The code with string literal text blanked and nested interpolations spliced in as (code). */
  code: string;
}

/** Every object key and string value at any depth. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([key, child]) => [key, ...strings(child)]);
  return [];
}

/** Every "${…}" and "%{…}" in the module's expressions, attribute values and object keys alike. */
export function expressions(module: TerraformModule): Expression[] {
  const found: Expression[] = [];
  for (const { name, json } of module.files)
    for (const text of strings(json)) for (const e of interpolations(text)) found.push({ file: name, ...e });
  return found;
}

/** Splits a template string into the code of its interpolations (nested ones spliced in as well). */
export function interpolations(template: string): { raw: string; code: string }[] {
  const found: { raw: string; code: string }[] = [];
  for (let i = 0; i < template.length; i++) {
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) i += 2;
    else if (template.startsWith("${", i) || template.startsWith("%{", i)) {
      const body = readCode(template, i + 2);
      found.push({ raw: template.slice(i + 2, body.end), code: body.code });
      i = body.end;
    }
  }
  return found;
}

/** Reads code from start to its closing brace; returns its end and the code as described on Expression. */
function readCode(text: string, start: number): { end: number; code: string } {
  let code = "";
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "}" && depth === 0) return { end: i, code };
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (c !== '"') {
      code += c;
      i++;
      continue;
    }
    // A string literal inside the code: keep its quotes, blank its text, splice its interpolations in.
    let nested = "";
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i += 2;
      else if (text.startsWith("${", i) || text.startsWith("%{", i)) {
        const inner = readCode(text, i + 2);
        nested += ` (${inner.code})`;
        i = inner.end + 1;
      } else i++;
    }
    code += `""${nested}`;
    i++;
  }
  return { end: i, code };
}
