/** What `qemu-system-x86_64 --version` says. */
export interface QemuVersion {
  /** e.g. `7.2.22` */
  version: string;
  major: number;
  minor: number;
  micro: number;
  /** The distribution's package version, e.g. `Debian 1:7.2+dfsg-7+deb12u18+b3`, when given. */
  package?: string;
}

/**
 * Parses the first line of `qemu-system-x86_64 --version`, e.g.
 * `QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)`.
 */
export function parseQemuVersion(text: string): QemuVersion | undefined {
  const match = /QEMU emulator version (\d+)\.(\d+)(?:\.(\d+))?(?:[^\S\n]*\(([^\n]*)\))?/.exec(text);
  if (!match) return undefined;
  const [, major, minor, micro = '0', pkg] = match;
  const version = match[3] === undefined ? `${major}.${minor}` : `${major}.${minor}.${micro}`;
  const trimmed = pkg?.trim();
  return {
    version,
    major: Number(major),
    minor: Number(minor),
    micro: Number(micro),
    ...(trimmed ? { package: trimmed } : {}),
  };
}

/** The accelerators listed by `qemu-system-x86_64 -accel help`. */
export function parseAccelHelp(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const start = lines.findIndex((line) => /^Accelerators supported/i.test(line));
  if (start < 0) return [];
  return lines.slice(start + 1).filter((line) => /^[a-z][a-z0-9_-]*$/.test(line));
}
