import assert from "node:assert/strict";
import { PENDING_EXIT_CODE } from "../../lib/index/mod.ts";
import { runScript } from "./helpers.ts";

// One trial saw a 100,000-row createIndex under heavy load end with exit code 0 and no output.
// Deno exits when its event loop empties; a native promise that is dropped without settling leaves
// nothing to keep it alive, and a main that is not awaited then "succeeds" silently.

Deno.test("whilePending turns an exit with guarded work pending into an error and a non-zero code", async () => {
  const out = await runScript("tests/index/pending_runner.ts", ["dropped"]);
  assert.equal(out.code, PENDING_EXIT_CODE, out.stderr);
  assert.doesNotMatch(out.stdout, /unreachable/);
  assert.match(
    out.stderr,
    /still waiting on native work.*a dropped promise|a dropped promise.*still waiting/s,
  );
});

Deno.test("LanceDB createIndex under Deno finishes: the process prints after the await and exits 0", async () => {
  // Small enough for the test suite (2,000 × 32); bench/catalog.ts runs the 100,000-row case.
  const out = await runScript("tests/index/pending_runner.ts", ["create-index", "2000", "32"]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /createIndex done: vector_idx/, "exit 0 without this line is the silent-exit bug");
});
