/**
 * Commit a group of files that belong together (an `.npy` and its manifest, a sweep's CSV and
 * JSON, a figure's SVG, PNG and metadata) so that, after any crash, full disk or concurrent
 * writer, the group on disk is either the complete old version or the complete new one.
 *
 * Why a journal (and not only a manifest that pins the data file's hash): a pinned hash lets a
 * reader *detect* a mismatched pair, but the old good pair is already gone by then. A
 * roll-forward journal never loses it:
 *
 * 1. every file is written to a temporary sibling (`<path>.<pid>.<rand>.tmp`) and fsynced; a
 *    failure here (ENOSPC, read-only folder) removes the temporaries and leaves the old group
 *    untouched;
 * 2. under an exclusive `flock` on each target folder (released by the kernel when a process
 *    dies, so a SIGKILL never leaves a stale lock), an intent journal naming every
 *    temporary → target rename is written atomically (temp + fsync + rename) — this is the
 *    commit point;
 * 3. the renames run, the folders are fsynced and the journal is removed.
 *
 * A process that dies after step 2 leaves a journal; the next {@link commitFiles} or
 * {@link readFileGroup} touching that folder (under the same lock) finishes its renames — roll
 * forward, valid because every temporary was complete and fsynced before the journal existed.
 * A process that dies before step 2 leaves only temporaries of a dead pid, which are removed.
 * The lock also keeps two writers of the same outputs from interleaving their renames.
 * Data files that others read without this module (the embed `.npy`) additionally carry their
 * SHA-256 and size in the manifest, so a pair copied or edited by hand is detectable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commitFiles, readFileGroup } from "./commit.ts";
 * const dir = await Deno.makeTempDir();
 * await commitFiles([
 *   { path: `${dir}/x.npy`, content: new Uint8Array([1, 2, 3]) },
 *   { path: `${dir}/x.manifest.json`, content: '{"count": 3}\n' },
 * ]);
 * const [data, manifest] = await readFileGroup([`${dir}/x.npy`, `${dir}/x.manifest.json`]);
 * assert.deepEqual(data, new Uint8Array([1, 2, 3]));
 * assert.equal(new TextDecoder().decode(manifest), '{"count": 3}\n');
 * ```
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";

/** One file of a group: where it goes and its full content. */
export interface FileEntry {
  path: string;
  content: string | Uint8Array;
}

/** What recovery did in a folder. */
export interface RecoveryReport {
  /** Targets whose pending rename from an interrupted commit was finished. */
  rolledForward: string[];
  /** Temporary files of dead processes that were removed. */
  removedTemporaries: string[];
}

const JOURNAL_PREFIX = ".setsim-commit-";
const JOURNAL_SUFFIX = ".journal.json";
const TEMP_PATTERN = /^(.*)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

interface Journal {
  format: "setsim-commit/1";
  pid: number;
  renames: { temp: string; path: string }[];
}

/** A unique temporary sibling of `path`, named so recovery can tell whose it is. */
export function temporaryPath(path: string): string {
  return `${path}.${Deno.pid}.${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}.tmp`;
}

/** Write all of `bytes` to an open file (`write` may write less than asked: it loops). */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/** Write all of `bytes` to a new file and fsync it (a short write loops; errors propagate). */
export async function writeAndSync(path: string, content: string | Uint8Array): Promise<void> {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    await writeAll(file, bytes);
    await file.syncData();
  } finally {
    file.close();
  }
}

/** fsync a folder so the renames in it survive a power cut (best effort where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.syncData();
  } catch {
    // some file systems refuse fsync on a folder; the rename itself is still atomic
  } finally {
    handle?.close();
  }
}

/** Run `work` holding an exclusive `flock` on every folder in `dirs` (taken in sorted order). */
export async function withDirLocks<T>(dirs: string[], work: () => Promise<T>): Promise<T> {
  const handles: Deno.FsFile[] = [];
  try {
    for (const dir of [...new Set(dirs)].sort()) {
      const handle = await Deno.open(dir, { read: true });
      handles.push(handle);
      await handle.lock(true);
    }
    return await work();
  } finally {
    for (const handle of handles.reverse()) handle.close(); // closing releases the lock
  }
}

/** Whether process `pid` still runs (Linux `/proc`; elsewhere assume yes and keep its files). */
function pidAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true;
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/**
 * Finish or clean up interrupted commits in `dir`. Call with the folder's lock held
 * ({@link withDirLocks}); {@link commitFiles} and {@link readFileGroup} do.
 */
export async function recoverDir(dir: string): Promise<RecoveryReport> {
  const report: RecoveryReport = { rolledForward: [], removedTemporaries: [] };
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return report;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.name.startsWith(JOURNAL_PREFIX) || !entry.name.endsWith(JOURNAL_SUFFIX)) continue;
    const journalPath = join(dir, entry.name);
    const journal = JSON.parse(await Deno.readTextFile(journalPath)) as Journal;
    for (const { temp, path } of journal.renames) {
      try {
        await Deno.rename(temp, path);
        report.rolledForward.push(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error; // already renamed before the crash
      }
    }
    for (const d of new Set(journal.renames.map((r) => dirname(r.path)))) await syncDir(d);
    await removeIfPresent(journalPath);
  }
  for (const entry of entries) {
    const m = TEMP_PATTERN.exec(entry.name);
    if (!m || !entry.isFile || pidAlive(Number(m[2]))) continue;
    const temp = join(dir, entry.name);
    // A journal-named temporary was handled above; anything left of a dead pid is garbage.
    await removeIfPresent(temp);
    report.removedTemporaries.push(temp);
  }
  return report;
}

/**
 * Write every file of `files` so that the group is replaced all together or not at all (see
 * the module doc for the protocol). Parent folders are created. Throws (leaving the previous
 * group intact) if any file cannot be written in full.
 */
export async function commitFiles(files: FileEntry[]): Promise<void> {
  if (files.length === 0) return;
  const targets = files.map((f) => ({ path: resolve(f.path), content: f.content }));
  if (new Set(targets.map((t) => t.path)).size !== targets.length) {
    throw new RangeError(`commitFiles: the same path appears twice in one group`);
  }
  const dirs = [...new Set(targets.map((t) => dirname(t.path)))];
  for (const dir of dirs) await Deno.mkdir(dir, { recursive: true });

  const renames = targets.map((t) => ({ temp: temporaryPath(t.path), path: t.path }));
  const written: string[] = [];
  let committed = false; // after the journal exists, temporaries belong to recovery
  try {
    for (let i = 0; i < targets.length; i++) {
      written.push(renames[i].temp);
      await writeAndSync(renames[i].temp, targets[i].content);
    }
    if (targets.length === 1) {
      // One file: a rename is already all-or-nothing; no journal needed, but keep the lock so a
      // pending journal of an earlier group touching this path is finished first.
      await withDirLocks(dirs, async () => {
        for (const dir of dirs) await recoverDir(dir);
        await Deno.rename(renames[0].temp, renames[0].path);
        await syncDir(dirs[0]);
      });
      return;
    }
    await withDirLocks(dirs, async () => {
      for (const dir of dirs) await recoverDir(dir);
      const journalDir = dirname(renames[0].path);
      const journalPath = join(
        journalDir,
        `${JOURNAL_PREFIX}${basename(renames[0].path)}.${Deno.pid}${JOURNAL_SUFFIX}`,
      );
      const journal: Journal = { format: "setsim-commit/1", pid: Deno.pid, renames };
      const journalTemp = temporaryPath(journalPath);
      written.push(journalTemp);
      await writeAndSync(journalTemp, JSON.stringify(journal) + "\n");
      await Deno.rename(journalTemp, journalPath); // the commit point
      committed = true;
      await syncDir(journalDir);
      for (const { temp, path } of renames) await Deno.rename(temp, path);
      for (const dir of dirs) await syncDir(dir);
      await Deno.remove(journalPath);
    });
  } catch (error) {
    if (!committed) { for (const temp of written) await removeIfPresent(temp).catch(() => {}); }
    throw error;
  }
}

/**
 * Read a group of files written by {@link commitFiles} as one consistent version: takes the
 * folders' locks, finishes any interrupted commit, then reads every file.
 */
export async function readFileGroup(paths: string[]): Promise<Uint8Array[]> {
  const absolute = paths.map((p) => resolve(p));
  const dirs = [...new Set(absolute.map((p) => dirname(p)))];
  return await withDirLocks(dirs, async () => {
    for (const dir of dirs) await recoverDir(dir);
    return await Promise.all(absolute.map((p) => Deno.readFile(p)));
  });
}
