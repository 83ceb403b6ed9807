import { chmod, lstat, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createReferralFolder, hasReferralStore, REFERRALS_DIR } from './referral-files.js';
import { formatIssues } from './zod-messages.js';

/**
 * The lowdb folder holds health data of families (domain.md, privacy): only the bot's own user may read it, a crash
 * leaves nothing behind in it, and a file that went missing is never taken for an empty store. Run by the process
 * that holds the folder's lock (data/data-dir-lock.ts), before the stores are opened.
 */

/** Folders 0700 and files 0600: nobody but the bot's own user reads or lists them. */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The folder of the conversation state (one file per conversation and user). */
export const CONVERSATIONS_DIR = 'conversations';
const AUDIT = 'audit.jsonl';
/** The files of the stores beside the aanmeldingen: any of them means the folder has been in use. */
const OTHER_STORE_FILES = [AUDIT, 'channels.json', 'people.json', 'outbox.json'];

export class DataDirError extends Error {}

export interface DataDirReport {
  /** Temporary files a crash left behind (a write that never got renamed into place), now removed. */
  temporaryFilesRemoved: number;
  /** Folders and files whose permissions were wider than 0700/0600, now narrowed. */
  permissionsFixed: number;
  /** A folder without any store file: the stores start empty (and their files are written now). */
  fresh: boolean;
}

export async function prepareDataDir(dataDir: string): Promise<DataDirReport> {
  const report: DataDirReport = { temporaryFilesRemoved: 0, permissionsFixed: 0, fresh: false };
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  await tidy(dataDir, report, 0);

  // The aanmeldingen: the folder referrals/ (with its sequences.json), or referrals.json of an earlier version.
  if (!(await hasReferralStore(dataDir))) {
    // The access log records every aanmelding made: if it names any, the aanmeldingen were lost, not never written.
    const made = await aanmeldingenInAuditLog(path.join(dataDir, AUDIT));
    if (made > 0) {
      throw new DataDirError(
        `${path.join(dataDir, REFERRALS_DIR)} ontbreekt, terwijl het toegangslog (${AUDIT}) ${made} aanmelding${made === 1 ? '' : 'en'} noemt: de bot start niet met een lege lijst aanmeldingen (hij zou kenmerken opnieuw uitdelen). Zet de map terug uit een back-up.`,
      );
    }
    // A fresh folder (or one of an earlier version in which no aanmelding was ever sent): make the empty store now,
    // so that from here on a missing one is noticed.
    report.fresh = (await existing(dataDir, OTHER_STORE_FILES)).length === 0 && (await conversationFiles(path.join(dataDir, CONVERSATIONS_DIR))) === 0;
    await createReferralFolder(dataDir);
  }
  // Created here with 0600: the audit log appends to it, and an append keeps the mode the file has.
  await (await open(path.join(dataDir, AUDIT), 'a', FILE_MODE)).close();
  return report;
}

/** How many aanmeldingen the access log says were made (0 when there is no log). */
async function aanmeldingenInAuditLog(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 0;
  }
  return text.split('\n').filter((line) => line.includes('"event":"aanmelding.aangemaakt"')).length;
}

/**
 * Removes `*.tmp` (DurableJSONFile's `<file>.<pid>.<n>.tmp`, lowdb's `.<file>.tmp`) and narrows permissions, in the
 * folder itself and one level down (conversations/, the lock; referrals/ only itself). Symbolic links and what belongs to another user are
 * left alone.
 */
async function tidy(dir: string, report: DataDirReport, depth: number): Promise<void> {
  await narrow(dir, DIR_MODE, report);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.tmp')) {
      await rm(file, { force: true });
      report.temporaryFilesRemoved++;
    } else if (entry.isFile()) {
      await narrow(file, FILE_MODE, report);
    } else if (entry.isDirectory() && depth === 0 && entry.name === REFERRALS_DIR) {
      // One file per aanmelding, each written 0600 by the store, which removes its own temporary files: only the
      // folder is narrowed here, so a start does not look at every record.
      await narrow(file, DIR_MODE, report);
    } else if (entry.isDirectory() && depth === 0) {
      await tidy(file, report, depth + 1);
    }
  }
}

async function narrow(file: string, mode: number, report: DataDirReport): Promise<void> {
  const stat = await lstat(file);
  if (stat.isSymbolicLink() || (process.getuid && stat.uid !== process.getuid())) return;
  if ((stat.mode & 0o777) === mode) return;
  await chmod(file, mode);
  report.permissionsFixed++;
}

async function existing(dir: string, files: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    if (await lstat(path.join(dir, file)).then(() => true, () => false)) found.push(file);
  }
  return found;
}

async function conversationFiles(dir: string): Promise<number> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.json')).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * Opens one store file; a file that cannot be read as the store says why in one line that names the file and its
 * first problem (never its content: it may hold a family's data), instead of a parser's dump.
 */
export async function openingFile<T>(file: string, openIt: () => Promise<T>): Promise<T> {
  try {
    return await openIt();
  } catch (error) {
    const problem = firstProblem(error);
    if (problem === undefined) throw error;
    throw new DataDirError(`${file} is beschadigd: ${problem}. De bot start niet; zet het bestand terug uit een back-up of herstel het.`);
  }
}

function firstProblem(error: unknown): string | undefined {
  if (error instanceof z.ZodError) return formatIssues(error)[0] ?? 'heeft niet de verwachte vorm';
  if (error instanceof SyntaxError) {
    // JSON.parse's message quotes the text around the problem: only its kind and place are repeated here.
    if (/end of JSON input/i.test(error.message)) return 'geen geldige JSON (het bestand houdt halverwege op)';
    const at = /position (\d+)/.exec(error.message)?.[1];
    return `geen geldige JSON${at ? ` (bij teken ${at})` : ''}`;
  }
  return undefined;
}
