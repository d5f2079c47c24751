import { describe, expect, it } from 'vitest';
import { STALE_REMOTE_AGE_S, staleInSurvey } from '../../src/network/netns-remote-stale.ts';

const now = 1_700_000_000;
const old = now - STALE_REMOTE_AGE_S;
const young = now - 5;

describe('what hvbench networks left on another host', () => {
  it('an empty hvbench namespace is stale once old; one with processes, or a young one, is left alone', () => {
    const survey = [String(now), `ns hvb-10-20-aaaa ${old} 0`, `ns hvb-11-21-bbbb ${old} 3`, `ns hvb-12-22-cccc ${young} 0`, `ns hvb-not-ours ${old} 0`].join(
      '\n',
    );
    expect(staleInSurvey(survey).namespaces).toEqual(['hvb-10-20-aaaa']);
  });

  it('a peer folder is stale when old and its namespace is gone or stale; never a folder of a live namespace or a young one', () => {
    const survey = [
      String(now),
      `ns hvb-10-20-aaaa ${old} 0`,
      `ns hvb-11-21-bbbb ${old} 3`,
      `dir /tmp/hvb-peers-hvb-10-20-aaaa-0123456789ab ${old}`,
      `dir /tmp/hvb-peers-hvb-11-21-bbbb-0123456789ab ${old}`,
      `dir /tmp/hvb-peers-hvb-13-23-dddd-0123456789ab ${old}`,
      `dir /tmp/hvb-peers-hvb-14-24-eeee-0123456789ab ${young}`,
      `dir /tmp/hvb-peers-other ${old}`,
      `dir relative/hvb-peers-hvb-15-25-ffff-0123456789ab ${old}`,
    ].join('\n');
    expect(staleInSurvey(survey).peerDirs).toEqual(['/tmp/hvb-peers-hvb-10-20-aaaa-0123456789ab', '/tmp/hvb-peers-hvb-13-23-dddd-0123456789ab']);
  });

  it('without the clock nothing young can be told apart: only empty namespaces count, as unmarked bridges do', () => {
    expect(staleInSurvey(`garbage\nns hvb-10-20-aaaa ${young} 0\nns hvb-11-21-bbbb ${young} 1`).namespaces).toEqual(['hvb-10-20-aaaa']);
    expect(staleInSurvey('')).toEqual({ namespaces: [], peerDirs: [] });
  });
});
