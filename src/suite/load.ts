import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, HvbError } from '../util/errors.ts';
import { expandSuite } from './expand.ts';
import { resolveSuite } from './resolve.ts';
import type { ResolvedSuite, SuiteDeps } from './types.ts';

/**
 * Imports a suite file (TypeScript or JavaScript; the CLI runs under tsx), validates
 * it completely, parameter values included, and returns it with every default filled
 * in. The suite is the file's default export, or else an export named `suite`.
 * Every error names the file as it was given.
 */
export async function loadSuite(file: string, deps: SuiteDeps): Promise<ResolvedSuite> {
  const abs = path.resolve(file);
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isFile()) {
    throw new HvbError('suite-not-found', `${file}: ${info ? 'is not a file' : 'no such suite file'}`, {
      hint: 'Give the path of a suite file, for example suites/quick.ts.',
    });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new HvbError('suite-import', `${file}: the suite file failed to load: ${describeError(e)}`, {
      cause: e,
      hint: 'Run the file alone with `npx tsx <file>` to see the full error and where it comes from.',
    });
  }
  const value = pickExport(mod);
  if (value === undefined) {
    const names = Object.keys(mod);
    throw new HvbError('suite-no-export', `${file}: no suite exported (found ${names.length ? `exports ${names.join(', ')}` : 'no exports'})`, {
      hint: 'End the file with `export default defineSuite({ … })`, or export it as `export const suite = defineSuite({ … })`.',
    });
  }
  const suite = resolveSuite(value, deps, file);
  expandSuite(suite, deps, { source: file }); // checks every parameter value now, not mid-run
  return suite;
}

/** The default export, else `suite`; sees through the wrapper of a file loaded as CommonJS. */
function pickExport(mod: Record<string, unknown>): unknown {
  const inner = mod.default;
  if (inner !== null && typeof inner === 'object' && (inner as { __esModule?: unknown }).__esModule === true) {
    return pickExport(inner as Record<string, unknown>);
  }
  return mod.default ?? mod.suite;
}
