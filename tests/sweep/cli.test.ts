/**
 * The real `scripts/sweep.ts` command as a subprocess, on the synthetic backend of
 * `fake_backend.ts` (through the documented test hook `SETSIM_SWEEP_BACKEND`): flags, exit
 * codes, `--json`, and kill-then-resume giving byte-identical files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const SCRIPT = new URL("../../scripts/sweep.ts", import.meta.url).pathname;
const FAKE = new URL("./fake_backend.ts", import.meta.url).href;
const GRID = ["--dataset", "alpha,beta", "--s", "none,0.5:0.9:0.1", "--m", "1,3,all", "--bootstrap", "50"];
const RESULT_FILES = [
  "sweep.csv",
  "sweep.json",
  "heatmap-alpha-p1-greedy.svg",
  "heatmap-alpha-p1-greedy.png",
  "heatmap-beta-p1-optimal.svg",
  "heatmap-beta-p1-optimal.png",
];

function command(args: string[], env: Record<string, string> = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    env: { SETSIM_SWEEP_BACKEND: FAKE, NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await command(args, env).output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

function journalLines(dir: string): number {
  try {
    return Deno.readTextFileSync(join(dir, "cells.jsonl")).split("\n").filter((l) => l.endsWith("}")).length;
  } catch {
    return 0;
  }
}

/** Start a slow sweep, wait until at least `lines` cells are journaled, then send `signal`. */
async function interrupt(out: string, lines: number, signal: Deno.Signal): Promise<Deno.CommandStatus> {
  const child = command([...GRID, "--out", out], { SETSIM_SWEEP_FAKE_DELAY_MS: "40" }).spawn();
  const deadline = Date.now() + 60_000;
  while (journalLines(out) < lines) {
    if (Date.now() > deadline) throw new Error("sweep did not progress");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill(signal);
  const status = await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  return status;
}

Deno.test("interrupted (SIGINT, then SIGKILL) and resumed sweep writes the same files as an uninterrupted one", async () => {
  const root = await Deno.makeTempDir();
  const straight = join(root, "straight");
  const resumed = join(root, "resumed");
  const total = 2 * 2 * 6 * 3;

  const first = await run([...GRID, "--out", straight, "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const summary = JSON.parse(first.stdout); // stdout is exactly one JSON object
  assert.deepEqual(summary.cells, { total, evaluated: total, reused: 0 });
  assert.equal(summary.best.length, 4);
  assert.ok(summary.best[0].ci95.map.length === 2);

  const sigint = await interrupt(resumed, 10, "SIGINT");
  assert.equal(sigint.code, 130);
  const afterInt = journalLines(resumed);
  assert.ok(afterInt >= 10 && afterInt < total, `journaled ${afterInt}`);
  // Results are only written at the end: nothing half-written exists.
  for (const name of RESULT_FILES) assert.ok(!(await exists(join(resumed, name))), name);

  const sigkill = await interrupt(resumed, afterInt + 10, "SIGKILL");
  assert.notEqual(sigkill.code, 0);
  const afterKill = journalLines(resumed);
  assert.ok(afterKill >= afterInt + 10 && afterKill < total, `journaled ${afterKill}`);

  const last = await run([...GRID, "--out", resumed, "--json"]);
  assert.equal(last.code, 0, last.stderr);
  const resumedSummary = JSON.parse(last.stdout);
  assert.equal(resumedSummary.cells.reused, afterKill);
  assert.equal(resumedSummary.cells.evaluated, total - afterKill);
  assert.equal(journalLines(resumed), total, "no cell journaled twice");

  for (const name of RESULT_FILES) {
    assert.deepEqual(
      await Deno.readFile(join(resumed, name)),
      await Deno.readFile(join(straight, name)),
      name,
    );
  }
  // A rerun of a finished sweep evaluates nothing and rewrites identical files.
  const again = await run([...GRID, "--out", resumed, "--json", "--workers", "1"]);
  assert.equal(JSON.parse(again.stdout).cells.evaluated, 0);
  assert.deepEqual(
    await Deno.readFile(join(resumed, "sweep.csv")),
    await Deno.readFile(join(straight, "sweep.csv")),
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("one thread and two threads give identical results", async () => {
  const root = await Deno.makeTempDir();
  const one = await run([...GRID, "--out", join(root, "1"), "--workers", "1", "--no-figures", "--quiet"]);
  const two = await run([...GRID, "--out", join(root, "2"), "--workers", "2", "--no-figures", "--quiet"]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(one.stderr, "");
  assert.match(one.stdout, /best cell per method/);
  assert.match(one.stdout, /alpha\/p1 greedy: s=\S+ m=\S+ .*map \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
  for (const name of ["sweep.csv", "sweep.json"]) {
    assert.equal(
      await Deno.readTextFile(join(root, "1", name)),
      await Deno.readTextFile(join(root, "2", name)),
    );
  }
  assert.ok(!(await exists(join(root, "1", "heatmap-alpha-p1-greedy.svg"))), "--no-figures");
  await Deno.remove(root, { recursive: true });
});

Deno.test("bad flags fail with exit code 2, a message naming the flag, and no work done", async () => {
  const root = await Deno.makeTempDir();
  const out = join(root, "out");
  const cases: [string[], RegExp][] = [
    [["--s", "0.5:1.5:0.25"], /--s: threshold 1\.25 \(from "0\.5:1\.5:0\.25"\) is outside \[-1, 1\]/],
    [["--s", "0.9:0.5:0.1"], /--s: range "0\.9:0\.5:0\.1" is empty/],
    [["--m", "0,1"], /--m: 0 .*integer ≥ 1/],
    [["--m", ""], /--m: "" has an empty item/],
    [["--method", "greedy,sinkhorn"], /--method: unknown "sinkhorn"/],
    [["--dataset", "alpha,gamma"], /--dataset: unknown "gamma"/],
    [["--dataset", "alpha,beta", "--protocol", "p2"], /--protocol: none of p2 applies to dataset "beta"/],
    [["--seed=-1"], /--seed must be an integer ≥ 0/],
    [["--workers", "0"], /--workers must be an integer ≥ 1/],
    [["--bogus"], /bogus/],
  ];
  for (const [args, message] of cases) {
    const result = await run(["--dataset", "alpha", ...args, "--out", out]);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(" "));
  }
  assert.ok(!(await exists(out)), "no output folder was created");
  await Deno.remove(root, { recursive: true });
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("real datasets, protocols, matching and metrics through the CLI and its workers (stand-in embeddings)", async () => {
  const root = await Deno.makeTempDir();
  const hook = { SETSIM_SWEEP_BACKEND: new URL("./fake_embedding_backend.ts", import.meta.url).href };
  const grid = ["--dataset", "coil100", "--method", "greedy,optimal", "--s", "none,0.6", "--m", "1,all"];
  const args = [...grid, "--bootstrap", "100", "--model", "fake", "--json", "--quiet", "--no-figures"];
  const one = await run([...args, "--workers", "1", "--out", join(root, "1")], hook);
  const two = await run([...args, "--workers", "2", "--out", join(root, "2")], hook);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(
    await Deno.readTextFile(join(root, "1", "sweep.json")),
    await Deno.readTextFile(join(root, "2", "sweep.json")),
  );
  const doc = JSON.parse(await Deno.readTextFile(join(root, "2", "sweep.json")));
  assert.equal(doc.cells.length, 8);
  assert.deepEqual(doc.grid.protocols, { coil100: ["unordered"] });
  for (const cell of doc.cells) {
    assert.equal(cell.provenance.fingerprint, "fake-16");
    assert.equal(cell.provenance.n_queries, 100);
    for (const name of ["recall_at_1", "recall_at_5", "recall_at_10", "map"]) {
      const [lo, hi] = cell.ci95[name];
      assert.ok(lo <= cell.metrics[name] && cell.metrics[name] <= hi, `${name} inside its CI`);
    }
  }
  // The threshold matters on this data: s = 0.6 changes some metric against s = none.
  const byKey = new Map(
    doc.cells.map((
      c: { method: string; s: unknown; m: unknown; metrics: unknown },
    ) => [`${c.method} ${c.s} ${c.m}`, c.metrics]),
  );
  assert.notDeepEqual(byKey.get("greedy none 1"), byKey.get("greedy 0.6 all"));
  await Deno.remove(root, { recursive: true });
});
