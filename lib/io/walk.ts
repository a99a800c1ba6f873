/**
 * Collect the files named on a command line, searching folders recursively: symbolic links to
 * files are followed like files, links to folders are walked once, and everything left out is
 * reported with its reason (a broken link, a link loop, a folder reached twice) instead of
 * being skipped silently.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectFiles } from "./walk.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.png`, "");
 * await Deno.symlink(dir, `${dir}/loop`);
 * const { files, skipped } = await collectFiles([dir], { extensions: [".png"] });
 * assert.deepEqual(files, [`${dir}/a.png`]);
 * assert.deepEqual(skipped.map((s) => s.reason), [`symbolic link loop: points back to ${dir}`]);
 * ```
 * @module
 */

import { extname, join, resolve } from "node:path";

/** A path left out of {@link collectFiles}'s result, and why. */
export interface SkippedPath {
  path: string;
  reason: string;
}

/** Options of {@link collectFiles}. */
export interface CollectOptions {
  /**
   * File extensions (lowercase, with the dot) taken from folders; named files are always taken.
   * Omitted: every file.
   */
  extensions?: readonly string[];
  /** Leave out entries whose name starts with a dot (default false). */
  skipHidden?: boolean;
}

/** Files found under `args` (in a stable order) and what was skipped. */
export interface CollectedFiles {
  files: string[];
  skipped: SkippedPath[];
}

function linkError(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  if (error instanceof Deno.errors.NotFound) return "broken symbolic link (its target does not exist)";
  if (/ELOOP|too many levels of symbolic links/i.test(message)) return "symbolic link loop";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return message;
}

/**
 * Expand `args` (files and folders) into files. Arguments are resolved against the current
 * folder; a named file that does not exist is kept (so the caller reports it with the other
 * unreadable inputs).
 */
export async function collectFiles(args: string[], options: CollectOptions = {}): Promise<CollectedFiles> {
  const extensions = options.extensions === undefined ? undefined : new Set(options.extensions);
  const files: string[] = [];
  const skipped: SkippedPath[] = [];
  const walked = new Map<string, string>(); // real path of a walked folder → how it was first reached
  const wanted = (name: string) => extensions === undefined || extensions.has(extname(name).toLowerCase());

  const walk = async (dir: string, ancestors: string[]): Promise<void> => {
    const real = await Deno.realPath(dir);
    if (ancestors.includes(real)) {
      skipped.push({ path: dir, reason: `symbolic link loop: points back to ${walked.get(real) ?? real}` });
      return;
    }
    const first = walked.get(real);
    if (first !== undefined) {
      skipped.push({ path: dir, reason: `same folder as ${first}, already included` });
      return;
    }
    walked.set(real, dir);
    let entries: Deno.DirEntry[];
    try {
      entries = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
    } catch (error) {
      skipped.push({ path: dir, reason: `cannot list folder: ${linkError(error)}` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (options.skipHidden && e.name.startsWith(".")) continue;
      const path = join(dir, e.name);
      if (e.isDirectory) {
        await walk(path, [...ancestors, real]);
      } else if (e.isFile) {
        if (wanted(e.name)) files.push(path);
      } else if (e.isSymlink) {
        let info: Deno.FileInfo;
        try {
          info = await Deno.stat(path);
        } catch (error) {
          skipped.push({ path, reason: linkError(error) });
          continue;
        }
        if (info.isDirectory) {
          await walk(path, [...ancestors, real]);
        } else if (info.isFile) {
          if (wanted(e.name) || wanted(await Deno.realPath(path))) files.push(path);
        } else if (wanted(e.name)) {
          skipped.push({ path, reason: "symbolic link to something that is not a file" });
        }
      } else if (wanted(e.name)) {
        skipped.push({ path, reason: "not a regular file" });
      }
    }
  };

  for (const arg of args) {
    const path = resolve(arg);
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isDirectory) await walk(path, []);
    else files.push(path);
  }
  return { files, skipped };
}
