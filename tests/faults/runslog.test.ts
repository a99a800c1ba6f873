/**
 * The eval runs log (`results/eval/runs.jsonl`, lib/io/jsonl.ts) under faults (issue 10 case
 * 3): a torn tail is repaired on the next append, damage never fails `eval --table`, a full
 * disk leaves no partial line, SIGKILL at seeded points leaves only whole records, and
 * concurrent appenders never interleave.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { appendJsonLine, readRuns } from "../../lib/evaluation/mod.ts";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";
import { killAfter, mountSmallDisk, mountUnavailable, ROOT, runCli, seeded } from "./helpers.ts";

const SKIP = mountUnavailable ? ` (SKIPPED: ${mountUnavailable})` : "";
const dataDir = await makeTinyDataDir({ coilObjects: 2 });
const cacheDir = await Deno.makeTempDir({ prefix: "setsim-faults-eval-cache-" });
const EVAL = ["--dataset", "coil100", "--protocol", "unordered", "--method", "centroid", "--bootstrap", "50"];
const env = { SETSIM_DATA_DIR: dataDir, SETSIM_CACHE_DIR: cacheDir };

/** A run record without the fields that differ between identical runs. */
function stable(record: Record<string, unknown>): Record<string, unknown> {
  const { timestamp: _t, duration_s: _d, ...rest } = record;
  return rest;
}

/** Every newline-terminated line of the log parses; returns those records and the torn tail length. */
function wholeLines(text: string): { records: Record<string, unknown>[]; tail: number } {
  const end = text.lastIndexOf("\n") + 1;
  const records = text.slice(0, end).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  return { records, tail: text.length - end };
}

async function evalRecord(results: string): Promise<Record<string, unknown>> {
  const r = await runCli("eval", [...EVAL, "--json", "--results", results], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

Deno.test("a torn tail in runs.jsonl is cut off and reported on the next run; eval --table still works", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-faults-runs-" });
  const log = join(dir, "runs.jsonl");
  const first = await evalRecord(log);
  const line = JSON.stringify(first);
  await Deno.writeTextFile(log, line.slice(0, 200), { append: true }); // a short write, then a crash
  const r = await runCli("eval", [...EVAL, "--results", log], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /runs\.jsonl ended in a torn record \(200 bytes.*kept in .*runs\.jsonl\.torn/);
  const { records, tail } = wholeLines(await Deno.readTextFile(log));
  assert.equal(tail, 0);
  assert.equal(records.length, 2);
  assert.deepEqual(stable(records[1]), stable(first));
  assert.equal(await Deno.readTextFile(`${log}.torn`), line.slice(0, 200));
  const table = await runCli("eval", ["--table", "--results", log, "--out", join(dir, "summary")], env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /coil100/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("eval --table never fails on a damaged runs.jsonl: torn records are skipped or salvaged and named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-faults-runs-" });
  const log = join(dir, "runs.jsonl");
  const record = await evalRecord(join(dir, "ref.jsonl"));
  const line = JSON.stringify(record);
  // What older versions left: a torn record, then the next run's record appended on the same line,
  // a line of garbage, and a torn last line.
  await Deno.writeTextFile(log, `${line.slice(0, 300)}${line}\nnot json at all\n${line.slice(0, 50)}`);
  const warnings: string[] = [];
  const runs = await readRuns(log, (m) => warnings.push(m));
  assert.equal(runs.length, 1);
  assert.deepEqual(stable(runs[0] as unknown as Record<string, unknown>), stable(record));
  assert.match(warnings[0], /runs\.jsonl line 1: 300 characters of a torn record dropped/);
  assert.match(warnings[1], /line 2: not valid JSON; skipped/);
  assert.match(warnings[2], /line 3: incomplete last record/);
  const table = await runCli("eval", ["--table", "--results", log, "--out", join(dir, "summary")], env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stderr, /warning: .*runs\.jsonl line 1/);
  assert.match(await Deno.readTextFile(join(dir, "summary.csv")), /coil100,unordered,centroid/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: `an append on a full disk fails naming the log and leaves no partial line${SKIP}`,
  ignore: mountUnavailable !== undefined,
  fn: async () => {
    const disk = await mountSmallDisk(64 * 1024);
    try {
      const log = join(disk.dir, "runs.jsonl");
      await appendJsonLine(log, { run: 1 });
      const before = await Deno.readTextFile(log);
      await disk.fillLeaving(4096); // the log's own page has room for a few KB more, not 20
      await assert.rejects(
        appendJsonLine(log, { run: 2, pad: "x".repeat(20_000) }),
        /could not append to .*runs\.jsonl: .*(No space left|os error 28).*the log is unchanged/i,
      );
      assert.equal(await Deno.readTextFile(log), before);
    } finally {
      await disk.close();
    }
  },
});

Deno.test("eval killed at seeded random points leaves only whole records; reruns match an undisturbed run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-faults-runs-" });
  const started = performance.now();
  const reference = stable(await evalRecord(join(dir, "ref.jsonl")));
  const duration = performance.now() - started;
  const log = join(dir, "runs.jsonl");
  const random = seeded(3);
  let completed = 0;
  const outcomes: string[] = [];
  for (let k = 0; k < 4; k++) {
    const killed = await killAfter(
      "eval",
      [...EVAL, "--results", log],
      env,
      Math.round(random() * duration * 1.2),
    );
    outcomes.push(killed.signal ?? `exit ${killed.code}`);
    const { records } = wholeLines(await Deno.readTextFile(log).catch(() => ""));
    // Killed before its append, or after it (before exiting): nothing, or one whole record.
    assert.ok(
      [completed, completed + 1].includes(records.length),
      "a killed run adds nothing or one whole record",
    );
    completed = records.length;
    const r = await runCli("eval", [...EVAL, "--results", log], env);
    assert.equal(r.code, 0, r.stderr);
    completed++;
  }
  const { records, tail } = wholeLines(await Deno.readTextFile(log));
  assert.equal(tail, 0);
  assert.equal(records.length, completed);
  for (const record of records) assert.deepEqual(stable(record), reference);
  console.log(`eval kill points: ${outcomes.join(", ")}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two processes appending to one runs log never interleave records", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-faults-runs-" });
  const log = join(dir, "runs.jsonl");
  const writer = (name: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { appendJsonLine } from "${join(ROOT, "lib/io/mod.ts")}";
         for (let i = 0; i < 40; i++) await appendJsonLine("${log}", { name: "${name}", i, pad: "y".repeat(70000) });`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
  for (const out of await Promise.all([writer("p"), writer("q")])) {
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  }
  const { records, tail } = wholeLines(await Deno.readTextFile(log));
  assert.equal(tail, 0);
  assert.equal(records.length, 80);
  for (const name of ["p", "q"]) {
    assert.deepEqual(records.filter((r) => r.name === name).map((r) => r.i), [...Array(40).keys()]);
  }
  await Deno.remove(dir, { recursive: true });
});
