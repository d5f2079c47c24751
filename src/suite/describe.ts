import { z } from 'zod';

/**
 * Plain-words descriptions of zod schemas and of received values, for error messages
 * of the form "expected an integer ≥ 1, received "two"". Works on any zod 4 schema, so
 * the workloads' own parameter schemas get the same messages as the suite schema.
 */

/** Schemas whose expectation is better said by hand than derived (e.g. a regex). */
export const expectations = z.registry<{ expected: string }>();

// The internal definition fields read here; zod 4 keeps them under `_zod.def`.
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  format?: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  getter?: () => z.ZodType;
}

interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
}

export function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

const INT_FORMATS = new Set(['safeint', 'int32', 'uint32', 'int64', 'uint64']);

/** "an integer ≥ 1", "a number between 0 and 1", `one of "read", "write"`, … */
export function describeSchema(schema: z.ZodType): string {
  const own = expectations.get(schema);
  if (own) return own.expected;
  const def = defOf(schema);
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  switch (def.type) {
    case 'number':
      return describeNumber(def, checks);
    case 'string':
      return describeString(def, checks);
    case 'boolean':
      return 'true or false';
    case 'array': {
      const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      const of = def.element ? ` of ${plural(describeSchema(def.element))}` : '';
      return `${min >= 1 ? 'a non-empty array' : 'an array'}${of}`;
    }
    case 'object':
      return 'an object';
    case 'record':
      return 'an object';
    case 'enum':
      return oneOf(Object.values(def.entries ?? {}));
    case 'literal':
      return oneOf(def.values ?? []);
    case 'null':
      return 'null';
    case 'union':
      return (def.options ?? []).map(describeSchema).join(' or ');
    case 'nullable':
      return `${describeSchema(def.innerType!)} or null`;
    case 'optional':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return describeSchema(def.innerType!);
    case 'pipe':
      return describeSchema(def.in!);
    case 'lazy':
      return describeSchema(def.getter!());
    default:
      return `a value of type ${def.type}`;
  }
}

function describeNumber(def: Def, checks: CheckDef[]): string {
  const isInt = INT_FORMATS.has(def.format ?? '') || checks.some((c) => c.check === 'number_format' && INT_FORMATS.has(c.format ?? ''));
  const base = isInt ? 'an integer' : 'a number';
  const lo = checks.find((c) => c.check === 'greater_than');
  const hi = checks.find((c) => c.check === 'less_than');
  const step = checks.find((c) => c.check === 'multiple_of');
  let range = '';
  if (lo && hi && lo.inclusive && hi.inclusive) range = ` from ${lo.value} to ${hi.value}`;
  else {
    const parts = [lo && `${lo.inclusive ? '≥' : '>'} ${lo.value}`, hi && `${hi.inclusive ? '≤' : '<'} ${hi.value}`];
    range = parts
      .filter(Boolean)
      .map((p) => ` ${p}`)
      .join(' and');
  }
  return `${base}${range}${step ? ` (a multiple of ${step.value})` : ''}`;
}

function describeString(def: Def, checks: CheckDef[]): string {
  const min = checks.find((c) => c.check === 'min_length')?.minimum;
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  const pattern = checks.find((c) => c.check === 'string_format' && c.format === 'regex')?.pattern;
  const format = def.format ?? checks.find((c) => c.check === 'string_format' && c.format !== 'regex')?.format;
  let text = min !== undefined && min >= 1 ? 'a non-empty string' : 'a string';
  if (format) text = `a string in ${format} format`;
  if (pattern) text += ` matching ${String(pattern)}`;
  if (max !== undefined) text += ` of at most ${max} characters`;
  return text;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length === 1 ? shown[0]! : `one of ${shown.join(', ')}`;
}

function plural(description: string): string {
  return description.replace(/^an? (non-empty )?(\w+)/, (_, ne: string | undefined, noun: string) => `${ne ?? ''}${noun}s`);
}

/** `"two"`, `0`, `true`, `null`, `[]`, `an object`, `nothing` — short enough for one line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return `a symbol (${value.toString().slice(0, 40)})`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const json = safeJson(value);
  if (json !== undefined && json.length <= 40) return json;
  if (typeof value === 'string') return `${JSON.stringify(value.slice(0, 37))}…`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return 'an object';
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
