/**
 * A guard for tests that run the project's own jobs (notebooks, tasks): take a snapshot of the
 * committed files under some folders before the run and compare after it. A committed file that
 * was rewritten (even with the same bytes: its modification time moved), changed, or deleted, and
 * a new file git would see (not git-ignored), are named; a run that only writes to git-ignored or
 * temporary places leaves the snapshot equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { committedChanges } from "./committed.ts";
 * const before = { files: new Map([["results/a.csv", "1 3 ab"]]), untracked: new Set<string>() };
 * const after = { files: new Map([["results/a.csv", "2 3 ab"]]), untracked: new Set(["results/b.csv"]) };
 * assert.deepEqual(committedChanges(before, after), [
 *   "results/a.csv: rewritten",
 *   "results/b.csv: new file git would see",
 * ]);
 * ```
 * @module
 */
/** Each committed file's state (`mtime size sha256`, or `missing`) and the untracked, not ignored files. */
export interface CommittedSnapshot {
  files: Map<string, string>;
  untracked: Set<string>;
}

async function git(root: string, args: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command("git", { args: ["-C", root, ...args] }).output();
  if (code !== 0) throw new Error(`git ${args.join(" ")} in ${root}: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout).split("\0").filter(Boolean);
}

async function fileState(path: string): Promise<string> {
  try {
    const [info, bytes] = await Promise.all([Deno.stat(path), Deno.readFile(path)]);
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${info.mtime?.getTime()} ${info.size} ${digest}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
}

/** Snapshot the files git tracks under `folders` (relative to `root`, a git work tree). */
export async function snapshotCommitted(root: string, folders: string[]): Promise<CommittedSnapshot> {
  const tracked = await git(root, ["ls-files", "-z", "--", ...folders]);
  const files = new Map<string, string>();
  for (const path of tracked) files.set(path, await fileState(`${root}/${path}`));
  const status = await git(root, [
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
    "--",
    ...folders,
  ]);
  const untracked = new Set(status.filter((line) => line.startsWith("?? ")).map((line) => line.slice(3)));
  return { files, untracked };
}

/** What changed between two snapshots, one line per file; empty when nothing did. */
export function committedChanges(before: CommittedSnapshot, after: CommittedSnapshot): string[] {
  const changes: string[] = [];
  for (const [path, state] of before.files) {
    const now = after.files.get(path) ?? "missing";
    if (now === state) continue;
    const [, size, digest] = state.split(" ");
    const [, sizeNow, digestNow] = now.split(" ");
    if (now === "missing") changes.push(`${path}: deleted`);
    else if (state === "missing") changes.push(`${path}: restored`);
    else changes.push(`${path}: ${size === sizeNow && digest === digestNow ? "rewritten" : "changed"}`);
  }
  for (const path of after.untracked) {
    if (!before.untracked.has(path)) changes.push(`${path}: new file git would see`);
  }
  return changes.sort();
}
