import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultResultsDir, PROJECT_ROOT } from "../../lib/config/mod.ts";
import { notebookContext } from "../../lib/notebook/mod.ts";

Deno.test("a notebook in fast mode refuses the committed results folder and names the way out", () => {
  const committed = join(PROJECT_ROOT, "results");
  for (const resultsDir of [committed, `${committed}/`, join(PROJECT_ROOT, "notebooks", "..", "results")]) {
    assert.throws(
      () => notebookContext("04-recursive-matching", { fast: true, resultsDir }),
      (error: Error) => {
        assert.match(
          error.message,
          /^notebook 04-recursive-matching: fast mode would write into the committed/,
        );
        assert.ok(error.message.includes(committed), error.message);
        assert.ok(error.message.includes("SETSIM_RESULTS_DIR"), error.message);
        return true;
      },
    );
  }
  // Fast mode's own folder, any other folder, and full mode in the committed folder are fine.
  assert.equal(
    notebookContext("04-x", { fast: true, resultsDir: defaultResultsDir(true) }).outDir,
    join(committed, "fast", "04-x"),
  );
  assert.equal(notebookContext("04-x", { fast: true, resultsDir: "/tmp/r" }).outDir, "/tmp/r/04-x");
  assert.equal(
    notebookContext("04-x", { fast: false, resultsDir: committed }).outDir,
    join(committed, "04-x"),
  );
});
