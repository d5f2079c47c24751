import type { RunningVm, VmExit, VmmUsage } from './backend.ts';
import type { VmLifecycle } from './vm-lifecycle.ts';

/**
 * A RunningVm whose console, end, kill, usage and log are its VmLifecycle's: a backend's VM
 * class extends this, makes its lifecycle in its constructor, and adds only its own (start-up,
 * guest-stop handling, how to read usage and end the VMM).
 */
export abstract class LifecycleVm implements RunningVm {
  abstract readonly pid: number;
  abstract accel: string;
  protected abstract readonly life: VmLifecycle;

  onConsole(listener: (chunk: string) => void): void {
    this.life.onConsole(listener);
  }

  wait(): Promise<VmExit> {
    return this.life.wait();
  }

  kill(reason: string): Promise<void> {
    return this.life.kill(reason);
  }

  usage(): Promise<VmmUsage | undefined> {
    return this.life.usage();
  }

  vmmLog(): string {
    return this.life.vmmLog();
  }
}
