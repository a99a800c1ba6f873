/**
 * Progress output (lib/progress): piped, each final line is printed once; empty work prints no
 * bar and no line (a no-op rebuild shows no "embed: 0/0 100% 0.0/s"); an unknown total shows counts.
 */
import assert from "node:assert/strict";
import { createProgress, type ProgressOptions } from "../../lib/progress/mod.ts";

function capture(options: Omit<ProgressOptions, "write" | "now">) {
  const lines: string[] = [];
  let t = 0;
  const progress = createProgress({ ...options, write: (s) => lines.push(s), now: () => t });
  return { lines, progress, at: (ms: number) => (t = ms) };
}

Deno.test("piped: the final line is printed once, whether the last tick or done() reaches it", () => {
  // The last tick is due (interval passed) and reaches the total; done() must not repeat it.
  const a = capture({ label: "embed", total: 3, tty: false, plainIntervalMs: 1000 });
  a.progress.tick();
  a.at(1500);
  a.progress.tick(2);
  a.progress.done();
  assert.deepEqual(a.lines.map((l) => l.split(" ")[1]), ["1/3", "3/3"]);
  // The last tick is throttled: done() prints the final state, once.
  const b = capture({ label: "embed", total: 3, tty: false, plainIntervalMs: 1000 });
  b.progress.tick();
  b.at(10);
  b.progress.tick(2);
  b.progress.done();
  b.progress.done();
  assert.deepEqual(b.lines.map((l) => l.split(" ")[1]), ["1/3", "3/3"]);
  assert.equal(b.lines.filter((l) => l.startsWith("embed: 3/3 100%")).length, 1);
  // A note at the end is a new line.
  const c = capture({ label: "cells", total: 1, tty: false });
  c.progress.tick();
  c.progress.done("resumed");
  assert.deepEqual(c.lines.map((l) => l.trim().split(" ").at(-1)), ["0s", "resumed"]);
});

Deno.test("empty work prints nothing, piped or on a terminal", () => {
  for (const tty of [false, true]) {
    const run = capture({ label: "embed", total: 0, tty });
    run.progress.update(0);
    run.progress.tick(0);
    run.progress.done();
    assert.deepEqual(run.lines, [], `tty ${tty}`);
  }
});

Deno.test("an unknown total (0) with counts shows the count alone, never a fake 100%", () => {
  const run = capture({ label: "rows", total: 0, tty: false });
  run.progress.update(500);
  run.progress.done();
  assert.equal(run.lines.length, 1);
  assert.match(run.lines[0], /^rows: 500 [\d.]+\/s\n$/);
});

Deno.test("terminal: one redrawn line, ended once by done()", () => {
  const run = capture({ label: "cells", total: 2, tty: true });
  run.progress.tick();
  run.progress.tick();
  run.progress.done();
  run.progress.done();
  assert.equal(run.lines.filter((l) => l === "\n").length, 1);
  assert.ok(run.lines.slice(0, -1).every((l) => l.startsWith("\r\x1b[2Kcells [")));
});
