/**
 * The little XML domain definitions need: escaped text and attributes, and elements built
 * from them. Every value that comes from a spec (paths, the command line, names) goes through
 * escape(), so no value can end an attribute or open an element of its own.
 */

/** Text or an attribute value with `&`, `<`, `>`, `"` and `'` escaped; control characters XML 1.0 cannot hold are refused. */
export function escapeXml(value: string): string {
  // Tab, newline and carriage return are the only control characters XML 1.0 allows.
  if (/[\0-\x08\x0b\x0c\x0e-\x1f]/.test(value)) throw new Error(`a control character cannot be written into domain XML: ${JSON.stringify(value)}`);
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Attributes in the order given; undefined ones are left out. */
export type Attrs = Readonly<Record<string, string | number | undefined>>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}='${escapeXml(String(v))}'`)
    .join('');
}

/** `<name attrs/>`, or `<name attrs>text</name>` with the text escaped. */
export function leaf(name: string, a: Attrs = {}, text?: string): string {
  return text === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${escapeXml(text)}</${name}>`;
}

/** An element holding child elements (already XML), indented two spaces a level. */
export function node(name: string, a: Attrs, children: readonly string[]): string {
  if (children.length === 0) return leaf(name, a);
  const inner = children.flatMap((c) => c.split('\n').map((line) => `  ${line}`));
  return [`<${name}${attrs(a)}>`, ...inner, `</${name}>`].join('\n');
}
