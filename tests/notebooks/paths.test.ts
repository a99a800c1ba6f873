/**
 * Issue 10 case 0: the notebook step of the main job with a RELATIVE data directory, run from the
 * repository root as the README does, and what a failing or fast run may write.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

function notebook(sources: string[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: sources.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: "code",
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  };
}

/** A folder inside the project (the kernel must find deno.json), removed by the caller. */
function fixtureDir(): Promise<string> {
  return Deno.makeTempDir({ dir: join(PROJECT_ROOT, "tests", "notebooks"), prefix: ".tmp-paths-" });
}

/** `deno task figures ARGS` from the project root, as a user in the root types it. */
async function figures(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "figures", ...args],
    cwd: PROJECT_ROOT,
    // What `deno task` records when the user stands in the project root.
    env: { INIT_CWD: PROJECT_ROOT, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const text = (value: string | string[]) => (Array.isArray(value) ? value.join("") : value);
const streamText = (nb: { cells: { outputs: { text?: string | string[] }[] }[] }) =>
  nb.cells.flatMap((c) => c.outputs).map((o) => text(o.text ?? "")).join("");

Deno.test("a notebook run with a relative SETSIM_DATA_DIR from the repository root reads that folder", async () => {
  const dir = await fixtureDir();
  try {
    const dataDir = join(dir, "data");
    await Deno.mkdir(join(dataDir, "probe"), { recursive: true });
    await Deno.writeTextFile(join(dataDir, "probe", "labels.csv"), "path,label\nreached-the-data-dir,1\n");
    const path = join(dir, "probe.ipynb");
    const config = relative(dir, join(PROJECT_ROOT, "lib", "config", "mod.ts"));
    await Deno.writeTextFile(
      path,
      JSON.stringify(notebook([
        `import { resolveConfig } from "./${config}";\nconst { dataDir } = resolveConfig();`,
        "console.log(await Deno.readTextFile(`${dataDir}/probe/labels.csv`));",
      ])),
    );
    // Relative to the repository root, like `SETSIM_DATA_DIR=../shared/data` in the README.
    const r = await figures([relative(PROJECT_ROOT, path)], {
      SETSIM_DATA_DIR: relative(PROJECT_ROOT, dataDir),
      SETSIM_RESULTS_DIR: join(dir, "results"),
    });
    assert.equal(r.code, 0, r.stderr);
    const saved = JSON.parse(await Deno.readTextFile(path));
    assert.match(streamText(saved), /reached-the-data-dir/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing notebook leaves the saved notebook byte-identical and is written beside it", async () => {
  const dir = await fixtureDir();
  try {
    const path = join(dir, "probe.ipynb");
    const good = notebook(['console.log("last good output")']);
    good.cells[0].outputs = [{
      output_type: "stream",
      name: "stdout",
      text: ["last good output\n"],
    }] as never;
    // The saved notebook has outputs from a good run; the source now fails.
    const before = JSON.stringify({
      ...good,
      cells: [{ ...good.cells[0], source: 'throw new Error("boom")' }],
    });
    await Deno.writeTextFile(path, before);
    const r = await figures([path], { SETSIM_RESULTS_DIR: join(dir, "results") });
    assert.notEqual(r.code, 0);
    assert.equal(await Deno.readTextFile(path), before, "the saved notebook is untouched");
    const failedPath = join(dir, "probe.failed.ipynb");
    assert.match(r.stderr, new RegExp(`outputs of the failed run: ${failedPath.replaceAll(".", "\\.")}`));
    const failed = JSON.parse(await Deno.readTextFile(failedPath));
    assert.equal(failed.cells[0].outputs.at(-1).output_type, "error");
    assert.match(failed.cells[0].outputs.at(-1).evalue, /boom/);
    // Fixed: the next run saves in place and removes the stale failed copy.
    await Deno.writeTextFile(path, JSON.stringify(notebook(['console.log("fixed")'])));
    const again = await figures([path], { SETSIM_RESULTS_DIR: join(dir, "results") });
    assert.equal(again.code, 0, again.stderr);
    assert.match(streamText(JSON.parse(await Deno.readTextFile(path))), /fixed/);
    assert.equal(await Deno.stat(failedPath).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("figures --fast never writes the notebook itself: the executed copy goes to results/notebooks", async () => {
  const dir = await fixtureDir();
  try {
    const path = join(dir, "probe.ipynb");
    const source = JSON.stringify(notebook([
      'console.log(Deno.env.get("SETSIM_FAST"), Deno.env.get("SETSIM_RESULTS_DIR"))',
    ]));
    await Deno.writeTextFile(path, source);
    const results = join(dir, "results");
    const r = await figures(["--fast", path], { SETSIM_RESULTS_DIR: relative(PROJECT_ROOT, results) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(path), source, "the notebook in the tree is unchanged");
    const executed = JSON.parse(await Deno.readTextFile(join(results, "notebooks", "probe.ipynb")));
    assert.equal(
      streamText(executed).trim(),
      `1 ${results}`,
      "fast mode, absolute results folder in the kernel",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run on a user catalog (relative SETSIM_CATALOG) reads it where typed and never replaces the saved notebook", async () => {
  const dir = await fixtureDir();
  try {
    const catalog = join(dir, "my-shop");
    await Deno.mkdir(join(catalog, "item-1"), { recursive: true });
    const path = join(dir, "probe.ipynb");
    await Deno.writeTextFile(
      path,
      JSON.stringify(notebook(['console.log("catalog:", Deno.env.get("SETSIM_CATALOG"))'])),
    );
    const before = await Deno.readTextFile(path);
    const results = join(dir, "results");
    const r = await figures([relative(PROJECT_ROOT, path)], {
      SETSIM_CATALOG: relative(PROJECT_ROOT, catalog),
      SETSIM_RESULTS_DIR: results,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(path), before, "the saved notebook is not the catalog run's");
    const executed = JSON.parse(
      await Deno.readTextFile(join(results, "catalogs", "my-shop", "notebooks", "probe.ipynb")),
    );
    assert.match(
      streamText(executed),
      new RegExp(`catalog: ${catalog}`),
      "the kernel gets the absolute path",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
