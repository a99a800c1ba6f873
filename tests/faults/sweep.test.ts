/**
 * `deno task sweep` killed at seeded random points (on the synthetic backend of
 * tests/sweep/fake_backend.ts): the result group on disk (tables and heatmaps) is always one
 * run's complete output, and a rerun gives the files of a run never disturbed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileGroup } from "../../lib/io/mod.ts";
import { killAfter, listDir, runCli, seeded } from "./helpers.ts";

const FAKE = new URL("../sweep/fake_backend.ts", import.meta.url).href;
const env = { SETSIM_SWEEP_BACKEND: FAKE, SETSIM_SWEEP_FAKE_DELAY_MS: "15" };
const BASE = ["--dataset", "alpha,beta", "--m", "1,3,all", "--bootstrap", "50", "--workers", "2", "--quiet"];
const OLD = [...BASE, "--s", "none,0.5"];
const NEW = [...BASE, "--s", "none,0.5:0.9:0.1"];

/** The result files (tables and heatmaps) of a finished sweep, read as one group. */
const read = async (dir: string, files: string[]) =>
  (await readFileGroup(files.map((f) => join(dir, f)))).map((b) => new TextDecoder().decode(b)).join(
    "\n@@\n",
  );

Deno.test("sweep killed at seeded random points keeps one run's complete files; a rerun matches an undisturbed run", async () => {
  const root = await Deno.makeTempDir({ prefix: "setsim-faults-sweep-" });
  let r = await runCli("sweep", [...OLD, "--out", join(root, "ref-old")], env);
  assert.equal(r.code, 0, r.stderr);
  const started = performance.now();
  r = await runCli("sweep", [...NEW, "--out", join(root, "ref-new")], env);
  assert.equal(r.code, 0, r.stderr);
  const duration = performance.now() - started;
  const files = listDir(join(root, "ref-new")).filter((name) => name !== "cells.jsonl"); // all but the journal
  assert.ok(files.includes("sweep.csv") && files.some((f) => f.endsWith(".png")), files.join(" "));
  const [old, fresh] = [await read(join(root, "ref-old"), files), await read(join(root, "ref-new"), files)];
  const random = seeded(7);
  const outcomes: string[] = [];
  for (let k = 0; k < 3; k++) {
    const out = join(root, `run${k}`);
    r = await runCli("sweep", [...OLD, "--out", out], env);
    assert.equal(r.code, 0, r.stderr);
    const killed = await killAfter(
      "sweep",
      [...NEW, "--out", out],
      env,
      Math.round(random() * duration * 1.1),
    );
    outcomes.push(killed.signal ?? `exit ${killed.code}`);
    const after = await read(out, files);
    assert.ok(after === old || after === fresh, "tables and heatmaps come from one complete run");
    r = await runCli("sweep", [...NEW, "--out", out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await read(out, files), fresh);
  }
  console.log(`sweep kill points: ${outcomes.join(", ")}`);
  await Deno.remove(root, { recursive: true });
});
