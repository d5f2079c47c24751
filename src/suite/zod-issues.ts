import type { z } from 'zod';
import { defOf, describeSchema, describeValue } from './describe.ts';
import type { Problem } from './problems.ts';

/**
 * Turns zod issues into problems whose messages say what was expected and what was
 * received, read from the schema at the issue's path: `expected an integer ≥ 1,
 * received "two"` instead of zod's `Invalid input: expected number, received string`.
 */

export interface IssueContext {
  /** The schema that was parsed. */
  schema: z.ZodType;
  /** The value that was parsed. */
  input: unknown;
  /** Path of `input` inside the suite, prepended to every issue's path. */
  prefix?: readonly PropertyKey[];
  /** What an object key is called in messages: "field" (default) or "parameter". */
  keyNoun?: string;
}

const VALUE_CODES = new Set(['invalid_type', 'too_small', 'too_big', 'invalid_value', 'invalid_format', 'not_multiple_of', 'invalid_union']);

export function issuesToProblems(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): Problem[] {
  const prefix = ctx.prefix ?? [];
  const noun = ctx.keyNoun ?? 'field';
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const shape = objectShape(schemaAt(ctx.schema, issue.path));
      const known = shape ? `; known ${noun}s: ${Object.keys(shape).join(', ')}` : '';
      for (const key of issue.keys) problems.push({ path: [...path, key], message: `unknown ${noun}${known}` });
      continue;
    }
    const sub = VALUE_CODES.has(issue.code) ? schemaAt(ctx.schema, issue.path) : undefined;
    if (!sub) {
      problems.push({ path, message: issue.message });
      continue;
    }
    const value = 'input' in issue ? issue.input : valueAt(ctx.input, issue.path);
    const expected = describeSchema(optionFor(sub, value));
    problems.push({
      path,
      message:
        value === undefined && issue.code === 'invalid_type' ? `missing; expected ${expected}` : `expected ${expected}, received ${describeValue(value)}`,
    });
  }
  return problems;
}

/** The schema that validates the value at `path`, or undefined when the walk gets lost. */
export function schemaAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): z.ZodType | undefined {
  if (!schema) return undefined;
  const s = unwrap(schema);
  if (path.length === 0) return schema;
  const [key, ...rest] = path;
  const def = defOf(s);
  switch (def.type) {
    case 'object':
      return schemaAt(def.shape?.[String(key)], rest);
    case 'array':
      return schemaAt(def.element, rest);
    case 'record':
      return schemaAt(def.valueType, rest);
    case 'tuple':
      return schemaAt(def.items?.[Number(key)], rest);
    case 'union':
      for (const option of def.options ?? []) {
        const found = schemaAt(option, path);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Of a union of a value and an array (`2` or `[1, 2]`, the guest's shape fields), the option
 * the received value was meant for, by whether it is an array: a message then says what was
 * expected of that value, as it did before the field took arrays. Any other schema as it is.
 */
function optionFor(schema: z.ZodType, value: unknown): z.ZodType {
  const def = defOf(unwrap(schema));
  if (def.type !== 'union') return schema;
  const fitting = (def.options ?? []).filter((o) => (defOf(unwrap(o)).type === 'array') === Array.isArray(value));
  return fitting.length === 1 ? fitting[0]! : schema;
}

/** The fields of an object schema, looking through defaults, optionals and pipes. */
export function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  if (!schema) return undefined;
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** Looks through wrappers that do not change the shape of the input. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : def.type === 'lazy' ? def.getter?.() : undefined);
    if (!next) return s;
    s = next;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
