import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const BIN = fileURLToPath(new URL('../../bin/hvbench.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the real CLI (`node bin/hvbench.js …`) from the repository root, with CI-style plain progress. */
export function hvbench(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}) {
  return execa('node', [BIN, ...args], { cwd: REPO, reject: false, env: { CI: '1', ...options.env }, timeout: options.timeoutMs ?? 60_000 });
}
