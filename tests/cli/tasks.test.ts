/**
 * Tasks (deno.json) and the main job's step list: Deno's update check is off in every task and in
 * the notebook kernel (it makes a DNS lookup per process), and `deno task reproduce` runs the
 * steps its `--list` shows — without the nine-variant model study unless `--all` (issue 14.4).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { listSteps, selectSteps, type STEPS } from "../../scripts/reproduce.ts";

const denoJson = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json")));

Deno.test("every task turns Deno's update check off before its first deno command", () => {
  for (const [name, command] of Object.entries(denoJson.tasks as Record<string, string>)) {
    const off = command.indexOf("export DENO_NO_UPDATE_CHECK=1 &&");
    const firstDeno = command.search(/\bdeno\s/);
    assert.ok(off === 0 && firstDeno > off, `task "${name}" must start with export DENO_NO_UPDATE_CHECK=1`);
  }
  const kernel = JSON.parse(
    Deno.readTextFileSync(join(PROJECT_ROOT, "jupyter", "kernels", "deno", "kernel.json")),
  );
  assert.equal(kernel.env.DENO_NO_UPDATE_CHECK, "1", "the notebook kernel too");
});

const strace = await new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" }).output()
  .then((r) => r.success, () => false);
if (!strace) {
  console.warn("skipping the DNS check of tasks: strace is not installed (scripts/bootstrap.sh installs it)");
}

Deno.test({
  // The figures task: deno (setup, run-notebooks) → python → the Deno kernel, each alive for seconds
  // (Deno's check starts ~0.5 s after launch, so a short task would pass without the fix).
  name: "the figures task makes no DNS lookup in any of its processes (strace: no connect to port 53)",
  ignore: !strace,
  async fn() {
    const dir = await Deno.makeTempDir({ dir: join(PROJECT_ROOT, "tests", "cli"), prefix: ".tmp-dns-" });
    try {
      const notebook = join(dir, "probe.ipynb");
      await Deno.writeTextFile(
        notebook,
        JSON.stringify({
          nbformat: 4,
          nbformat_minor: 5,
          metadata: {},
          cells: [{
            id: "c",
            cell_type: "code",
            metadata: {},
            source: "1 + 1",
            outputs: [],
            execution_count: null,
          }],
        }),
      );
      const log = join(dir, "strace.log");
      const env = Deno.env.toObject();
      delete env.DENO_NO_UPDATE_CHECK;
      const out = await new Deno.Command("strace", {
        args: [
          "-f",
          "-e",
          "trace=connect",
          "-o",
          log,
          Deno.execPath(),
          "task",
          "--quiet",
          "figures",
          notebook,
        ],
        cwd: PROJECT_ROOT,
        clearEnv: true,
        env: { ...env, SETSIM_RESULTS_DIR: join(dir, "results") },
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const dns = (await Deno.readTextFile(log)).split("\n").filter((line) => line.includes("htons(53)"));
      assert.deepEqual(dns, [], "no process of the task connects to a DNS server");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("reproduce: the default run leaves out the model study; --all and --only include it", () => {
  const names = (steps: typeof STEPS) => steps.map((s) => s.name);
  assert.deepEqual(names(selectSteps({})), ["setup", "eval", "sweep", "figures"]);
  assert.deepEqual(names(selectSteps({ all: true })), [
    "setup",
    "embedding-layers",
    "eval",
    "sweep",
    "figures",
  ]);
  assert.deepEqual(names(selectSteps({ only: ["embedding-layers"] })), ["embedding-layers"]);
  assert.deepEqual(names(selectSteps({ from: "sweep" })), ["sweep", "figures"]);
  assert.throws(
    () => selectSteps({ only: ["nope"] }),
    /unknown step "nope" \(steps: setup, embedding-layers/,
  );
});

Deno.test("reproduce --list shows which steps the default run includes, and their commands", () => {
  const list = listSteps(selectSteps({}), false);
  assert.match(list, /^embedding-layers\s+no \(--all\)/m);
  assert.match(list, /^eval\s+yes/m);
  assert.match(list, /\$ deno task bench embedding-layers/);
  assert.match(listSteps(selectSteps({ all: true }), true), /^embedding-layers\s+yes/m);
  assert.match(listSteps(selectSteps({}), true), /\$ deno task figures --fast$/m);
});
