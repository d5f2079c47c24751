import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Makes `import { defineSuite } from 'hvbench'` work in a suite file anywhere: users keep
 * suites in their own repositories, where no `hvbench` package is installed. When the
 * normal resolution of `hvbench` fails, it resolves to the public entry of the hvbench
 * that is running (src/index.ts). Both module systems are covered: suite files load as ES
 * modules or, in a folder without `"type": "module"`, as CommonJS (tsx compiles either).
 */

/** The public entry: what `hvbench` means to a suite file. */
export const ENTRY_URL = new URL('../index.ts', import.meta.url).href;

let installed = false;

/** Installs the fallback for both module systems, once per process. */
export function resolveHvbenchAnywhere(): void {
  if (installed) return;
  installed = true;
  // ES modules: a resolve hook, run by Node in its loader thread (so given as source text).
  const hooks = `
const ENTRY = ${JSON.stringify(ENTRY_URL)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    // Resolved again by the next hooks (tsx's), so that they load the TypeScript entry too.
    if (specifier === 'hvbench' && e && (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND')) return next(ENTRY, context);
    throw e;
  }
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  // CommonJS: the resolver require() uses.
  const entryPath = fileURLToPath(ENTRY_URL);
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (e) {
      if (request === 'hvbench' && (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return entryPath;
      throw e;
    }
  };
}
