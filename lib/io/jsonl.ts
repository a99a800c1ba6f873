/**
 * JSON Lines logs that only ever grow by whole records (the `eval` runs log,
 * `results/eval/runs.jsonl`), readable whatever an earlier crash or full disk left behind.
 *
 * Writing ({@link appendJsonLine}): under an exclusive `flock` on the log (released by the
 * kernel if the process dies), the tail is checked first — bytes after the last newline are a
 * record torn by an earlier crash or short write; they are cut off, kept beside the log in
 * `<log>.torn` and reported. Then the whole line goes out as one write (looping only if the
 * kernel accepts part of it) and is fsynced; if the disk fills mid-line, the log is truncated
 * back to where it was, so a failed append leaves no partial line.
 *
 * Reading ({@link readJsonLines}) never fails on damage: an incomplete last line is skipped, a
 * line that is not JSON is skipped, and a line holding a torn prefix followed by a complete
 * record (what older versions wrote after a torn tail) yields that record; every skip is
 * returned as a problem with its line number, for the caller to report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendJsonLine, readJsonLines } from "./jsonl.ts";
 * const log = `${await Deno.makeTempDir()}/runs.jsonl`;
 * await appendJsonLine(log, { run: 1 });
 * await Deno.writeTextFile(log, '{"run": 2, "tor', { append: true }); // a crash mid-write
 * await appendJsonLine(log, { run: 3 }, { onRepair: () => {} }); // cuts the torn tail off first
 * assert.deepEqual((await readJsonLines(log)).records, [{ run: 1 }, { run: 3 }]);
 * ```
 * @module
 */

import { dirname } from "node:path";
import { displayText } from "./display.ts";

/** A line of a JSON Lines file that was skipped or salvaged, and why. */
export interface JsonLineProblem {
  /** 1-based line number. */
  line: number;
  reason: string;
}

/** Options of {@link appendJsonLine}. */
export interface AppendOptions {
  /** Told when a torn tail was cut off (default: a line on stderr). */
  onRepair?: (message: string) => void;
}

const encoder = new TextEncoder();

/** Position just after the last newline of an open file of `size` bytes (0 if none). */
async function endOfLastLine(file: Deno.FsFile, size: number): Promise<number> {
  const chunk = new Uint8Array(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    await file.seek(start, Deno.SeekMode.Start);
    let got = 0;
    while (got < end - start) {
      const n = await file.read(chunk.subarray(got, end - start));
      if (n === null) break;
      got += n;
    }
    const nl = chunk.subarray(0, got).lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/**
 * Append `value` as one JSON line to `path` (folders created), repairing a torn tail first.
 * Throws, leaving the log as it was, if the line cannot be written in full.
 */
export async function appendJsonLine(
  path: string,
  value: unknown,
  options: AppendOptions = {},
): Promise<void> {
  const bytes = encoder.encode(JSON.stringify(value) + "\n");
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { read: true, write: true, create: true });
  try {
    await file.lock(true);
    let size = (await file.stat()).size;
    const complete = await endOfLastLine(file, size);
    if (complete < size) {
      const torn = new Uint8Array(size - complete);
      await file.seek(complete, Deno.SeekMode.Start);
      let got = 0;
      while (got < torn.length) got += (await file.read(torn.subarray(got))) ?? torn.length;
      const report = options.onRepair ?? ((m) => console.error(m));
      if (parsesAsRecord(new TextDecoder().decode(torn))) {
        // A whole record that only lacks its newline (written by hand or by another tool): keep it.
        await file.seek(size, Deno.SeekMode.Start);
        await file.write(encoder.encode("\n"));
        size += 1;
        report(`warning: ${displayText(path)} did not end in a newline; one added after its last record`);
      } else {
        await Deno.writeFile(`${path}.torn`, torn, { append: true }).catch(() => {});
        await file.truncate(complete);
        report(
          `warning: ${displayText(path)} ended in a torn record (${torn.length} bytes, from an interrupted ` +
            `write); cut off and kept in ${displayText(path)}.torn`,
        );
        size = complete;
      }
    }
    await file.seek(size, Deno.SeekMode.Start);
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } catch (error) {
      await file.truncate(size).catch(() => {});
      throw new Error(
        `could not append to ${displayText(path)}: ${(error as Error).message}; the log is unchanged`,
        {
          cause: error,
        },
      );
    }
  } finally {
    file.close(); // releases the lock
  }
}

function parsesAsRecord(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The first complete JSON object found at an opening brace of `line`, scanning left to right. */
function salvage(line: string): { value: unknown; dropped: number } | undefined {
  for (let i = line.indexOf("{", 1); i > 0; i = line.indexOf("{", i + 1)) {
    try {
      const value = JSON.parse(line.slice(i));
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return { value, dropped: i };
    } catch {
      // not a record boundary; try the next brace
    }
  }
  return undefined;
}

/**
 * Parse `text` as JSON Lines, never throwing on damage (see the module doc); `problems` says
 * what was skipped.
 */
export function parseJsonLines<T = unknown>(text: string): { records: T[]; problems: JsonLineProblem[] } {
  const records: T[] = [];
  const problems: JsonLineProblem[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const last = i === lines.length - 1; // no newline after it: still being written, or torn
    try {
      records.push(JSON.parse(line) as T);
      if (last) problems.push({ line: i + 1, reason: "last line has no newline (accepted: it parses)" });
      return;
    } catch {
      // fall through
    }
    if (last) {
      problems.push({ line: i + 1, reason: `incomplete last record (${line.length} characters) skipped` });
      return;
    }
    const found = salvage(line);
    if (found) {
      records.push(found.value as T);
      problems.push({
        line: i + 1,
        reason: `${found.dropped} characters of a torn record dropped before a complete one`,
      });
    } else {
      problems.push({ line: i + 1, reason: "not valid JSON; skipped" });
    }
  });
  return { records, problems };
}

/** Read a JSON Lines file (a missing file has no records); damage is skipped and reported. */
export async function readJsonLines<T = unknown>(
  path: string,
): Promise<{ records: T[]; problems: JsonLineProblem[] }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { records: [], problems: [] };
    throw error;
  }
  return parseJsonLines<T>(text);
}
