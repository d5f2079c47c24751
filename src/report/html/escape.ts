/** Escaping for the HTML page: every string that came from a run (a guest, a host, a user) goes through one of these. */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON placed inside a `<script type="application/json">` element: `<`, `>` and `&` as
 * \u escapes (no `</script>` or `<!--` can end the element), and the line separators that
 * older JavaScript parsers reject. JSON.parse gives back exactly the original value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A library's source inlined into a `<script>` element; refuses one that could end the element early. */
export function scriptText(source: string, name: string): string {
  if (/<\/script|<!--/i.test(source)) throw new Error(`${name}: its source contains "</script" or "<!--" and cannot be inlined as is`);
  return source;
}
