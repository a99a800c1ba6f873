import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT, resolveConfig } from "../../lib/config/mod.ts";
import { exists } from "../../lib/data/datasets.ts";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";

const dataDir = await makeTinyDataDir({ corruptCoilView: "obj2__0" });
const resultsDir = await Deno.makeTempDir({ prefix: "setsim-eval-results-" });
const cacheDir = await Deno.makeTempDir({ prefix: "setsim-eval-cache-" });
// The CLI always uses the real default model; skip the end-to-end runs where setup has not built it.
const modelReady = await exists(join(resolveConfig().modelsDir, "mobilenet-v2-pool"));

async function evalCli(args: string[]) {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "scripts", "eval.ts"), ...args],
    env: {
      SETSIM_DATA_DIR: dataDir,
      SETSIM_RESULTS_DIR: resultsDir,
      SETSIM_CACHE_DIR: cacheDir,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "eval CLI --json: exactly one JSON object with the contract's fields; run appended",
  ignore: !modelReady,
  fn: async () => {
    const { code, stdout, stderr } = await evalCli([
      "--dataset",
      "coil100",
      "--protocol",
      "unordered",
      "--method",
      "greedy",
      "--s",
      "0.2",
      "--seed",
      "3",
      "--json",
      "--bootstrap",
      "100",
    ]);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 1, "stdout holds one line");
    const result = JSON.parse(lines[0]);
    for (
      const key of [
        "dataset",
        "protocol",
        "method",
        "model",
        "seed",
        "n_queries",
        "recall_at_1",
        "recall_at_5",
        "map",
      ]
    ) {
      assert.ok(key in result, `missing ${key}`);
    }
    assert.equal(result.dataset, "coil100");
    assert.equal(result.method, "greedy");
    assert.equal(result.model, "mobilenet-v2");
    assert.equal(result.seed, 3);
    assert.equal(result.s, 0.2);
    assert.equal(result.n_queries, 3);
    for (const metric of ["recall_at_1", "recall_at_5", "recall_at_10", "map"]) {
      const [lo, hi] = result.ci95[metric];
      assert.ok(lo <= result[metric] && result[metric] <= hi, `${metric} inside its interval`);
    }
    assert.ok(result.greedy_vs_optimal.same_top1_rate >= 0);
    // obj2__0 is corrupt: reported only if the seed drew it; never a crash
    assert.ok(Array.isArray(result.failures));
    const runs = (await Deno.readTextFile(join(resultsDir, "eval", "runs.jsonl"))).trim().split("\n");
    const recorded = JSON.parse(runs.at(-1)!);
    assert.equal(recorded.config.s, 0.2);
    assert.equal(recorded.config.seed, 3);
    assert.match(recorded.fingerprint, /\S/);
  },
});

Deno.test({
  name: "eval CLI: every protocol and method runs; --table writes summary.md and .csv",
  ignore: !modelReady,
  fn: async () => {
    const runs: string[][] = [
      ["--dataset", "coil100", "--protocol", "ordered", "--method", "ordered,greedy,optimal,lp"],
      ["--dataset", "coil100", "--method", "centroid,chamfer,hausdorff,sinkhorn", "--augment", "rot90"],
      ["--dataset", "grocery_store", "--method", "greedy,centroid", "--a", "2", "--b", "3"],
      ["--dataset", "footwear", "--method", "optimal", "--per-category", "4"],
    ];
    for (const args of runs) {
      const { code, stdout, stderr } = await evalCli([...args, "--bootstrap", "50"]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /Recall@1 \d\.\d{3} \[/);
    }
    const { code, stdout, stderr } = await evalCli(["--table"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /\| coil100 \| ordered δ=10 \| ordered \|/);
    assert.ok(!/\| grocery \|/.test(stdout), "runs with non-default --a/--b are variants, not table rows");
    assert.ok(
      !/rot90/.test(stdout) && !/\| coil100 \| unordered \| chamfer/.test(stdout),
      "augmented runs are variants",
    );
    const csv = await Deno.readTextFile(join(resultsDir, "eval", "summary.csv"));
    assert.match(csv.split("\n")[0], /^dataset,protocol,method,model,seed,n_queries,recall_at_1,/);
  },
});

Deno.test("eval CLI: bad input exits 2 with a message naming it", async () => {
  const cases: [string[], RegExp][] = [
    [["--dataset", "coil100", "--method", "fastest"], /--method must be one of/],
    [
      ["--dataset", "coil100", "--protocol", "single", "--method", "greedy"],
      /does not apply to dataset "coil100"/,
    ],
    [["--dataset", "imagenet", "--method", "greedy"], /unknown dataset "imagenet"/],
    [["--dataset", "coil100", "--method", "greedy", "--s", "x"], /--s must be a finite number/],
    [["--dataset", "coil100", "--method", "greedy,optimal", "--json"], /--json takes exactly one --method/],
    [["--dataset", "coil100", "--method", "greedy", "--augment", "zoom"], /unknown augmentation "zoom"/],
    [["--method", "greedy"], /--dataset is required/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await evalCli(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
  }
  const missing = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(PROJECT_ROOT, "scripts", "eval.ts"),
      "--dataset",
      "grocery",
      "--method",
      "greedy",
    ],
    env: { SETSIM_DATA_DIR: await Deno.makeTempDir(), SETSIM_RESULTS_DIR: resultsDir },
    stdout: "piped",
    stderr: "piped",
  });
  const out = await missing.output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /deno task data grocery/);
});
