/**
 * The notebooks as a researcher runs them (issue 23): Jupyter Notebook 6 on 127.0.0.1 with the
 * committed kernelspec, each notebook opened in headless Chromium and run with "Run All" in fast
 * mode, through the UI's own JavaScript (`Jupyter.notebook.execute_all_cells()`).
 *
 * Asserted per notebook: no error output; every output message the page received carries the
 * request id of a cell of the notebook (`parent_header.msg_id` = that cell's `last_msg_id`) and
 * arrived before the kernel reported that request idle — an output that arrives later is what
 * the UI drops or shows under the next cell; every cell shows exactly the outputs its request
 * produced; an `execute_result`'s count equals its cell's prompt; and every figure cell has an
 * `<svg>` or `<img>` in its output area. A full-page screenshot per notebook is kept in
 * `results/test-artifacts/notebooks-ui/` (git-ignored). Asserted for the whole run: no committed
 * file under `results/` or `notebooks/` was written, and no new file git would see appeared there.
 *
 * The kernels get their configuration from this test, never from whatever the process environment
 * holds when it starts: `deno test --parallel` runs test files as threads of ONE process, which
 * share one environment, and a test that exports the configuration (`applyConfigFlags`) once handed
 * the kernels `SETSIM_RESULTS_DIR=<project>/results`, so notebook 04 overwrote its committed results.
 * Here the results folder is a temporary one, given explicitly, with `SETSIM_FAST=1`
 * ({@link uiKernelEnv}); `notebookContext` refuses fast mode in the committed folder in any case.
 *
 * The notebooks are copies in a temporary folder beside `notebooks/`, with `notebooks/lib/` (so their
 * `../lib/` and `./lib/` imports resolve and the kernel finds `deno.json`); the originals are never opened, so never saved.
 * Jupyter gets a temporary HOME and Jupyter folders, and finds the kernel as the headless runner
 * does, through `JUPYTER_PATH=jupyter/`. Jupyter and Chromium are stopped in `finally`.
 *
 * Needs the datasets (`SETSIM_DATA_DIR`, relative to where the tests run, like every command),
 * `jupyter-notebook` and `/usr/bin/chromium` (all from `scripts/bootstrap.sh`); ignored without them,
 * except in CI (`CI` set), where it fails naming what is missing.
 *
 * Opt-in: `SETSIM_UI_NOTEBOOKS=all` runs every notebook, `SETSIM_UI_NOTEBOOKS=00,04` only those whose
 * names start with those prefixes. It is not part of the default run because `show()` cannot yet
 * guarantee that an output reaches the UI before its cell reports idle (the Deno kernel gives no
 * acknowledgement; measured: about one full run in three has one late output, in notebook 04).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { configEnv, PROJECT_ROOT, resolveConfig } from "../../lib/config/mod.ts";
import { chromiumPresent, closeChromium, launchChromium } from "../tools/chromium.ts";
import { committedChanges, snapshotCommitted } from "../tools/committed.ts";

const JUPYTER = "/usr/bin/jupyter";
const ARTIFACTS = join(PROJECT_ROOT, "results", "test-artifacts", "notebooks-ui");
/** Per notebook: Run All in fast mode takes well under a minute for most; 09 takes longest (loaded: 5 min). */
const NOTEBOOK_TIMEOUT_MS = 10 * 60_000;
/** Quiet time after the last cell finished, so that a late output would still be seen and fail. */
const SETTLE_MS = 1500;

/** `SETSIM_UI_NOTEBOOKS=00,04` runs only those (name prefixes), to iterate on one notebook. */
const ONLY_SETTING = (Deno.env.get("SETSIM_UI_NOTEBOOKS") ?? "").trim();
const ONLY = ONLY_SETTING === "all" ? [] : ONLY_SETTING.split(",").map((s) => s.trim()).filter(Boolean);
/** The folders whose committed files a UI run must leave alone (the kernels write results). */
const GUARDED = ["results", "notebooks"];

/**
 * The environment Jupyter and its kernels run with, and nothing else of this process's: fast mode,
 * results in `resultsDir` (given explicitly, so no `SETSIM_RESULTS_DIR` in the environment can
 * send them to the committed `results/`), the other settings as the user gave them.
 *
 * @param env how to read the user's settings (injectable, to test it against a polluted environment).
 */
function uiKernelEnv(
  resultsDir: string,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Record<string, string> {
  const fast = (name: string) => name === "SETSIM_FAST" ? "1" : env(name);
  return { ...configEnv(resolveConfig({ resultsDir }, fast)), SETSIM_FAST: "1" };
}

const dataDir = resolveConfig().dataDir;
/** What the test needs and does not have; empty when it can run. */
const missing = [
  ...["coil100", "grocery_store", "myntra_footwear"].filter((name) => !existsSync(join(dataDir, name)))
    .map((name) => `the dataset ${join(dataDir, name)} (SETSIM_DATA_DIR)`),
  ...(chromiumPresent() ? [] : ["/usr/bin/chromium (apt-get install chromium)"]),
  ...(existsSync(JUPYTER) ? [] : [`${JUPYTER} (apt-get install jupyter-notebook)`]),
];
/** CI (`.ci/run` sets CI) must run it: there a missing tool is a failure, not a quiet skip. */
const inCi = ["1", "true", "yes"].includes((Deno.env.get("CI") ?? "").toLowerCase());

/**
 * A figure cell shows a figure: what it passes to its last `show(...)` renders or saves a plot or
 * gallery, or names a figure; its outputs must then include an `<svg>` or `<img>`.
 */
const FIGURE_CALL = /renderPlot\(|saveFigure\(|saveGallery\(|mapFigure\(|\b\w*(Fig|Figure|Figs)\b|heatmaps\[/;
/** Texts a figure cell may show instead of its figure when fast mode skips that part. */
const SKIPPED = /skipped|not in this sweep|no failure to show/;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

interface CellReport {
  index: number;
  source: string;
  prompt: number | string | null;
  msgId: string | null;
  outputs: { type: string; count?: number | null; ename?: string; evalue?: string; text: string }[];
  hasGraphic: boolean;
}
interface Received {
  parent: string | null;
  type: string;
  afterIdle: boolean;
}

/** Start Jupyter Notebook on 127.0.0.1; resolves when it answers its API with the token. */
async function startJupyter(
  notebookDir: string,
  home: string,
  port: number,
  token: string,
  kernelEnv: Record<string, string>,
) {
  const log = await Deno.open(join(home, "jupyter.log"), { write: true, create: true });
  const child = new Deno.Command(JUPYTER, {
    args: [
      "notebook",
      "--ip=127.0.0.1",
      "--no-browser",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${notebookDir}`,
      // Notebook refuses to start as root without it (containers, some CI runners).
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    env: {
      ...kernelEnv,
      HOME: home,
      JUPYTER_CONFIG_DIR: join(home, "config"),
      JUPYTER_DATA_DIR: join(home, "data"),
      JUPYTER_RUNTIME_DIR: join(home, "runtime"),
      JUPYTER_PATH: join(PROJECT_ROOT, "jupyter"),
      IPYTHONDIR: join(home, "ipython"),
      PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${Deno.env.get("PATH") ?? ""}`,
      NO_COLOR: "1",
    },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Keep the server's log (it names kernel failures) without filling a pipe.
  child.stderr.pipeTo(log.writable).catch(() => {});
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(
        `jupyter notebook exited at start:\n${await Deno.readTextFile(join(home, "jupyter.log"))}`,
      );
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/kernelspecs?token=${token}`);
      if (response.ok) {
        const specs = await response.json();
        assert.ok(specs.kernelspecs.deno, `Jupyter does not see the committed "deno" kernelspec`);
        return child;
      }
      await response.body?.cancel();
    } catch (error) {
      if (error instanceof assert.AssertionError) {
        await stopJupyter(child, port, token);
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopJupyter(child, port, token);
  throw new Error(
    `jupyter notebook did not answer on 127.0.0.1:${port} within 60 s (log: ${home}/jupyter.log)`,
  );
}

/** Shut every kernel down through the API, then the server; SIGKILL if it does not exit. */
async function stopJupyter(child: Deno.ChildProcess, port: number, token: string) {
  const api = (path: string, method: string) =>
    fetch(`http://127.0.0.1:${port}${path}?token=${token}`, { method }).then(async (r) => {
      const body = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
      return body;
    });
  try {
    const kernels = await api("/api/kernels", "GET") as { id: string }[];
    for (const kernel of kernels) await api(`/api/kernels/${kernel.id}`, "DELETE");
    await api("/api/shutdown", "POST");
  } catch {
    // The server may already be gone; the kill below covers it.
  }
  const exited = await Promise.race([
    child.status.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
  ]);
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch {
      // It exited between the race and the kill.
    }
    await child.status;
  }
}

/** Open one notebook, Run All, and read back what the page shows and received. */
async function runInUi(page: Page, url: string) {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(
    () => {
      // deno-lint-ignore no-explicit-any
      const nb = (globalThis as any).Jupyter?.notebook;
      return nb?._fully_loaded && nb.kernel?.info_reply?.implementation !== undefined &&
        nb.kernel.is_connected();
    },
    { timeout: 120_000, polling: 250 },
  );
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const kernel = g.Jupyter.notebook.kernel;
    const idle = new Set<string>();
    const received: Received[] = [];
    g.__received = received;
    // Every IOPub message passes here (kernel.js `_finish_ws_message`); record outputs and
    // whether their request had already been reported idle.
    const handle = kernel._handle_iopub_message.bind(kernel);
    kernel._handle_iopub_message = (msg: {
      header: { msg_type: string };
      parent_header?: { msg_id?: string };
      content: { execution_state?: string };
    }) => {
      const parent = msg.parent_header?.msg_id ?? null;
      const type = msg.header.msg_type;
      if (type === "status" && msg.content.execution_state === "idle" && parent) idle.add(parent);
      if (["stream", "display_data", "execute_result", "error"].includes(type)) {
        received.push({ parent, type, afterIdle: parent !== null && idle.has(parent) });
      }
      return handle(msg);
    };
    g.Jupyter.notebook.execute_all_cells();
  });
  await page.waitForFunction(
    () => {
      // deno-lint-ignore no-explicit-any
      const cells = (globalThis as any).Jupyter.notebook.get_cells().filter((c: any) =>
        c.cell_type === "code"
      );
      // deno-lint-ignore no-explicit-any
      return cells.every((c: any) => !c.element.hasClass("running"));
    },
    { timeout: NOTEBOOK_TIMEOUT_MS, polling: 500 },
  );
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const text = (v: unknown) => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");
    // deno-lint-ignore no-explicit-any
    const cells: CellReport[] = g.Jupyter.notebook.get_cells().map((c: any, index: number) => ({
      index,
      source: c.cell_type === "code" ? c.get_text() : "",
      prompt: c.cell_type === "code" ? c.input_prompt_number ?? null : null,
      msgId: c.cell_type === "code" ? c.last_msg_id ?? null : null,
      outputs: c.cell_type === "code"
        // deno-lint-ignore no-explicit-any
        ? c.output_area.outputs.map((o: any) => ({
          type: o.output_type,
          count: o.execution_count,
          ename: o.ename,
          evalue: o.evalue,
          text: text(o.text) + text(o.data?.["text/plain"]) + text(o.data?.["text/markdown"]),
        }))
        : [],
      hasGraphic: c.cell_type === "code" && c.output_area.element[0].querySelector("svg, img") !== null,
    }));
    // Let the screenshot show the whole notebook, not only the scrolled viewport.
    const site = document.getElementById("site");
    if (site) Object.assign(site.style, { height: "auto", overflow: "visible" });
    return { cells, received: g.__received as Received[] };
  });
}

function checkNotebook(name: string, cells: CellReport[], received: Received[]) {
  const code = cells.filter((c) => c.source.trim() !== "");
  const where = (c: CellReport) =>
    `${name} cell ${c.index + 1} (${c.source.split("\n").at(-1)?.slice(0, 70)})`;
  for (const c of code) {
    for (const o of c.outputs) {
      assert.notEqual(o.type, "error", `${where(c)}: ${o.ename}: ${o.evalue}`);
    }
    assert.equal(typeof c.prompt, "number", `${where(c)} did not run (prompt ${c.prompt})`);
    assert.ok(c.msgId, `${where(c)} has no request id`);
  }
  const byId = new Map(code.map((c) => [c.msgId!, c]));
  for (const r of received) {
    assert.ok(r.parent && byId.has(r.parent), `${name}: a ${r.type} output for no cell of the notebook`);
    assert.ok(
      !r.afterIdle,
      `${where(byId.get(r.parent)!)}: a ${r.type} output arrived after its cell went idle`,
    );
  }
  for (const c of code) {
    const mine = received.filter((r) => r.parent === c.msgId);
    // The UI merges consecutive stream messages of a cell into one output.
    const rich = (list: { type: string }[]) => list.filter((o) => o.type !== "stream").length;
    assert.equal(
      rich(c.outputs),
      rich(mine),
      `${where(c)}: shows ${rich(c.outputs)} rich outputs, sent ${rich(mine)}`,
    );
    assert.equal(
      c.outputs.some((o) => o.type === "stream"),
      mine.some((r) => r.type === "stream"),
      `${where(c)}: its printed text is not where it was sent`,
    );
    for (const o of c.outputs.filter((o) => o.type === "execute_result")) {
      assert.equal(o.count, c.prompt, `${where(c)}: Out[${o.count}] under In[${c.prompt}]`);
    }
    const shown = c.source.slice(c.source.lastIndexOf("show("));
    if (c.source.includes("show(") && FIGURE_CALL.test(shown)) {
      const skipped = c.outputs.some((o) => SKIPPED.test(o.text)) && SKIPPED.test(c.source);
      assert.ok(c.hasGraphic || skipped, `${where(c)}: a figure cell without <svg> or <img>`);
    }
  }
  assert.ok(code.some((c) => c.hasGraphic), `${name}: no figure rendered at all`);
}

Deno.test({
  name: "every notebook runs in the Jupyter UI (Run All, fast mode) with each output in its own cell",
  ignore: ONLY_SETTING === "" || (missing.length > 0 && !inCi),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(missing, [], `the UI test needs ${missing.join(", ")}`);
    const notebooks = [...Deno.readDirSync(join(PROJECT_ROOT, "notebooks"))]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb") && !e.name.endsWith(".failed.ipynb"))
      .map((e) => e.name)
      .filter((name) => ONLY.length === 0 || ONLY.some((prefix) => name.startsWith(prefix)))
      .sort();
    assert.ok(notebooks.length > 0, `no notebook matches SETSIM_UI_NOTEBOOKS=${ONLY.join(",")}`);
    // Copies beside notebooks/: their "../lib/" imports resolve as in the originals.
    const copies = await Deno.makeTempDir({ dir: PROJECT_ROOT, prefix: ".tmp-notebooks-ui-" });
    const home = await Deno.makeTempDir({ prefix: "setsim-jupyter-home-" });
    // The kernels' results: a temporary folder, removed afterwards (what they write is not the point).
    const resultsDir = await Deno.makeTempDir({ prefix: "setsim-notebooks-ui-results-" });
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    for (const name of notebooks) {
      await Deno.copyFile(join(PROJECT_ROOT, "notebooks", name), join(copies, name));
    }
    // The notebooks' own modules (`./lib/*_findings.ts`), at the same depth so their `../../lib/` resolves.
    await Deno.mkdir(join(copies, "lib"));
    for (const entry of Deno.readDirSync(join(PROJECT_ROOT, "notebooks", "lib"))) {
      if (entry.isFile) {
        await Deno.copyFile(
          join(PROJECT_ROOT, "notebooks", "lib", entry.name),
          join(copies, "lib", entry.name),
        );
      }
    }
    const port = freePort();
    const token = crypto.randomUUID().replaceAll("-", "");
    let jupyter: Deno.ChildProcess | undefined;
    let browser: Browser | undefined;
    const before = await snapshotCommitted(PROJECT_ROOT, GUARDED);
    try {
      jupyter = await startJupyter(copies, home, port, token, uiKernelEnv(resultsDir));
      browser = await launchChromium({
        profileDir: join(home, "chromium"),
        // waitForFunction holds one protocol call until the notebook finishes.
        protocolTimeout: NOTEBOOK_TIMEOUT_MS + 60_000,
      });
      for (const name of notebooks) {
        await t.step(name, async () => {
          const page = await browser!.newPage();
          await page.setViewport({ width: 1280, height: 900 });
          // Leaving a changed notebook asks "are you sure": accept, nothing is saved.
          page.on("dialog", (dialog) => dialog.accept().catch(() => {}));
          try {
            const url = `http://127.0.0.1:${port}/notebooks/${encodeURIComponent(name)}?token=${token}`;
            const { cells, received } = await runInUi(page, url);
            await page.screenshot({
              path: join(ARTIFACTS, `${basename(name, ".ipynb")}.png`) as `${string}.png`,
              fullPage: true,
            });
            checkNotebook(name, cells, received);
          } finally {
            // Shut this notebook's kernel down before the next one starts (2 cores).
            await page.evaluate(() => {
              // deno-lint-ignore no-explicit-any
              const nb = (globalThis as any).Jupyter?.notebook;
              nb?.set_dirty?.(false);
              return new Promise((done) => (nb?.session ? nb.session.delete(done, done) : done(null)));
            }).catch(() => {});
            await page.close().catch(() => {});
          }
        });
      }
    } finally {
      await closeChromium(browser);
      if (jupyter) await stopJupyter(jupyter, port, token);
      await Deno.remove(copies, { recursive: true });
      await Deno.remove(home, { recursive: true });
      await Deno.remove(resultsDir, { recursive: true });
    }
    const changes = committedChanges(before, await snapshotCommitted(PROJECT_ROOT, GUARDED));
    assert.deepEqual(
      changes,
      [],
      `the UI run wrote committed files (its kernels must write only to a temporary results folder):\n` +
        changes.join("\n"),
    );
  },
});

Deno.test("the UI test's kernels run in fast mode with their own results folder, whatever the environment holds", () => {
  // What a parallel test file once left in the shared environment: the committed results folder.
  const polluted: Record<string, string> = {
    SETSIM_RESULTS_DIR: join(PROJECT_ROOT, "results"),
    SETSIM_FAST: "0",
    SETSIM_DATA_DIR: "/data/sets",
    SETSIM_MODEL: "clip",
  };
  const env = uiKernelEnv("/tmp/ui-results", (name) => polluted[name]);
  assert.equal(env.SETSIM_FAST, "1");
  assert.equal(env.SETSIM_RESULTS_DIR, "/tmp/ui-results");
  // The user's own settings pass through unchanged.
  assert.equal(env.SETSIM_DATA_DIR, "/data/sets");
  assert.equal(env.SETSIM_MODEL, "clip");
  assert.equal(env.SETSIM_CACHE_DIR, join(PROJECT_ROOT, ".cache"));
});
