import { QmpCommandError, type QmpClient } from './qmp.ts';

export type ConfirmedAccel = 'tcg' | 'kvm' | 'unknown';

export interface AccelEvidence {
  accel: ConfirmedAccel;
  /** What QEMU said, for error messages and logs. */
  evidence: string;
}

/** QEMU's answers to `query-kvm` and `info jit` (an error text when the command failed). */
export interface AccelAnswers {
  kvm: { enabled?: boolean; present?: boolean } | string;
  jit: string | undefined;
}

/** The commands that produce AccelAnswers, as QMP messages (for `-qmp stdio` use). */
export const ACCEL_QUERIES = {
  kvm: { execute: 'query-kvm' },
  jit: { execute: 'human-monitor-command', arguments: { 'command-line': 'info jit' } },
} as const;

/**
 * Decides from evidence: `query-kvm` reporting `enabled: true` means KVM; otherwise an
 * `info jit` that prints translation-buffer statistics means TCG (without TCG it prints
 * "JIT information is only available with accel=tcg"). Anything else is `unknown`.
 */
export function classifyAccel(answers: AccelAnswers): AccelEvidence {
  const said: string[] = [];
  const { kvm, jit } = answers;
  said.push(typeof kvm === 'string' ? `query-kvm: ${kvm}` : `query-kvm: present=${kvm.present}, enabled=${kvm.enabled}`);
  if (typeof kvm !== 'string' && kvm.enabled === true) return { accel: 'kvm', evidence: said.join('; ') };
  const firstLine = jit?.split(/\r?\n/)[0]?.trim();
  said.push(`info jit: ${firstLine || '(no answer)'}`);
  if (jit !== undefined && /Translation buffer/i.test(jit)) return { accel: 'tcg', evidence: said.join('; ') };
  return { accel: 'unknown', evidence: said.join('; ') };
}

/** Asks a running QEMU which accelerator it really uses. A lost connection throws. */
export async function confirmAccel(qmp: QmpClient): Promise<AccelEvidence> {
  const kvm = await answerOrError(() => qmp.execute<{ enabled?: boolean; present?: boolean }>('query-kvm'));
  const jit = await answerOrError(() => qmp.execute<string>(ACCEL_QUERIES.jit.execute, { ...ACCEL_QUERIES.jit.arguments }));
  return classifyAccel({ kvm, jit });
}

/** The command's answer, or its error text when QEMU refused it. */
async function answerOrError<T>(run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof QmpCommandError) return `${error.errorClass}: ${error.desc}`;
    throw error;
  }
}
