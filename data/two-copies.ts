import { createHash } from 'node:crypto';
import { closeSync, constants, fdatasyncSync, ftruncateSync, openSync, readFileSync, rmSync, writevSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * A small file written often (a conversation's state, every turn), kept as two copies that are written in turn, each
 * in place: `<name>.json` and `<name>.1.json`. A write goes over the older copy; the newer one stays whole meanwhile,
 * so a write cut off by a crash leaves the one before it. Writing in place costs a third of writing a new file and
 * renaming it over the old one, as an atomic write must: on ext4 a rename over a file that has data starts writing
 * the new file's blocks out at once (auto_da_alloc), 0.3 ms of CPU a turn in the bot (issue 17).
 *
 * A copy starts with a line `#1 <sequence> <bytes> <sha-1, 16 hex>`, then the JSON: the higher sequence of the two
 * copies that are whole (length and checksum) is the text. A file that is only JSON (written before) counts as
 * sequence 0. Files are created 0600.
 */

export interface CopyState {
  /** The sequence number of the newest whole copy (0: none, or only an older plain file). */
  sequence: number;
  /** Which copy holds it (0: `<name>.json`, 1: `<name>.1.json`); the next write goes to the other. */
  newest: 0 | 1;
}

/** `other`: the copy that is not the newest is there too (holding an earlier state, or broken). */
export type CopiesRead = { text: string | null; state: CopyState; broken: boolean; other: boolean };

const HEADER = /^#1 (\d+) (\d+) ([0-9a-f]{16})$/;

export const copyFiles = (base: string): [string, string] => [`${base}.json`, `${base}.1.json`];

const checksum = (body: Buffer) => createHash('sha1').update(body).digest('hex').slice(0, 16);

/** One copy as read: its sequence and text, 'absent', or 'broken' (cut off, changed, or no JSON). */
function decode(content: Buffer | undefined): { sequence: number; text: string } | 'absent' | 'broken' {
  if (content === undefined) return 'absent';
  if (content[0] !== 0x23 /* # */) {
    const text = content.toString('utf8');
    try {
      JSON.parse(text);
      return { sequence: 0, text };
    } catch {
      return 'broken';
    }
  }
  const end = content.indexOf(0x0a);
  const header = end < 0 ? undefined : HEADER.exec(content.subarray(0, end).toString('latin1'));
  if (!header) return 'broken';
  const body = content.subarray(end + 1, end + 1 + Number(header[2]));
  if (body.length !== Number(header[2]) || checksum(body) !== header[3]) return 'broken';
  return { sequence: Number(header[1]), text: body.toString('utf8') };
}

/** The newest whole copy of two, and where the next write goes. `broken`: a copy was there and is not whole. */
function choose(contents: [Buffer | undefined, Buffer | undefined]): CopiesRead {
  const [a, b] = contents.map(decode) as [ReturnType<typeof decode>, ReturnType<typeof decode>];
  const broken = a === 'broken' || b === 'broken';
  const whole = [a, b].map((c, i) => (typeof c === 'object' ? { ...c, index: i as 0 | 1 } : undefined)).filter((c) => c !== undefined);
  const newest = whole.sort((x, y) => y.sequence - x.sequence)[0];
  // Nothing whole: the next write goes to `<name>.json`.
  if (!newest) return { text: null, state: { sequence: 0, newest: 1 }, broken, other: false };
  const other = contents[newest.index === 0 ? 1 : 0] !== undefined;
  return { text: newest.text, state: { sequence: newest.sequence, newest: newest.index }, broken, other };
}

const absentIfMissing = (error: unknown): undefined => {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
};

export async function readCopies(base: string): Promise<CopiesRead> {
  const files = copyFiles(base);
  return choose((await Promise.all(files.map((file) => readFile(file).catch(absentIfMissing)))) as [Buffer | undefined, Buffer | undefined]);
}

export function readCopiesSync(base: string): CopiesRead {
  return choose(
    copyFiles(base).map((file) => {
      try {
        return readFileSync(file);
      } catch (error) {
        return absentIfMissing(error);
      }
    }) as [Buffer | undefined, Buffer | undefined],
  );
}

/**
 * Writes `text` over the older copy, in place, with synchronous calls (a small file: the thread pool's round trips
 * would cost more than the calls). With `alone`, the other copy is removed after: nothing of an earlier state stays
 * on disk (a finished or purged intake); the new copy is on disk first (fdatasync, about once per intake), so a power
 * failure cannot leave neither. A short write (a full disk) throws, as writeFile would. Returns the state after.
 */
export function writeCopySync(base: string, state: CopyState, text: string, alone: boolean): CopyState {
  const files = copyFiles(base);
  const target: 0 | 1 = state.newest === 0 ? 1 : 0;
  const sequence = state.sequence + 1;
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.from(`#1 ${sequence} ${body.length} ${checksum(body)}\n`, 'latin1');
  const fd = openSync(files[target], constants.O_WRONLY | constants.O_CREAT, 0o600);
  try {
    const length = header.length + body.length;
    const written = writevSync(fd, [header, body], 0);
    if (written !== length) throw Object.assign(new Error(`${files[target]}: ${written} of ${length} bytes written`), { code: 'ENOSPC' });
    // What a longer earlier state left after the end goes too.
    ftruncateSync(fd, length);
    if (alone) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (alone) rmSync(files[target === 0 ? 1 : 0], { force: true });
  return { sequence, newest: target };
}

export function removeCopiesSync(base: string): void {
  for (const file of copyFiles(base)) rmSync(file, { force: true });
}
