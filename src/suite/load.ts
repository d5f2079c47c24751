import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, HvbError } from '../util/errors.ts';
import { SUITE_LOAD_TIMEOUT_MS } from './defaults.ts';
import { expandSuite } from './expand.ts';
import { suiteError } from './problems.ts';
import { resolveSuite } from './resolve.ts';
import { resolveHvbenchAnywhere } from './self-resolve.ts';
import type { ResolvedSuite, SuiteDeps } from './types.ts';

/**
 * Imports a suite file (TypeScript or JavaScript; the CLI runs under tsx), validates
 * it completely, parameter values included, and returns it with every default filled
 * in. The suite is the file's default export, or else an export named `suite`.
 * Every error names the file as it was given.
 *
 * A suite file is code: importing it runs it, with the rights of the user running
 * hvbench. `import … from 'hvbench'` works wherever the file is (self-resolve.ts). A file
 * whose top-level code has not finished after `timeoutMs` (a top-level await that never
 * settles) is given up with an error naming it.
 */
export async function loadSuite(file: string, deps: SuiteDeps, options: { timeoutMs?: number } = {}): Promise<ResolvedSuite> {
  const abs = path.resolve(file);
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isFile()) {
    throw new HvbError('suite-not-found', `${file}: ${info ? 'is not a file' : 'no such suite file'}`, {
      hint: 'Give the path of a suite file, for example suites/quick.ts.',
    });
  }
  resolveHvbenchAnywhere();
  const timeoutMs = options.timeoutMs ?? SUITE_LOAD_TIMEOUT_MS;
  let mod: Record<string, unknown>;
  let timer: NodeJS.Timeout | undefined;
  try {
    // The timer also keeps Node alive: a top-level await that never settles would otherwise end the process (exit 13) without a word.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HvbError(
              'suite-import',
              `${file}: the suite file did not finish loading within ${timeoutMs / 1000} s (a top-level await that never settles?)`,
              { hint: 'A suite file should only describe the suite: remove what it waits for at load time.' },
            ),
          ),
        timeoutMs,
      );
    });
    mod = (await Promise.race([import(pathToFileURL(abs).href), timeout])) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof HvbError && e.code === 'suite-import') throw e;
    throw new HvbError('suite-import', `${file}: the suite file failed to load: ${describeError(e)}`, {
      cause: e,
      hint: 'Run the file alone with `npx tsx <file>` to see the full error and where it comes from.',
    });
  } finally {
    clearTimeout(timer);
  }
  let value: unknown;
  let names: string[];
  try {
    value = pickExport(mod);
    names = value === undefined ? Object.keys(mod) : [];
  } catch (e) {
    // An export that is a Proxy (or has a getter) that throws when it is looked at.
    throw suiteError(file, [{ path: [], message: `its export could not be read: ${describeError(e)}` }]);
  }
  if (value === undefined) {
    throw new HvbError('suite-no-export', `${file}: no suite exported (found ${names.length ? `exports ${names.join(', ')}` : 'no exports'})`, {
      hint: 'End the file with `export default defineSuite({ … })`, or export it as `export const suite = defineSuite({ … })`.',
    });
  }
  try {
    const suite = resolveSuite(value, deps, file);
    expandSuite(suite, deps, { source: file }); // checks every parameter value now, not mid-run
    return suite;
  } catch (e) {
    if (e instanceof HvbError) throw e;
    // A trap or getter of the suite value that threw somewhere the checks did not expect.
    throw suiteError(file, [{ path: [], message: `could not be read: ${describeError(e)}` }]);
  }
}

/** The default export, else `suite`; sees through the wrapper of a file loaded as CommonJS. */
function pickExport(mod: Record<string, unknown>): unknown {
  const inner = mod.default;
  if (inner !== null && typeof inner === 'object' && (inner as { __esModule?: unknown }).__esModule === true) {
    return pickExport(inner as Record<string, unknown>);
  }
  return mod.default ?? mod.suite;
}
