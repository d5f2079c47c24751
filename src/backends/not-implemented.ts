import { HvbError } from '../util/errors.ts';
import type { Backend, Capability } from './backend.ts';

/**
 * A backend that is planned but not written yet. It says so in probe() — never pretends
 * to be available — and refuses to launch.
 */
export function notImplementedBackend(name: string, plan: string): Backend {
  const reason = `not implemented yet (${plan})`;
  return {
    name,
    async probe(): Promise<Capability> {
      return { backend: name, available: false, reason, facts: {} };
    },
    async launch(): Promise<never> {
      throw new HvbError('not-implemented', `the ${name} backend is ${reason}`, {
        hint: `choose another backend; \`hvbench doctor\` lists what runs here`,
      });
    },
  };
}
