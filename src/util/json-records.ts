import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

/**
 * Every `*.json` file of a state folder that parses as `schema`, and the names of those that
 * do not (so they can be named and removed). A missing folder has none of either.
 */
export function readJsonRecords<T>(dir: string, schema: z.ZodType<T>): { records: T[]; unreadable: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return { records: [], unreadable: [] };
  }
  const records: T[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    try {
      records.push(schema.parse(JSON.parse(readFileSync(join(dir, name), 'utf8'))));
    } catch {
      unreadable.push(name);
    }
  }
  return { records, unreadable };
}
