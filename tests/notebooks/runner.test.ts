/**
 * The headless notebook runner (scripts/notebook_runner.py) with the real Deno kernel:
 * outputs are saved, ANSI colour is stripped, and a failing cell stops the run with the
 * notebook and cell named and a non-zero exit (the failed run is read from NAME.failed.ipynb).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

const PYTHON = "/usr/bin/python3";

/** nbformat stores multi-line strings as arrays of lines. */
const text = (value: string | string[]) => (Array.isArray(value) ? value.join("") : value);

function notebook(cells: { type: "code" | "markdown"; source: string }[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: cells.map((cell, i) => ({
      id: `cell-${i}`,
      cell_type: cell.type,
      metadata: {},
      source: cell.source,
      ...(cell.type === "code" ? { outputs: [], execution_count: null } : {}),
    })),
  };
}

async function runNotebook(cells: Parameters<typeof notebook>[0]) {
  // Inside the project so the kernel finds deno.json and node_modules.
  const dir = await Deno.makeTempDir({ dir: join(PROJECT_ROOT, "tests", "notebooks"), prefix: ".tmp-" });
  const path = join(dir, "probe.ipynb");
  await Deno.writeTextFile(path, JSON.stringify(notebook(cells)));
  const result = await new Deno.Command(PYTHON, {
    // A generous settle time keeps the late-output check meaningful on a loaded machine.
    args: [join(PROJECT_ROOT, "scripts", "notebook_runner.py"), "--timeout", "120", "--settle", "1.5", path],
    env: {
      JUPYTER_PATH: join(PROJECT_ROOT, "jupyter"),
      PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${Deno.env.get("PATH")}`,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  // A failed run is written beside the notebook (the notebook keeps its last good outputs).
  const failedPath = join(dir, "probe.failed.ipynb");
  const failed = await Deno.stat(failedPath).then(() => true, () => false);
  const saved = JSON.parse(await Deno.readTextFile(failed ? failedPath : path));
  await Deno.remove(dir, { recursive: true });
  return { code: result.code, stderr: new TextDecoder().decode(result.stderr), saved };
}

Deno.test("runner saves stream, rich and late display outputs, without ANSI codes", async () => {
  const { code, stderr, saved } = await runNotebook([
    { type: "markdown", source: "# probe" },
    { type: "code", source: 'console.log("\\x1b[31mred\\x1b[0m plain")' },
    {
      type: "code",
      source: 'setTimeout(() => Deno.jupyter.display({ "text/plain": "late" }, { raw: true }), 150);\n' +
        '({ [Symbol.for("Jupyter.display")]: () => ({ "image/svg+xml": "<svg/>" }) })',
    },
    { type: "code", source: "await new Promise((r) => setTimeout(r, 300)); 1 + 1" },
  ]);
  assert.equal(code, 0, stderr);
  const outputs = saved.cells.filter((c: { cell_type: string }) => c.cell_type === "code").map((
    c: { outputs: Record<string, unknown>[] },
  ) => c.outputs);
  assert.equal(text(outputs[0][0].text as string[]), "red plain\n");
  assert.equal(text((outputs[1][0].data as Record<string, string[]>)["image/svg+xml"]), "<svg/>");
  assert.equal(
    text((outputs[1][1]?.data as Record<string, string[]> | undefined)?.["text/plain"] ?? ""),
    "late",
    "the display sent after the cell went idle is kept, in the cell that sent it",
  );
  assert.equal(text(outputs[2].at(-1).data["text/plain"]), "2");
});

Deno.test("a failing cell makes the runner exit non-zero naming the notebook and cell", async () => {
  const { code, stderr, saved } = await runNotebook([
    { type: "code", source: "const x = 1;" },
    { type: "code", source: 'throw new Error("boom in cell two")' },
    { type: "code", source: 'console.log("never")' },
  ]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /probe\.ipynb: cell 2 \(code cell 2: 'throw new Error\("boom in cell two"\)'\) failed: .*boom in cell two/,
  );
  const [, failed, skipped] = saved.cells;
  assert.equal(failed.outputs.at(-1).output_type, "error");
  assert.deepEqual(skipped.outputs, [], "cells after the failure are not run");
});
