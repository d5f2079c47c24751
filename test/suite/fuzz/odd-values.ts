/**
 * Values a suite file should never get away with. `UNIVERSAL` is refused at every position of
 * a suite (no field takes null, a function, a symbol, a BigInt, a non-finite number or an
 * empty array); the rest are refused where a value of another type is expected.
 */

export const LONG = 'x'.repeat(100_000);

/** Refused by every field, parameter and list entry of a suite. */
export function universal(): unknown[] {
  return [null, () => 1, function named() {}, class {}, Symbol('odd'), Symbol.iterator, 10n, -1n, NaN, Infinity, -Infinity, []];
}

/** Values not of `kind`, odd ones included; each is refused where a `kind` is expected. */
export function wrongTypes(kind: 'string' | 'number' | 'boolean' | 'object' | 'array'): unknown[] {
  const all: Record<string, unknown[]> = {
    string: ['', 'x', LONG, '\u0000', '\u001b[2J', '\ud800', 'constructor', '__proto__'],
    number: [0, -0, 1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324],
    boolean: [true, false],
    object: [{}, Object.create(null), { constructor: 1 }],
    // As a workload parameter an array is an axis: each of these holds a value no parameter takes.
    array: [[[1]], ['tcg'], [[]], [null], [{}]],
  };
  return Object.entries(all)
    .filter(([k]) => k !== kind)
    .flatMap(([, values]) => values)
    .concat(universal());
}

/** `{ a: { a: … } }` or `[[[…]]]`, `depth` levels deep. */
export function deep(depth: number, array: boolean): unknown {
  let v: unknown = array ? [1] : { a: 1 };
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

/** An object or array that contains itself. */
export function cyclic(array: boolean): unknown {
  if (array) {
    const a: unknown[] = [1];
    a.push(a);
    return a;
  }
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

/** Defines `key` on `target` as a getter that throws, as a hostile or buggy suite file could. */
export function defineThrowingGetter(target: object, key: PropertyKey): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      throw new Error(`getter ${String(key)} refuses to be read`);
    },
  });
}
