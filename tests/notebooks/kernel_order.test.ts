/**
 * `show()` (lib/figures/display.ts) with the real Deno kernel, driven over the Jupyter protocol
 * (python3 jupyter_client): every output of a cell — `console.log` text and shown figures — must
 * carry the cell's own request id and arrive before the kernel reports that request idle. That is
 * what the Jupyter UI needs to put an output under the cell that made it (issue 23: Deno's kernel
 * sends a cell's *value* after idle at random, so the notebooks show values with `show`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

const PYTHON = "/usr/bin/python3";

/** Runs each cell `repeats` times in one kernel; counts outputs before idle, after idle, and misaddressed. */
const PROBE = `
import json, os, queue, sys, time
from jupyter_client.manager import KernelManager
cells, repeats = json.loads(sys.argv[1]), int(sys.argv[2])
km = KernelManager(kernel_name="deno")
km.start_kernel(cwd=os.getcwd(), env=dict(os.environ))
kc = km.client(); kc.start_channels()
counts = []
try:
    kc.wait_for_ready(timeout=120)
    for source in cells:
        tally = {"before_idle": 0, "after_idle": 0, "other_parent": 0}
        for _ in range(repeats):
            msg_id = kc.execute(source)
            idle = False
            while True:
                try:
                    msg = kc.get_iopub_msg(timeout=0.5 if idle else 60)
                except queue.Empty:
                    break
                parent = msg["parent_header"].get("msg_id")
                kind = msg["header"]["msg_type"]
                if kind in ("stream", "display_data", "execute_result", "error"):
                    tally["other_parent" if parent != msg_id else "after_idle" if idle else "before_idle"] += 1
                if parent == msg_id and kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        counts.append(tally)
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
print(json.dumps(counts))
`;

async function probe(cells: string[], repeats: number) {
  const { code, stdout, stderr } = await new Deno.Command(PYTHON, {
    args: ["-c", PROBE, JSON.stringify(cells), String(repeats)],
    cwd: join(PROJECT_ROOT, "notebooks"), // where notebook kernels run, so "../lib" resolves
    env: {
      JUPYTER_PATH: join(PROJECT_ROOT, "jupyter"),
      PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${Deno.env.get("PATH")}`,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  return JSON.parse(new TextDecoder().decode(stdout)) as {
    before_idle: number;
    after_idle: number;
    other_parent: number;
  }[];
}

Deno.test("show() sends a cell's outputs, console.log included, before the cell goes idle", async () => {
  const repeats = 15;
  const [shown, figure, large] = await probe([
    'import { markdown, show } from "../lib/figures/mod.ts";\n' +
    'await new Promise((r) => setTimeout(r, 5));\nconsole.log("text");\nawait show(markdown("**a**"), "b");',
    'import { heatmapOptions, renderPlot, show } from "../lib/figures/mod.ts";\n' +
    "await show(renderPlot(heatmapOptions({ values: [[1, 0.5], [0.5, 1]] })));",
    // The size of a gallery PNG: its forwarding takes longer than one macrotask.
    'import { png, show } from "../lib/figures/mod.ts";\n' +
    "await show(png(new Uint8Array(1_500_000).map((_, i) => i * 7)));",
  ], repeats);
  assert.deepEqual(shown, { before_idle: 3 * repeats, after_idle: 0, other_parent: 0 });
  assert.deepEqual(figure, { before_idle: repeats, after_idle: 0, other_parent: 0 });
  assert.deepEqual(large, { before_idle: repeats, after_idle: 0, other_parent: 0 });
});
