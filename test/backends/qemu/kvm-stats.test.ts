import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KVM_COUNTERS, parseKvmDebugfs } from '../../../src/backends/qemu/kvm-stats.ts';

// `grep -r -s -H '' /sys/kernel/debug/kvm` in the KVM lab (Debian's 6.1 kernel) while QEMU
// pid 422 ran a guest: the VM's folder, its vCPU's subfolder and the machine-wide sums.
const captured = readFileSync(new URL('./fixtures/kvm-debugfs-grep.txt', import.meta.url), 'utf8');

describe("KVM's per-VM statistics in debugfs", () => {
  it("reads the kept counters of the VM's own folder, not its vCPU's nor the machine's", () => {
    const counts = parseKvmDebugfs(captured, 422);
    expect(Object.keys(counts ?? {}).sort()).toEqual([...KVM_COUNTERS].sort());
    expect(counts).toMatchObject({ exits: 2824, io_exits: 1461, mmio_exits: 33, irq_exits: 423, halt_exits: 0 });
  });

  it('has nothing for a pid without a VM folder', () => {
    expect(parseKvmDebugfs(captured, 4220)).toBeUndefined();
    expect(parseKvmDebugfs('', 422)).toBeUndefined();
  });
});
