/**
 * The folder of a run that holds its scratch disks, by name inside the run folder. They live
 * there and never on tmpfs because QEMU opens them with O_DIRECT; the runner removes them
 * after each case, `clean` after a run that was killed.
 */
export const SCRATCH_DIR = 'scratch';
