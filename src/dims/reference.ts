/**
 * The reference every backend is compared with by default: the workload run on the host
 * itself. The one name of a backend that code outside src/backends/ may compare with.
 */
export const REFERENCE_BACKEND = 'native';
