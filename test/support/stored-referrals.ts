import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { byAge } from '../../data/referral-files.js';

/**
 * The aanmeldingen as a lowdb bot stored them (DATA_DIR/referrals/, one file each), read raw from disk, oldest first:
 * what a test checks was really written, not what a store in memory thinks.
 */
export async function storedReferrals(dataDir: string): Promise<Record<string, any>[]> {
  const dir = path.join(dataDir, 'referrals');
  const names = (await readdir(dir)).filter((name) => /^AM-\d{4}-\d+\.json$/.test(name));
  const records = await Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Record<string, any>));
  return records.sort((a, b) => byAge(a as { createdAt: string; reference: string }, b as { createdAt: string; reference: string }));
}

/** The stored aanmeldingen as one text (to look for a family's name in what is on disk). */
export async function storedReferralsText(dataDir: string): Promise<string> {
  return JSON.stringify(await storedReferrals(dataDir));
}
