/**
 * Which counted events have a unit cost, and which micro figure gives it: the table the
 * explained-overhead model (explained.ts) reads. Keyed by counter name (as the VMM names
 * it, see docs/overhead.md), never by backend: a backend whose counters are not here is
 * not modelled, with the reason its counters' source gives.
 */

/** The micro workload's operations a cost can come from (`micro.<op>_ns`); `devport` is a read of /dev/port where IN faults in user mode. */
export type MicroOp = 'cpuid' | 'syscall' | 'pagefault' | 'ioport' | 'rdtsc' | 'devport';
export const MICRO_OPS: readonly MicroOp[] = ['cpuid', 'syscall', 'pagefault', 'ioport', 'rdtsc', 'devport'];

/** A unit cost from micro figures: the sum of `plus` less the sum of `minus` (ns). */
export interface Price {
  plus: readonly MicroOp[];
  minus: readonly MicroOp[];
}

/** `micro.ioport_ns`, `micro.devport_ns − micro.syscall_ns`. */
export function priceText(p: Price): string {
  return [p.plus.map((o) => `micro.${o}_ns`).join(' + '), ...p.minus.map((o) => `micro.${o}_ns`)].join(' − ');
}

export interface CounterCost {
  /** The counter (`io_exits`), or the derived `other_exits`. */
  counter: string;
  /** What a reader sees. */
  label: string;
  /** The micro figure that prices one event; undefined: listed, not counted as overhead. */
  micro?: MicroOp;
  /** The price where b has no `micro` figure, tried in order. */
  fallback?: readonly Price[];
  /** Why this price, or why none. */
  note: string;
}

/**
 * Where an IN from user mode faults (a nested hypervisor's emulated CPU), micro times a read of
 * /dev/port instead: a system call whose kernel side does the IN. Less the null system call,
 * that is the port access.
 */
const DEVPORT: Price = { plus: ['devport'], minus: ['syscall'] };

/** Exits that are neither port I/O, MMIO nor halts: `exits` less those. */
export const OTHER_EXITS = 'other_exits';
export const OTHER_EXITS_FROM = { total: 'exits', less: ['io_exits', 'mmio_exits', 'halt_exits'] } as const;

export const COUNTER_COSTS: readonly CounterCost[] = [
  { counter: 'io_exits', label: 'port I/O exits', micro: 'ioport', fallback: [DEVPORT], note: 'one access to an unclaimed port: micro.ioport_ns' },
  {
    counter: 'mmio_exits',
    label: 'MMIO exits',
    micro: 'ioport',
    fallback: [DEVPORT],
    note: 'priced as a port I/O exit, a lower bound: an MMIO exit also decodes the faulting instruction',
  },
  {
    counter: OTHER_EXITS,
    label: 'other exits',
    micro: 'cpuid',
    note: 'exits − io − mmio − halt, priced as a CPUID exit: the lightest exit the kernel handles',
  },
  { counter: 'halt_exits', label: 'halt exits', note: 'an idle vCPU waiting, not overhead: listed, not counted' },
];

export function counterCost(counter: string): CounterCost | undefined {
  return COUNTER_COSTS.find((c) => c.counter === counter);
}

/**
 * Why a case whose counters have no unit cost is not modelled, by its counters' source
 * (the `event_source` dimension); a source not listed gets the general reason.
 */
export const NOT_MODELLED_BY_SOURCE: Readonly<Record<string, string>> = {
  'qemu-jit': "TCG's cost is translation and its helpers, not events with a unit cost: its counts are shown as they are",
  'proc-faults': 'native counts its page faults only: they have no unit cost in the model',
  'proc-rusage': 'native counts its page faults and context switches: they have no unit cost in the model',
  xentop: "Xen's counts are its PV back ends' requests and traffic (xentop), not exits with a unit cost: they are shown as they are",
  none: 'nothing was counted (the repetition log says why)',
};
export const NOT_MODELLED_REFERENCE = 'the reference: its counts are the baseline the others are set against';
export const NOT_MODELLED_NO_COST = 'none of its counters has a unit cost in the model (docs/overhead.md)';
