import { all, type IndexDb } from './db.ts';
import { type PackedSamples, profileId, type SampleProfile } from './packed.ts';

/**
 * The index's profiles (packed.ts), each stored once for every run that has it: a run's
 * samples of a metric name theirs by number. A profile no run names any more stays until the
 * index is rebuilt (a few hundred bytes; the folders never depend on it).
 */

/** A run's samples of a metric as stored: the profiles by their number in the profiles table. */
export type StoredPacked = Omit<PackedSamples, 'profiles'> & { profiles: number[] };

/** The profiles of the index, to number those of runs being indexed (within the sync's transaction). */
export interface ProfileNumbers {
  store(packed: PackedSamples): Promise<StoredPacked>;
}

export async function profileNumbers(db: IndexDb): Promise<ProfileNumbers> {
  const known = new Map<string, number>();
  let next = 1;
  for (const [id, body] of await all(db, 'SELECT id, body FROM profiles')) {
    known.set(String(body), Number(id));
    next = Math.max(next, Number(id) + 1);
  }
  return {
    async store(packed) {
      const ids: number[] = [];
      for (const p of packed.profiles) {
        const body = profileId(p);
        let id = known.get(body);
        if (id === undefined) {
          id = next++;
          known.set(body, id);
          await db.conn.run('INSERT INTO profiles VALUES ($1, $2)', [id, body]);
        }
        ids.push(id);
      }
      return { ...packed, profiles: ids };
    },
  };
}

/**
 * The stored samples back with their profiles; a profile named by many runs is one object
 * (which grouping relies on to work once per profile).
 */
export async function withProfiles(db: IndexDb, stored: ReadonlyMap<number, StoredPacked>): Promise<Map<number, PackedSamples>> {
  const ids = [...new Set([...stored.values()].flatMap((s) => s.profiles))];
  const profiles = new Map<number, SampleProfile>();
  if (ids.length > 0) {
    for (const [id, body] of await all(db, `SELECT id, body FROM profiles WHERE id IN (${ids.map((i) => Math.trunc(i)).join(', ')})`)) {
      const [unit, better, keys, dims] = JSON.parse(String(body)) as [
        SampleProfile['unit'],
        SampleProfile['better'],
        SampleProfile['keys'],
        SampleProfile['dims'],
      ];
      profiles.set(Number(id), { unit, better, keys, dims });
    }
  }
  const out = new Map<number, PackedSamples>();
  for (const [key, s] of stored) {
    out.set(key, {
      ...s,
      profiles: s.profiles.map((id) => {
        const p = profiles.get(id);
        if (p === undefined) throw new Error(`results index: profile ${id} is missing (rebuild the index: hvbench index rebuild)`);
        return p;
      }),
    });
  }
  return out;
}
