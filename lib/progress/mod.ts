/**
 * Progress reporting for long work: a redrawn bar on a TTY, plain lines when output is piped.
 *
 * Progress goes to stderr so that stdout stays clean for `--json` output. Piped, each state is
 * printed at most once (the final line is not repeated by `done()`), and empty work (a total of 0
 * and nothing counted, such as a rebuild with nothing to embed) prints nothing at all. A total of
 * 0 with counts means "total unknown" (a download without a length): lines show the count alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgress } from "./mod.ts";
 * const lines: string[] = [];
 * // tty: false is what a pipe gets: whole lines, never a redrawn bar.
 * const progress = createProgress({ label: "embed", total: 3, tty: false, write: (s) => lines.push(s) });
 * for (let i = 0; i < 3; i++) progress.tick();
 * progress.done();
 * assert.ok(lines.every((line) => line.endsWith("\n") && !line.includes("\r")));
 * assert.match(lines.at(-1)!, /^embed: 3\/3 100%/);
 * assert.equal(lines.filter((line) => line.startsWith("embed: 3/3")).length, 1); // the final line once
 * // Nothing to do: no line at all (not "embed: 0/0 100%").
 * const empty: string[] = [];
 * createProgress({ label: "embed", total: 0, tty: false, write: (s) => empty.push(s) }).done();
 * assert.deepEqual(empty, []);
 * ```
 * @module
 */

import { displayText } from "../io/display.ts";

/** A progress reporter. */
export interface Progress {
  /** Advance by `n` units (default 1). */
  tick(n?: number, note?: string): void;
  /** Set the absolute count. */
  update(done: number, note?: string): void;
  /** Finish: draws the final state and ends the line. */
  done(note?: string): void;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** What is being counted ("embed", "cells"). */
  label: string;
  /** Total units of work. */
  total: number;
  /** Force TTY or plain mode; default: TTY iff stderr is a terminal. */
  tty?: boolean;
  /** Plain mode: at most one line per this many ms (default 2000). */
  plainIntervalMs?: number;
  /** Silence all output. */
  silent?: boolean;
  /** Where lines go (default stderr). */
  write?: (text: string) => void;
  /** Clock (injectable for tests). */
  now?: () => number;
}

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}

/** Format seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Create a progress reporter (see {@link ProgressOptions}). */
export function createProgress(options: ProgressOptions): Progress {
  const { label, total } = options;
  const write = options.write ?? writeStderr;
  const now = options.now ?? (() => performance.now());
  const tty = options.tty ?? Deno.stderr.isTerminal();
  const interval = options.plainIntervalMs ?? 2000;
  const start = now();
  let count = 0;
  let lastPlain = -Infinity;
  /** The count of the last plain line, so `done()` does not print the same state again. */
  let lastPlainCount = -1;
  /** Whether anything was drawn on the TTY (then `done()` ends the line). */
  let drawn = false;
  let finished = false;

  const render = (note?: string): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const eta = rate > 0 && total > count ? formatDuration((total - count) / rate) : "0s";
    const pct = total > 0 ? Math.min(100, (100 * count) / total) : 100;
    // Labels and notes may hold file names: control characters are shown escaped (lib/io/display.ts).
    const shownNote = note ? ` ${displayText(note)}` : "";
    const tail = total > 0
      ? `${count}/${total} ${pct.toFixed(0)}% ${rate.toFixed(1)}/s eta ${eta}${shownNote}`
      : `${count} ${rate.toFixed(1)}/s${shownNote}`; // total unknown
    if (!tty) return `${displayText(label)}: ${tail}`;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    return `${displayText(label)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${tail}`;
  };

  const draw = (note?: string, final = false) => {
    if (options.silent || finished) return;
    if (total <= 0 && count === 0) return; // empty work: no bar, no line
    if (tty) {
      write(`\r\x1b[2K${render(note)}`);
      drawn = true;
    } else {
      const t = now();
      // The final state is printed once: by the last throttled line or by done(), not both.
      const due = final ? count !== lastPlainCount || note !== undefined : t - lastPlain >= interval;
      if (due) {
        lastPlain = t;
        lastPlainCount = count;
        write(`${render(note)}\n`);
      }
    }
  };

  return {
    tick(n = 1, note) {
      count += n;
      draw(note);
    },
    update(done, note) {
      count = done;
      draw(note);
    },
    done(note) {
      draw(note, true);
      if (tty && drawn && !finished) write("\n");
      finished = true;
    },
  };
}
