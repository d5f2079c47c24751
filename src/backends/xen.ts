import type { Backend } from './backend.ts';
import { notImplementedBackend } from './not-implemented.ts';

/** Xen through `xl` in a dom0 host. Not written yet. */
export const xenBackend: Backend = notImplementedBackend('xen', 'the Xen backend is planned; tcg runs everywhere');
