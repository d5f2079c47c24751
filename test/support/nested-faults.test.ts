import { describe, expect, it } from 'vitest';
import { isDom0Fault, isLabSshLoss, isNestedFault, resumeDecision } from './nested-faults.ts';

// The messages are the ones the lab produced (CI and by hand) when the nested SVM emulation broke a guest.
const seen = [
  'repetition 1: the guest reported: step randread exited with status 139; the guest kernel said: fio[312]: segfault at 0 ip 0 sp 0 error 4',
  'repetition 1: the guest stopped before the job was done (guest crashed (kernel panic)); the guest kernel panicked: Fatal exception in interrupt',
  'repetition 6: the guest stopped before the job was done (guest rebooted (an HVM guest that panics with panic=-1 reboots))',
  'repetition 1: output of guest step "randwrite-report" arrived damaged: 6448 bytes decoded, the guest sent 6592',
];
const failed = (id: string, message: string) => ({ id, status: 'failed', error: { message } });

describe('nested-fault signatures of the lab tests', () => {
  it('match the failures the nested emulation caused, for the guest types named', () => {
    for (const m of seen) expect(isNestedFault(failed('xen:pvh/disk/io=paravirtual', m), ['pvh']), m).toBe(true);
  });

  it('never match a PV guest, a completed case or another failure', () => {
    for (const m of seen) expect(isNestedFault(failed('xen:pv/disk/io=paravirtual', m), ['pvh'])).toBe(false);
    expect(isNestedFault({ id: 'xen:pvh/cpu', status: 'completed', error: { message: seen[0]! } }, ['pvh'])).toBe(false);
    for (const m of [
      'repetition 1: the guest reported: step randread exited with status 1',
      'repetition 1: the VM did not start: xl create ended before the domain ran: exit code 6',
      'repetition 1: timed out after 300 s',
      'repetition 1: fio output: the JSON report does not parse',
    ]) {
      expect(isNestedFault(failed('xen:pvh/disk', m), ['pvh']), m).toBe(false);
    }
  });

  it("tell dom0's failure to unpack a kernel (CI's words) from every other failure to start", () => {
    const xl = [
      'repetition 1: guest 1 ended before the start barrier (1 of 2 were waiting): the VM did not start: xl create ended before the domain ran: exit code 3; xl said:',
      'Parsing config from /tmp/hvbench-xen-81cf86e44bdf/hvb-cpu-r1-g1-12abd0dd.cfg',
      'xc: error: panic: xg_dom_bzimageloader.c:760: xc_dom_probe_bzimage_kernel unable to XZ decompress kernel: Invalid kernel',
      'xc: error: panic: xg_dom_core.c:689: xc_dom_find_loader: no loader found: Invalid kernel',
    ].join('\n');
    expect(isDom0Fault(failed('xen:pv/cpu/guests=2,timeSec=2', xl))).toBe(true);
    expect(isDom0Fault({ id: 'xen:pv/cpu', status: 'completed', error: { message: xl } })).toBe(false);
    expect(isDom0Fault(failed('tcg/cpu', xl))).toBe(false);
    expect(isDom0Fault(failed('xen:pv/cpu', 'repetition 1: the VM did not start: xl create ended before the domain ran: exit code 6'))).toBe(false);
  });

  it("tell a lab's lost SSH channel (the Xen lab's words) from a remote host that died and from any other exit", () => {
    const lost =
      'repetition 1: the VMM exited with status 255 before the job was done; the VMM said: hvbench: the ssh connection to host "lab-xen" was lost (ssh exited with status 255): the host went down or the network failed';
    expect(isLabSshLoss(failed('xen:pv/net/io=paravirtual,timeSec=2', lost))).toBe(true);
    expect(isLabSshLoss({ id: 'xen:pv/net', status: 'completed', error: { message: lost } })).toBe(false);
    expect(isLabSshLoss(failed('kvm/cpu', lost.replace('lab-xen', 'remote')))).toBe(false);
    expect(isLabSshLoss(failed('xen:pv/net', 'repetition 1: the VMM exited with status 1 before the job was done; the VMM said: xl: error'))).toBe(false);
  });

  it('resume known faults always, and one unexplained failure only while the budget lasts', () => {
    const nested = failed('xen:pvh/disk/io=paravirtual', seen[0]!);
    // CI's words for the PV net case that failed once and never again by hand.
    const odd = failed('xen:pv/net/io=paravirtual,timeSec=2', 'repetition 1: iperf3 reported: control socket has closed unexpectedly');
    const other = failed('xen:pv/disk/io=paravirtual', 'repetition 1: fio output: the JSON report does not parse');
    expect(resumeDecision([], ['pv', 'pvh'], 1).resume).toBe(false);
    expect(resumeDecision([nested], ['pv', 'pvh'], 0)).toEqual({ resume: true, unexplained: undefined });
    expect(resumeDecision([nested, odd], ['pv', 'pvh'], 1)).toEqual({ resume: true, unexplained: odd });
    expect(resumeDecision([odd], ['pv', 'pvh'], 0).resume).toBe(false);
    expect(resumeDecision([odd, other], ['pv', 'pvh'], 2).resume).toBe(false);
  });
});
