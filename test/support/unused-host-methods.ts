import type { Host } from '../../src/hosts/host.ts';

const unused = (method: string) => () => Promise.reject(new Error(`fake host: ${method} is not used by this test`));

/** The Host methods a fake does not need; spread into a fake host so each use fails loudly. */
export const unusedHostMethods: Pick<Host, 'writeFile' | 'putFile' | 'connectUnix' | 'signalGroup'> = {
  writeFile: unused('writeFile'),
  putFile: unused('putFile'),
  connectUnix: unused('connectUnix'),
  signalGroup: unused('signalGroup'),
};

/** A local machine without network namespaces whose folders are empty: for leftover scans that must find nothing of the host's own. */
export const noNetnsHost: Host = {
  name: 'local',
  kind: 'local',
  ...unusedHostMethods,
  exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
  spawn: () => {
    throw new Error('not used');
  },
  readFile: async () => '',
  makeTempDir: async () => '',
  removeTree: async () => {},
};
