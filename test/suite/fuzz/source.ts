/**
 * A suite value written back as the text of a suite file, so that malformed suites can be
 * loaded the way users load them. Handles what JSON cannot: NaN, ±Infinity, -0, BigInt,
 * symbols, functions, holes, own `__proto__` keys (as computed keys) and throwing getters.
 * Returns undefined for values it cannot write (cycles, Maps, typed arrays, very deep nesting).
 */
export function toSource(value: unknown, depth = 0, seen = new Set<object>()): string | undefined {
  if (depth > 200) return undefined;
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value); // NaN, Infinity and -Infinity are globals
    case 'bigint':
      return `${value}n`;
    case 'string':
      return JSON.stringify(value);
    case 'symbol':
      return `Symbol(${JSON.stringify(value.description ?? '')})`;
    case 'function':
      return '() => 1';
  }
  if (value === null) return 'null';
  const o = value as object;
  if (seen.has(o)) return undefined;
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return undefined;
  seen.add(o);
  try {
    if (Array.isArray(o)) {
      const items: string[] = [];
      for (let i = 0; i < o.length; i++) {
        if (!(i in o)) {
          items.push('');
          continue;
        }
        if (Object.getOwnPropertyDescriptor(o, i)?.get) return undefined;
        const s = toSource(o[i], depth + 1, seen);
        if (s === undefined) return undefined;
        items.push(s);
      }
      return `[${items.join(', ')}${o.length > 0 && !(o.length - 1 in o) ? ',' : ''}]`;
    }
    const fields: string[] = [];
    for (const key of Object.keys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      if (d.get) {
        fields.push(`get [${JSON.stringify(key)}]() { throw new Error(${JSON.stringify(`getter ${key} refuses to be read`)}); }`);
        continue;
      }
      const s = toSource(d.value, depth + 1, seen);
      if (s === undefined) return undefined;
      fields.push(`[${JSON.stringify(key)}]: ${s}`);
    }
    return `{ ${fields.join(', ')} }`;
  } finally {
    seen.delete(o);
  }
}
