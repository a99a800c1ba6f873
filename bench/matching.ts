/**
 * Set-matching benchmarks, each a ratio against a baseline measured in the same run on the same data:
 *
 * 1. Linear assignment per solve: `linearSumAssignment` vs `scipy.optimize.linear_sum_assignment`
 *    at 5×5, 20×20, 100×100, 200×200 (target ≤ 1.5× scipy's time).
 * 2. LP (javascript-lp-solver) vs the fast solver, per solve.
 * 3. All-pairs scoring of 1,000 × 1,000 sets of 5 images (optimal, from one 5,000 × 5,000 matrix) vs a
 *    Python loop over scipy (target ≥ 5× faster). Python runs on the first `--python-queries` query
 *    sets (default 100, i.e. 100,000 pairs) and is compared per pair; `--full` runs all of them.
 *    Also: greedy, an (s, m) sweep through `matchSequences`, and one query vs 10,000 gallery sets.
 * 4. Cosine-similarity matrix 9,197 × 9,197 (d = 1280) vs numpy (normalise + A @ A.T), target ≤ 2×:
 *    onnxruntime's MatMul (`cosineSimilarityMatrixOnnx`) in full, and the TypeScript kernel on the
 *    first `--ts-rows` rows (default 2,048) against themselves, scaled by (9197 / rows)² (`--full`: all).
 *    All compute the gallery against itself, so all three exploit symmetry (numpy via BLAS syrk).
 *
 * 5. All-pairs set scores from embeddings vs the numpy a user would write — chamfer (one product,
 *    reshape, max, mean), centroid (one product of mean vectors), exact assignment (every permutation
 *    at once) — 1,000 × 1,000 sets of 5, d = 1792 (`--quick`: 300 × 300), interleaved rounds, scores
 *    checked equal; target setsim ≤ 1.0× numpy's time for each method.
 *
 * Usage: deno task bench matching [--quick] [--full] [--json] [--rounds 3] [--python PATH]
 *   [--only lsap,lp,allpairs,similarity,numpy]
 * @module
 */

import { parseFlags, parseIntegerFlag, runCli } from "../lib/cli/mod.ts";
import { allPairsSetScores } from "../lib/matching/allpairs.ts";
import {
  AssignmentWorkspace,
  cosineSimilarityMatrix,
  cosineSimilarityMatrixOnnx,
  linearSumAssignment,
  matchSequences,
  OnnxSimilarityCache,
  scoreSequences,
  scoreSetPairs,
  scoreSetPairsParallel,
  solveAssignmentLp,
} from "../lib/matching/mod.ts";
import { type BenchFigure, type BenchReport, figure, median } from "../lib/bench/mod.ts";
import { mulberry32 } from "../lib/random/mod.ts";

function bestOf<T>(repeats: number, fn: () => T): { seconds: number; result: T } {
  let seconds = Infinity;
  let result!: T;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    result = fn();
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
  }
  return { seconds, result };
}

async function python(python: string, command: string, dir: string): Promise<Record<string, unknown>> {
  const script = new URL("./python/matching_baseline.py", import.meta.url).pathname;
  const out = await new Deno.Command(python, {
    args: [script, command, dir],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(
      `${python} ${command} failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return JSON.parse(text);
}

const bytes = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const fmt = (seconds: number) =>
  seconds >= 1
    ? `${seconds.toFixed(2)} s`
    : seconds >= 1e-3
    ? `${(seconds * 1e3).toFixed(2)} ms`
    : `${(seconds * 1e6).toFixed(2)} µs`;
const ratio = (x: number) => `${x.toFixed(2)}×`;

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((c, k) => String(c).padEnd(widths[k])).join("  ");
}

async function benchAssignment(py: string, dir: string, quick: boolean) {
  console.log(
    "\n## 1. Linear assignment per solve: linearSumAssignment vs scipy.optimize.linear_sum_assignment",
  );
  const rand = mulberry32(1);
  const cases = (quick ? [[5, 2000], [20, 500], [100, 20], [200, 5]] : [[5, 20000], [20, 5000], [100, 300], [
    200,
    100,
  ]])
    .map(([n, count]) => ({ n, count }));
  const costs = new Map<number, Float64Array>();
  for (const { n, count } of cases) {
    const c = Float64Array.from({ length: count * n * n }, () => rand());
    costs.set(n, c);
    await Deno.writeFile(`${dir}/lsap_${n}.f64`, bytes(c));
  }
  await Deno.writeTextFile(`${dir}/lsap.json`, JSON.stringify({ cases }));
  const scipy = await python(py, "lsap", dir) as Record<string, { perSolve: number; checksum: number }>;
  const widths = [9, 12, 12, 10, 8];
  console.log(row(["size", "setsim", "scipy", "ratio", "target"], widths));
  const ws = new AssignmentWorkspace();
  for (const { n, count } of cases) {
    const all = costs.get(n)!;
    const { seconds, result: checksum } = bestOf(3, () => {
      let total = 0;
      for (let k = 0; k < count; k++) {
        total += linearSumAssignment(all.subarray(k * n * n, (k + 1) * n * n), n, n, { workspace: ws }).total;
      }
      return total;
    });
    const ref = scipy[String(n)];
    if (Math.abs(checksum - ref.checksum) > 1e-6 * Math.abs(ref.checksum)) {
      throw new Error(`assignment totals differ from scipy at ${n}×${n}: ${checksum} vs ${ref.checksum}`);
    }
    const perSolve = seconds / count;
    console.log(
      row([`${n}×${n}`, fmt(perSolve), fmt(ref.perSolve), ratio(perSolve / ref.perSolve), "≤ 1.50×"], widths),
    );
  }
  console.log("(ratio = setsim time / scipy time; totals checked equal to scipy's)");
}

function benchLp(quick: boolean) {
  console.log("\n## 2. LP (javascript-lp-solver) vs the fast solver, per solve");
  const rand = mulberry32(2);
  const widths = [9, 12, 12, 10];
  console.log(row(["size", "lp", "fast", "lp / fast"], widths));
  for (const [n, count] of quick ? [[5, 50], [10, 10]] : [[5, 500], [10, 100], [20, 20], [40, 3]]) {
    const mats = Array.from(
      { length: count },
      () => Float64Array.from({ length: n * n }, () => rand() * 2 - 1),
    );
    const lp = bestOf(1, () => mats.reduce((t, S) => t + solveAssignmentLp(S, n, n).totalDistance, 0));
    const fast = bestOf(
      3,
      () => mats.reduce((t, S) => t + n + linearSumAssignment(S, n, n, { maximize: false }).total * 0, 0),
    );
    // Same optimum (fast solver maximises similarity = minimises distance):
    const check = mats.reduce((t, S) => t + (n - linearSumAssignment(S, n, n, { maximize: true }).total), 0);
    if (Math.abs(check - lp.result) > 1e-6 * count) throw new Error(`LP and fast totals differ at ${n}×${n}`);
    console.log(
      row(
        [`${n}×${n}`, fmt(lp.seconds / count), fmt(fast.seconds / count), ratio(lp.seconds / fast.seconds)],
        widths,
      ),
    );
  }
}

async function benchAllPairs(py: string, dir: string, quick: boolean, full: boolean, pythonQueries: number) {
  const nSets = quick ? 200 : 1000, size = 5, dim = 64;
  console.log(`\n## 3. All-pairs scoring: ${nSets} × ${nSets} sets of ${size} images (optimal)`);
  const rand = mulberry32(3);
  const n = nSets * size;
  const emb = (count: number) => ({
    data: Float32Array.from({ length: count * dim }, () => rand() * 2 - 1),
    count,
    dim,
  });
  const similarity = cosineSimilarityMatrix(emb(n), emb(n));
  const sets = Array.from({ length: nSets }, (_, k) => Array.from({ length: size }, (_, t) => k * size + t));
  const input = { similarity, querySets: sets, gallerySets: sets };
  const optimal = bestOf(1, () => scoreSetPairs(input, { method: "optimal" }));
  const pairs = nSets * nSets;
  const pyQueries = full ? nSets : Math.min(nSets, pythonQueries);
  await Deno.writeFile(`${dir}/allpairs_S.f32`, bytes(similarity.data));
  await Deno.writeTextFile(
    `${dir}/allpairs.json`,
    JSON.stringify({ rows: n, cols: n, querySets: sets.slice(0, pyQueries), gallerySets: sets }),
  );
  const loop = await python(py, "allpairs", dir) as { perPair: number; pairs: number; checksum: number };
  let mine = 0;
  for (let p = 0; p < pyQueries * nSets; p++) mine += optimal.result.data[p];
  if (Math.abs(mine - loop.checksum) > 1e-6 * Math.max(1, Math.abs(loop.checksum))) {
    throw new Error(`all-pairs scores differ from the scipy loop: ${mine} vs ${loop.checksum}`);
  }
  const perPair = optimal.seconds / pairs;
  console.log(
    `setsim scoreSetPairs optimal: ${fmt(optimal.seconds)} for ${pairs.toLocaleString()} pairs (${
      fmt(perPair)
    }/pair)`,
  );
  console.log(
    `python loop over scipy:       ${
      fmt(loop.perPair * loop.pairs)
    } for ${loop.pairs.toLocaleString()} pairs ` +
      `(${fmt(loop.perPair)}/pair${loop.pairs < pairs ? `; ≈ ${fmt(loop.perPair * pairs)} for all` : ""})`,
  );
  console.log(`speed-up: ${ratio(loop.perPair / perPair)} (target ≥ 5×; scores checked equal)`);

  const start = performance.now();
  const parallel = await scoreSetPairsParallel(input, { method: "optimal" });
  const parallelSeconds = (performance.now() - start) / 1000;
  if (!parallel.data.every((x, k) => x === optimal.result.data[k])) {
    throw new Error("parallel scores differ from serial");
  }
  console.log(
    `scoreSetPairsParallel (${navigator.hardwareConcurrency} workers, incl. start-up): ${
      fmt(parallelSeconds)
    } ` +
      `(speed-up vs python ${ratio(loop.perPair / (parallelSeconds / pairs))})`,
  );
  const greedy = bestOf(1, () => scoreSetPairs(input, { method: "greedy" }));
  console.log(`greedy all-pairs: ${fmt(greedy.seconds)} (${fmt(greedy.seconds / pairs)}/pair)`);
  const seq = bestOf(1, () => matchSequences(input, { method: "optimal" }));
  const grid: { s: number; m: number }[] = [];
  for (const s of [-1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
    for (let m = 1; m <= 5; m++) grid.push({ s, m });
  }
  const sweep = bestOf(1, () => grid.forEach((o) => scoreSequences(seq.result, o)));
  console.log(
    `sweep: matchSequences once ${fmt(seq.seconds)}, then ${grid.length} (s, m) settings in ${
      fmt(sweep.seconds)
    } ` +
      `(${fmt(sweep.seconds / grid.length)} per setting)`,
  );
  const gallery = Array.from(
    { length: 10000 },
    () => Array.from({ length: size }, () => Math.floor(rand() * n)),
  );
  const one = bestOf(
    3,
    () => scoreSetPairs({ similarity, querySets: [sets[0]], gallerySets: gallery }, { method: "optimal" }),
  );
  console.log(`one query set vs 10,000 gallery sets (optimal): ${fmt(one.seconds)}`);
}

async function benchSimilarity(py: string, dir: string, quick: boolean, full: boolean, tsRows: number) {
  const n = quick ? 2000 : 9197, d = 1280;
  console.log(`\n## 4. Cosine-similarity matrix ${n} × ${n}, d = ${d}: onnxruntime / TS kernel vs numpy`);
  const rand = mulberry32(4);
  const E = { data: Float32Array.from({ length: n * d }, () => rand() * 2 - 1), count: n, dim: d };
  const probe = [[0, 0], [1, 2], [n - 1, 3], [n - 2, n - 1]];
  await Deno.writeFile(`${dir}/matmul_E.f32`, bytes(E.data));
  await Deno.writeTextFile(`${dir}/matmul.json`, JSON.stringify({ n, d, probe, repeats: 2 }));
  const numpy = await python(py, "matmul", dir) as { seconds: number; probe: number[] };
  const cache = new OnnxSimilarityCache(); // one session for the warm-up and the timed runs
  await cosineSimilarityMatrixOnnx({ ...E, count: 8, data: E.data.subarray(0, 8 * d) }, E, { cache }); // warm-up
  let onnxSeconds = Infinity;
  for (let r = 0; r < 2; r++) {
    const start = performance.now();
    const S = await cosineSimilarityMatrixOnnx(E, E, { cache });
    onnxSeconds = Math.min(onnxSeconds, (performance.now() - start) / 1000);
    probe.forEach(([i, j], k) => {
      if (Math.abs(S.data[i * n + j] - numpy.probe[k]) > 1e-5) {
        throw new Error(`onnx S[${i}][${j}] differs from numpy`);
      }
    });
  }
  await cache.dispose();
  // The TS kernel's self-product is O(rows² d): time it on the first `rows` rows and scale by (n / rows)².
  const rows = full ? n : Math.min(n, tsRows);
  const head = { ...E, count: rows, data: E.data.subarray(0, rows * d) };
  const ts = bestOf(1, () => cosineSimilarityMatrix(head, head));
  const tsSeconds = ts.seconds * (n / rows) ** 2;
  if (Math.abs(ts.result.data[1 * rows + 2] - numpy.probe[1]) > 1e-5) {
    throw new Error("TS kernel S[1][2] differs from numpy");
  }
  console.log(`numpy (normalise + A @ A.T):       ${fmt(numpy.seconds)}`);
  console.log(
    `setsim cosineSimilarityMatrixOnnx: ${fmt(onnxSeconds)}  ratio ${
      ratio(onnxSeconds / numpy.seconds)
    } (target ≤ 2×)`,
  );
  console.log(
    `setsim cosineSimilarityMatrix (TS): ${fmt(tsSeconds)}${
      rows < n ? ` (extrapolated from ${rows} × ${rows})` : ""
    }  ` +
      `ratio ${ratio(tsSeconds / numpy.seconds)}`,
  );
  console.log(
    "(all three compute a set against itself; numpy's A @ A.T uses BLAS syrk and both setsim paths " +
      "compute only the upper triangle, then mirror it)",
  );
}

/** Unit rows: `sets` sets of `size` near-duplicates of a random centre (gallery), or a noisy copy (queries). */
function setEmbeddings(
  rand: () => number,
  sets: number,
  size: number,
  d: number,
  of?: Float32Array,
): Float32Array {
  const data = new Float32Array(sets * size * d);
  for (let r = 0; r < sets * size; r++) {
    let sq = 0;
    for (let x = 0; x < d; x++) {
      const base = of === undefined ? 0 : of[r * d + x];
      const v = base + (rand() * 2 - 1) * (of === undefined ? 1 : 0.5);
      data[r * d + x] = v;
      sq += v * v;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let x = 0; x < d; x++) data[r * d + x] *= inv;
  }
  return data;
}

/**
 * 5. All-pairs set scoring from embeddings, setsim against the numpy a user would write (one
 * matrix product then reshape/max/mean; one product of mean vectors; every permutation at once),
 * interleaved round by round, scores checked equal. Target: setsim ≤ 1.0× numpy's time.
 */
async function benchNumpyAllPairs(py: string, dir: string, quick: boolean, rounds: number) {
  const nSets = quick ? 300 : 1000, k = 5, d = 1792;
  console.log(`\n## 5. All-pairs set scores vs numpy: ${nSets} × ${nSets} sets of ${k}, d = ${d}`);
  const rand = mulberry32(5);
  const G = setEmbeddings(rand, nSets, k, d);
  const Q = setEmbeddings(rand, nSets, k, d, G);
  await Deno.writeFile(`${dir}/np_Q.f32`, bytes(Q));
  await Deno.writeFile(`${dir}/np_G.f32`, bytes(G));
  await Deno.writeTextFile(`${dir}/numpy_allpairs.json`, JSON.stringify({ nq: nSets, ng: nSets, k, d }));
  const sets = Array.from({ length: nSets }, (_, i) => Array.from({ length: k }, (_, t) => i * k + t));
  const queryEmbeddings = { data: Q, count: nSets * k, dim: d };
  const galleryEmbeddings = { data: G, count: nSets * k, dim: d };
  const methods = ["chamfer", "centroid", "optimal"] as const;
  const input = { queryEmbeddings, galleryEmbeddings, querySets: sets, gallerySets: sets };
  const setsim = {
    chamfer: () => allPairsSetScores(input, { method: "chamfer" }),
    centroid: () => allPairsSetScores(input, { method: "centroid" }),
    optimal: () => allPairsSetScores(input, { method: "optimal" }),
  };
  await setsim.chamfer(); // warm-up: the onnxruntime session
  const times: Record<string, { setsim: number[]; numpy: number[] }> = {};
  for (const m of methods) times[m] = { setsim: [], numpy: [] };
  for (let r = 0; r < rounds; r++) {
    const numpy = await python(py, "numpy_allpairs", dir) as Record<string, number>;
    for (const m of methods) {
      times[m].numpy.push(numpy[m]);
      const started = performance.now();
      const scores = await setsim[m]();
      times[m].setsim.push((performance.now() - started) / 1000);
      if (r === 0) {
        const ref = new Float64Array((await Deno.readFile(`${dir}/np_scores_${m}.f64`)).buffer);
        let worst = 0;
        for (let p = 0; p < ref.length; p++) worst = Math.max(worst, Math.abs(ref[p] - scores.data[p]));
        if (ref.length !== scores.data.length || !(worst <= 1e-4)) {
          throw new Error(`${m}: setsim and numpy scores differ (max |Δ| ${worst})`);
        }
      }
    }
  }
  const widths = [10, 12, 12, 10, 8];
  console.log(row(["method", "setsim", "numpy", "ratio", "target"], widths));
  const figures: BenchFigure[] = [];
  for (const m of methods) {
    const ratios = times[m].setsim.map((t, r) => t / times[m].numpy[r]);
    const f = figure(`all-pairs ${m}, setsim ÷ numpy time (${nSets}² sets of ${k})`, median(ratios), {
      target: 1,
      atLeast: false,
      note: `${fmt(median(times[m].setsim))} vs ${fmt(median(times[m].numpy))}`,
    });
    figures.push(f);
    console.log(
      row([m, fmt(median(times[m].setsim)), fmt(median(times[m].numpy)), ratio(f.value), "≤ 1.00×"], widths),
    );
  }
  console.log(
    `(median of ${rounds} interleaved rounds; each from unit embeddings, incl. the similarity product; scores equal to numpy within 1e-4)`,
  );
  return figures;
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    quick: { type: "boolean" },
    full: { type: "boolean" },
    python: { type: "string", default: "/usr/bin/python3" },
    "python-queries": { type: "string" },
    "ts-rows": { type: "string" },
    only: { type: "string" },
    rounds: { type: "string" },
    json: { type: "boolean" },
  });
  const quick = values.quick ?? false, full = values.full ?? false;
  const rounds = parseIntegerFlag("rounds", values.rounds, 1) ?? (quick ? 2 : 3);
  // With --json the tables go to stderr and stdout carries only the report.
  const print = console.log;
  if (values.json) console.log = console.error;
  const figures: BenchFigure[] = [];
  const only = values.only?.split(",");
  const py = values.python!;
  const dir = await Deno.makeTempDir({ prefix: "setsim-bench-matching-" });
  try {
    console.log(
      `# Set-matching benchmarks${quick ? " (quick)" : ""} — ${navigator.hardwareConcurrency} cores`,
    );
    if (!only || only.includes("lsap")) await benchAssignment(py, dir, quick);
    if (!only || only.includes("lp")) benchLp(quick);
    if (!only || only.includes("allpairs")) {
      await benchAllPairs(
        py,
        dir,
        quick,
        full,
        parseIntegerFlag("python-queries", values["python-queries"], 1) ?? 100,
      );
    }
    if (!only || only.includes("similarity")) {
      await benchSimilarity(py, dir, quick, full, parseIntegerFlag("ts-rows", values["ts-rows"], 1) ?? 2048);
    }
    if (!only || only.includes("numpy")) figures.push(...await benchNumpyAllPairs(py, dir, quick, rounds));
    if (values.json) {
      const report: BenchReport = { benchmark: "matching", quick, rounds, figures };
      print(JSON.stringify(report, null, 2));
    }
  } finally {
    console.log = print;
    await Deno.remove(dir, { recursive: true });
  }
});
