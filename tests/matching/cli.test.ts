import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

async function runMatch(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/match.ts", ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

async function withFiles(files: Record<string, string>, body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "setsim-match-" });
  try {
    for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CSV = "query,b0,b1,b2\na0,0.9,0.2,0.1\na1,0.8,0.95,0.3\n";
const JSON_MATRIX = "[[0.9, 0.8], [0.85, 0.0], [0.1, 0.2]]";

Deno.test("match --json prints exactly one object with the contract's shape", async () => {
  await withFiles({ "m.csv": CSV, "m.json": JSON_MATRIX }, async (dir) => {
    const greedy = await runMatch(["--matrix", join(dir, "m.csv"), "--method", "greedy", "--json"]);
    assert.equal(greedy.code, 0, greedy.stderr);
    const out = JSON.parse(greedy.stdout);
    assert.deepEqual(Object.keys(out).sort(), ["method", "pairs", "score", "unmatchedA", "unmatchedB"]);
    assert.equal(out.method, "greedy");
    assert.equal(out.score, 0.925);
    assert.deepEqual(
      out.pairs.map((p: { a: number; b: number; similarity: number }) => [p.a, p.b, p.similarity]),
      [
        [1, 1, 0.95],
        [0, 0, 0.9],
      ],
    );
    assert.deepEqual(out.unmatchedA, []);
    assert.deepEqual(out.unmatchedB, [2]);

    const optimal = await runMatch(["--matrix", join(dir, "m.json"), "--method", "optimal", "--json"]);
    assert.equal(optimal.code, 0, optimal.stderr);
    const o = JSON.parse(optimal.stdout);
    assert.equal(o.score, 0.825);
    assert.deepEqual(o.pairs.map((p: { a: number; b: number }) => [p.a, p.b]), [[1, 0], [0, 1]]);
    assert.deepEqual(o.unmatchedA, [2]);
  });
});

Deno.test("match: s and m, null score, every matrix method", async () => {
  await withFiles({ "m.json": JSON_MATRIX }, async (dir) => {
    const file = join(dir, "m.json");
    const capped = JSON.parse(
      (await runMatch(["--matrix", file, "--method", "lp", "--m", "1", "--json"])).stdout,
    );
    assert.equal(capped.score, 0.85);
    assert.deepEqual(capped.pairs.map((p: { counted: boolean }) => p.counted), [true, false]);
    const negative = await runMatch([
      "--matrix",
      file,
      "--method",
      "optimal",
      "--s",
      "-0.5",
      "--m",
      "2",
      "--json",
    ]);
    assert.equal(negative.code, 0, negative.stderr);
    assert.equal(JSON.parse(negative.stdout).score, 0.825);
    const none = JSON.parse((await runMatch(["--matrix", file, "--s", "0.99", "--json"])).stdout);
    assert.equal(none.score, null);
    assert.match(none.reason, /no match passed s = 0.99/);
    for (const method of ["chamfer", "hausdorff", "sinkhorn"]) {
      const r = await runMatch(["--matrix", file, "--method", method, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(typeof JSON.parse(r.stdout).score, "number");
    }
  });
});

Deno.test("match without --json prints a readable table with labels", async () => {
  await withFiles({ "m.csv": CSV }, async (dir) => {
    const r = await runMatch(["--matrix", join(dir, "m.csv"), "--method", "optimal", "--s", "0.91"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /method: optimal \(s = 0.91\)/);
    assert.match(r.stdout, /score: {2}0\.950000/);
    assert.match(r.stdout, /a0\s+b0\s+0\.900000\s+no \(below s\)/);
    assert.match(r.stdout, /unmatched in B: b2/);
  });
});

Deno.test("match exits 2 with a clear message on bad files and flags", async () => {
  await withFiles({
    "ragged.csv": "0.1,0.2\n0.3\n",
    "text.csv": "0.1,abc\n0.2,0.3\n",
    "bad.json": '[[1, "x"]]',
    "broken.json": "[[1, 2",
    "empty.csv": "",
    "rect.json": JSON_MATRIX,
    "big.json": JSON.stringify(Array.from({ length: 101 }, () => new Array(100).fill(0.5))),
  }, async (dir) => {
    const cases: [string[], RegExp][] = [
      [["--matrix", join(dir, "ragged.csv")], /line 2 has 1 values, expected 2/],
      [["--matrix", join(dir, "text.csv")], /"abc" is not a finite number/],
      [["--matrix", join(dir, "bad.json")], /entry \[0\]\[1\] is "x"/],
      [["--matrix", join(dir, "broken.json")], /not valid JSON/],
      [["--matrix", join(dir, "empty.csv")], /is empty/],
      [["--matrix", join(dir, "missing.csv")], /cannot read matrix file/],
      [["--matrix", join(dir, "rect.json"), "--method", "ordered"], /equal size/],
      [["--matrix", join(dir, "rect.json"), "--method", "nope"], /--method must be one of/],
      [["--matrix", join(dir, "rect.json"), "--method", "centroid"], /needs embeddings/],
      [
        ["--matrix", join(dir, "rect.json"), "--s", "1.5"],
        /--s must be a finite number in \[-1, 1\], got "1.5"/,
      ],
      [["--matrix", join(dir, "rect.json"), "--m", "0"], /--m must be an integer ≥ 1/],
      [["--matrix", join(dir, "rect.json"), "--m", "2.5"], /--m must be an integer ≥ 1/],
      [["--matrix", join(dir, "rect.json"), "--method", "sinkhorn", "--s", "0.5"], /apply only to/],
      [
        ["--matrix", join(dir, "rect.json"), "--method", "greedy", "--epsilon", "0.1"],
        /--epsilon applies only to --method sinkhorn; got --method greedy/,
      ],
      [
        ["--matrix", join(dir, "rect.json"), "--method", "sinkhorn", "--max-iterations", "0"],
        /--max-iterations must be an integer ≥ 1/,
      ],
      [
        ["--matrix", join(dir, "big.json"), "--method", "lp"],
        /lp is limited to 10,000 entries.*--method optimal/,
      ],
      [[], /--matrix FILE is required/],
    ];
    for (const [args, message] of cases) {
      const r = await runMatch(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.equal(r.stdout, "", "nothing on stdout");
    }
  });
});

Deno.test("match never changes a matrix's shape on a bad cell, and needs --any-range beyond [−1, 1] (issue 10: 1, 12)", async () => {
  await withFiles({
    "nan-column.csv": "0.9,0.1,0.2\nnan,0.8,0.3\n0.4,0.5,0.6\n",
    "nan-header.csv": "nan,nan\n0.9,0.1\n0.2,0.8\n",
    "hex.csv": "0.9,0x1\n0.2,0.8\n",
    "wide.csv": "0.9,1.5\n-3,0.8\n",
  }, async (dir) => {
    const column = await runMatch(["--matrix", join(dir, "nan-column.csv"), "--json"]);
    assert.equal(column.code, 2, column.stdout);
    assert.match(column.stderr, /line 2, column 1: "nan" is not a finite number/);
    const header = await runMatch(["--matrix", join(dir, "nan-header.csv"), "--json"]);
    assert.equal(header.code, 2, header.stdout);
    assert.match(header.stderr, /line 1, column 1: "nan" is not a finite number/);
    const hex = await runMatch(["--matrix", join(dir, "hex.csv"), "--json"]);
    assert.equal(hex.code, 2, hex.stdout);
    assert.match(hex.stderr, /line 1, column 2: "0x1" is not a finite number/);
    const wide = await runMatch(["--matrix", join(dir, "wide.csv"), "--method", "optimal", "--json"]);
    assert.equal(wide.code, 2, wide.stdout);
    assert.match(wide.stderr, /line 1, column 2: 1\.5 is outside \[-1, 1\].*--any-range/);
    const allowed = await runMatch([
      "--matrix",
      join(dir, "wide.csv"),
      "--method",
      "greedy",
      "--any-range",
      "--json",
    ]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout).score, -0.75); // greedy takes 1.5, then −3
  });
});

Deno.test("match --method sinkhorn reports converged, iterations, marginal_error and warns when not converged (issue 10: 4)", async () => {
  const boots =
    "0.837,0.835,0.747,0.7703\n0.803,0.799,0.838,0.769\n0.772,0.752,0.794,0.761\n0.787,0.785,0.794,0.866\n";
  await withFiles({ "boots.csv": boots }, async (dir) => {
    const file = join(dir, "boots.csv");
    const small = await runMatch(["--matrix", file, "--method", "sinkhorn", "--epsilon", "1e-6", "--json"]);
    assert.equal(small.code, 0, small.stderr);
    assert.equal(small.stderr, "");
    const out = JSON.parse(small.stdout);
    assert.equal(out.converged, true);
    assert.ok(out.marginal_error < 1e-9 && out.iterations >= 1);
    const optimal = JSON.parse((await runMatch(["--matrix", file, "--method", "optimal", "--json"])).stdout);
    assert.ok(
      out.score <= optimal.score + 1e-9,
      `${out.score} above the assignment optimum ${optimal.score}`,
    );
    assert.ok(out.score >= optimal.score - 1e-6 * Math.log(4) - 1e-9);
    const capped = await runMatch([
      "--matrix",
      file,
      "--method",
      "sinkhorn",
      "--epsilon",
      "1e-6",
      "--max-iterations",
      "3",
      "--json",
    ]);
    assert.equal(capped.code, 0, capped.stderr);
    assert.equal(JSON.parse(capped.stdout).converged, false);
    assert.equal(JSON.parse(capped.stdout).iterations, 3);
    assert.match(capped.stderr, /warning: sinkhorn did not converge: marginal error .* after 3 iterations/);
    const table = await runMatch(["--matrix", file, "--method", "sinkhorn", "--max-iterations", "2"]);
    assert.match(table.stdout, /NOT converged after 2 iterations/);
  });
});
