/**
 * Embedding throughput (issue 14, targets 1–3), every figure a ratio against a baseline measured in
 * the same run, the two sides interleaved (A, B, A, B, …) because the machine is shared:
 *
 * 1. end-to-end `embedImages` (read, hash, cold cache, decode, processor, inference, normalise,
 *    cache write) ÷ raw onnxruntime on the same images as pre-made batch tensors, at batch 8 and
 *    32 (target ≥ 0.9×), and where the pipeline's time goes per stage. The raw session has the
 *    settings `embedImages` uses (worker threads do not spin); how that compares with
 *    onnxruntime's default (spinning) is measured too;
 * 2. the int8 model (`<model>-int8`) ÷ its float32 network, raw throughput at batch 32
 *    (target ≥ 1.6×), the cosine of their features, and the layer study's mAP on COIL-100 and
 *    Grocery for both (target |Δ| ≤ 0.01; main sample, `--quick`: a sparse one);
 * 3. the physical limit: FLOPs per image (`onnx/flops.ts`), the GFLOP/s raw batch 32 achieves, and
 *    the machine's peak as a 2048³ float32 MatMul through onnxruntime reaches it.
 *
 * `deno task bench embedding [--quick] [--json] [--model mobilenet-v2] [--images 256] [--rounds 3]
 *  [--dataset coil100]` (`SETSIM_DATA_DIR` must point at the shared data). `--json` prints one
 * object (the contract fields `model`, `ratio_b8`, `ratio_b32`, `raw_b32`, `end_to_end_b32`, …).
 * @module
 */

import { availableParallelism } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { type BenchReport, figure, formatFigure, interleave, median } from "../lib/bench/mod.ts";
import { parseFlags, parseIntegerFlag, runCli } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import {
  EmbeddingCache,
  embedImages,
  findVariant,
  pixelValues,
  preprocessImage,
  resolvePreprocess,
  type StageTimes,
} from "../lib/embedding/mod.ts";
import { loadLocalImageModel, type LocalImageEmbeddingModel } from "../lib/embedding/local.ts";
import type { LocalVariant } from "../lib/embedding/variants.ts";
import { leaveOneOutRetrieval, studyDatasets } from "../lib/embedding/layer_study.ts";
import { floatModel } from "../lib/embedding/model_build/setup.ts";
import { decodeWeights, readNsfwjsModel } from "../lib/embedding/model_build/tfjs.ts";
import { encodeModel, GraphBuilder } from "../lib/embedding/onnx/mod.ts";
import { countFlops } from "../lib/embedding/onnx/flops.ts";
import { parseCsv } from "../lib/io/csv.ts";

const log = (line = "") => console.error(line);

/** Every `step`-th image of a dataset's labels.csv, `count` of them. */
async function samplePaths(dataDir: string, dataset: string, count: number): Promise<string[]> {
  const labels = join(dataDir, dataset, "labels.csv");
  const rows = parseCsv(await Deno.readTextFile(labels), labels);
  const step = Math.max(1, Math.floor(rows.length / count));
  return rows.filter((_, i) => i % step === 0).slice(0, count).map((r) => join(dataDir, dataset, r.path));
}

/**
 * Raw onnxruntime fed pre-made batch tensors. `spinning: false` is the session `embedImages`
 * uses (so the ratio isolates the pipeline); `true` is onnxruntime's default.
 */
async function rawRunner(
  onnxPath: string,
  tensors: Float32Array[],
  size: number,
  threads: number,
  spinning = false,
) {
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    extra: { session: { intra_op: { allow_spinning: spinning ? "1" : "0" } } },
  });
  const plane = 3 * size * size;
  const batches = new Map<number, ort.Tensor[]>();
  const batched = (batch: number) => {
    if (!batches.has(batch)) {
      const list: ort.Tensor[] = [];
      for (let s = 0; s < tensors.length; s += batch) {
        const chunk = tensors.slice(s, s + batch);
        const data = new Float32Array(chunk.length * plane);
        chunk.forEach((x, k) => data.set(x, k * plane));
        list.push(new ort.Tensor("float32", data, [chunk.length, 3, size, size]));
      }
      batches.set(batch, list);
    }
    return batches.get(batch)!;
  };
  return {
    run: async (batch: number) => {
      for (const input of batched(batch)) await session.run({ pixel_values: input });
    },
    /** The pooled features of every image, in order. */
    features: async (batch: number) => {
      const parts: Float32Array[] = [];
      for (const input of batched(batch)) {
        parts.push((await session.run({ pixel_values: input })).pooler_output.data as Float32Array);
      }
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        out.set(p, offset);
        offset += p.length;
      }
      return out;
    },
    release: () => session.release(),
  };
}

interface ThroughputResult {
  batch: number;
  raw: number;
  endToEnd: number;
  ratio: number;
  stages: StageTimes;
  modelStages: LocalImageEmbeddingModel["stageTimes"];
}

async function measureThroughput(
  variant: LocalVariant,
  modelName: string,
  modelsDir: string,
  paths: string[],
  tensors: Float32Array[],
  rounds: number,
  threads: number,
): Promise<ThroughputResult[]> {
  const raw = await rawRunner(
    join(modelsDir, variant.name, "onnx", "model.onnx"),
    tensors,
    variant.inputSize,
    threads,
  );
  const out: ThroughputResult[] = [];
  try {
    for (const batch of [8, 32]) {
      const model = await loadLocalImageModel(variant, modelName, {
        modelsDir,
        inferenceBatch: batch,
        threads,
      });
      let stages: StageTimes | undefined;
      const endToEnd = async () => {
        // A cold cache every round: lookups miss, and writing the rows is part of the cost.
        const dir = await Deno.makeTempDir({ prefix: "setsim-bench-cold-" });
        const cache = EmbeddingCache.open(join(dir, "embeddings.sqlite"));
        try {
          const result = await embedImages(paths, { model, cache, progress: false, batchSize: batch });
          if (result.embeddings.count !== paths.length) {
            throw new Error(`${result.failures.length} images failed`);
          }
          stages = result.stages;
        } finally {
          cache.close();
          await Deno.remove(dir, { recursive: true });
        }
      };
      const times = await interleave(rounds, () => raw.run(batch), endToEnd);
      const ratios = times.a.map((a, r) => a / times.b[r]);
      const rate = (ms: number[]) => paths.length / (median(ms) / 1000);
      const modelStages = { ...model.stageTimes };
      await model.dispose();
      out.push({
        batch,
        raw: rate(times.a),
        endToEnd: rate(times.b),
        ratio: median(ratios),
        stages: stages!,
        modelStages,
      });
      log(
        `batch ${String(batch).padStart(2)}: raw ${rate(times.a).toFixed(1)} img/s, end-to-end ${
          rate(times.b).toFixed(1)
        } img/s, ratio ${median(ratios).toFixed(2)}× (rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")})`,
      );
    }
  } finally {
    await raw.release();
  }
  return out;
}

/** int8 against its float32 network: raw throughput at batch 32 (interleaved) and feature cosines. */
async function measureInt8(
  floatPath: string,
  int8Path: string,
  tensors: Float32Array[],
  size: number,
  dim: number,
  rounds: number,
  threads: number,
) {
  const float = await rawRunner(floatPath, tensors, size, threads);
  const int8 = await rawRunner(int8Path, tensors, size, threads);
  try {
    const times = await interleave(rounds, () => float.run(32), () => int8.run(32));
    const speedup = median(times.a.map((a, r) => a / times.b[r]));
    const [f, q] = [await float.features(32), await int8.features(32)];
    const cosines: number[] = [];
    for (let i = 0; i < f.length / dim; i++) {
      let dot = 0, ff = 0, qq = 0;
      for (let k = i * dim; k < (i + 1) * dim; k++) {
        dot += f[k] * q[k];
        ff += f[k] * f[k];
        qq += q[k] * q[k];
      }
      cosines.push(dot / Math.sqrt(ff * qq));
    }
    return {
      speedup,
      float: tensors.length / (median(times.a) / 1000),
      int8: tensors.length / (median(times.b) / 1000),
      cosineMin: Math.min(...cosines),
      cosineMean: cosines.reduce((a, b) => a + b, 0) / cosines.length,
    };
  } finally {
    await float.release();
    await int8.release();
  }
}

/** The layer-study mAP of two models on the same samples (embeddings through the shared cache). */
async function studyMap(models: string[], dataDir: string, coilStep: number, groceryStep: number) {
  const out: Record<string, Record<string, { mAP: number; recallAt1: number; images: number }>> = {};
  for (const ds of await studyDatasets(dataDir, coilStep, groceryStep)) {
    for (const model of models) {
      const result = await embedImages(ds.paths, { model, progress: { label: `${model} ${ds.name}` } });
      const m = leaveOneOutRetrieval(
        result.embeddings.data,
        result.embeddings.dim,
        result.index.map((i) => ds.labels[i]),
      );
      (out[model] ??= {})[ds.name] = { mAP: m.mAP, recallAt1: m.recallAt1, images: result.embeddings.count };
      log(`${model} ${ds.name} (step ${ds.step}): mAP ${m.mAP.toFixed(4)}, R@1 ${m.recallAt1.toFixed(4)}`);
    }
  }
  return out;
}

/** The machine's float32 ceiling as onnxruntime reaches it: best GFLOP/s of an n × n × n MatMul. */
async function peakGemm(n: number, repeats: number, threads: number): Promise<number> {
  const g = new GraphBuilder("gemm");
  const a = g.input("a", "float32", [n, n]);
  const b = g.initializer(
    "b",
    Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
    [n, n],
  );
  g.output(g.node("MatMul", [a, b])[0], "float32", [n, n]);
  const session = await ort.InferenceSession.create(encodeModel({ graph: g.build() }), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const input = new ort.Tensor("float32", Float32Array.from({ length: n * n }, (_, i) => (i % 13) / 13), [
    n,
    n,
  ]);
  let best = Infinity;
  try {
    for (let r = 0; r <= repeats; r++) {
      const started = performance.now();
      await session.run({ a: input });
      if (r > 0) best = Math.min(best, performance.now() - started); // run 0 warms up
    }
  } finally {
    await session.release();
  }
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

/** The CPU's SIMD features that decide int8 speed (from /proc/cpuinfo; empty elsewhere). */
async function cpuFeatures(): Promise<string[]> {
  try {
    const flags =
      (await Deno.readTextFile("/proc/cpuinfo")).match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? [];
    return flags.filter((f) => /^(avx2|fma|avx512f|avx512_vnni|avx_vnni|amx_int8)$/.test(f)).sort();
  } catch {
    return [];
  }
}

function stageLines(result: ThroughputResult, images: number): string[] {
  const s = result.stages;
  const per = (ms: number) => `${(ms / images).toFixed(2).padStart(6)} ms/img`;
  return [
    `where the time goes at batch ${result.batch} (one cold end-to-end run, ${images} images, wall ${
      per(s.wall).trim()
    }):`,
    `  read            ${per(s.read)}   (summed over concurrent reads)`,
    `  sha256          ${per(s.hash)}`,
    `  cache lookup    ${per(s.lookup)}`,
    `  sharp decode    ${
      per(s.decode)
    }   (decode + EXIF + sRGB + fit; libuv threads, summed over concurrent decodes)`,
    `  processor       ${
      per(s.process)
    }   (augment + resize to the input size + rescale + NCHW, main thread)`,
    `  inference       ${per(s.inference)}   (network calls, wall)`,
    `  model idle      ${per(s.waitForInput)}   (network waiting for decoded images)`,
    `  cache write     ${per(s.cacheWrite)}`,
  ];
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    model: { type: "string" },
    images: { type: "string" },
    rounds: { type: "string" },
    dataset: { type: "string" },
    quick: { type: "boolean" },
    json: { type: "boolean" },
  });
  const quick = values.quick ?? false;
  const config = resolveConfig({ model: values.model });
  const count = parseIntegerFlag("images", values.images, 8) ?? (quick ? 128 : 256);
  const rounds = parseIntegerFlag("rounds", values.rounds, 1) ?? (quick ? 2 : 3);
  const dataset = values.dataset ?? "coil100";
  const variant = findVariant(config.model);
  if (variant === undefined) {
    throw new Error(`bench/embedding.ts measures local models; "${config.model}" is not one`);
  }
  const threads = availableParallelism();
  const paths = await samplePaths(config.dataDir, dataset, count);
  log(
    `model ${config.model} (= ${variant.name}, ${variant.dim}-d, ${variant.inputSize}px), ${paths.length} ${dataset} images, ` +
      `${threads} cores, onnxruntime ${threads} intra-op threads, ${rounds} interleaved rounds`,
  );
  const prep = resolvePreprocess();
  const probe = await loadLocalImageModel(variant, config.model, { modelsDir: config.modelsDir });
  const images = await Promise.all(paths.map(async (p) => preprocessImage(await Deno.readFile(p), prep, p)));
  const tensors = images.map((im) => pixelValues([im], probe.processor));
  await probe.dispose();

  const throughput = await measureThroughput(
    variant,
    config.model,
    config.modelsDir,
    paths,
    tensors,
    rounds,
    threads,
  );
  // onnxruntime's default (spinning worker threads) against the setting embedImages uses.
  const onnxPath = join(config.modelsDir, variant.name, "onnx", "model.onnx");
  const spin = await rawRunner(onnxPath, tensors, variant.inputSize, threads, true);
  const still = await rawRunner(onnxPath, tensors, variant.inputSize, threads, false);
  const spinTimes = await interleave(rounds, () => still.run(32), () => spin.run(32));
  await spin.release();
  await still.release();
  const spinningRatio = median(spinTimes.a.map((a, r) => spinTimes.b[r] / a));
  log(`raw batch 32: spinning off ÷ on (onnxruntime default) throughput ${spinningRatio.toFixed(2)}×`);

  // int8: the same network, quantized (lib/embedding/model_build/quantize.ts)
  const int8Variant = findVariant(`${variant.name}-int8`);
  if (int8Variant === undefined) throw new Error(`no int8 variant of ${variant.name} in the registry`);
  const int8Path = join(config.modelsDir, int8Variant.name, "onnx", "model.onnx");
  try {
    await Deno.stat(int8Path);
  } catch {
    throw new Error(`${int8Variant.name} is not built in ${config.modelsDir}; run \`deno task setup\``);
  }
  const int8 = await measureInt8(
    onnxPath,
    int8Path,
    tensors,
    variant.inputSize,
    variant.dim,
    rounds,
    threads,
  );
  log(
    `int8 ÷ float32 raw throughput at batch 32: ${int8.speedup.toFixed(2)}× (${int8.int8.toFixed(1)} vs ${
      int8.float.toFixed(1)
    } img/s); feature cosine min ${int8.cosineMin.toFixed(4)}, mean ${int8.cosineMean.toFixed(4)}`,
  );
  const coilStep = quick ? 16 : 4, groceryStep = quick ? 8 : 1;
  const quality = await studyMap([variant.name, int8Variant.name], config.dataDir, coilStep, groceryStep);
  const mapDelta = {
    coil100: quality[int8Variant.name].coil100.mAP - quality[variant.name].coil100.mAP,
    grocery: quality[int8Variant.name].grocery_store.mAP - quality[variant.name].grocery_store.mAP,
  };

  // The physical limit: FLOPs per image, achieved GFLOP/s, and a large GEMM's GFLOP/s.
  const artifacts = await readNsfwjsModel(variant.source);
  const { model: floatGraph } = floatModel(variant, {
    topology: artifacts.modelTopology,
    weights: decodeWeights(artifacts),
  });
  const flops = countFlops(floatGraph.graph, [1, 3, variant.inputSize, variant.inputSize]);
  const gemmSize = 2048;
  const peak = await peakGemm(gemmSize, rounds + 1, threads);
  const at = (batch: number) => throughput.find((t) => t.batch === batch)!;
  const gflopsPerImage = flops.total / 1e9;
  const achieved = gflopsPerImage * at(32).raw;
  log(
    `${gflopsPerImage.toFixed(3)} GFLOP per image; raw batch 32 reaches ${achieved.toFixed(1)} GFLOP/s, ` +
      `a ${gemmSize}³ float32 MatMul ${peak.toFixed(1)} GFLOP/s (${
        (achieved / peak * 100).toFixed(0)
      }% of it)`,
  );
  const figures = [
    ...throughput.map((t) =>
      figure(`end-to-end ÷ raw onnxruntime, batch ${t.batch}`, t.ratio, {
        target: 0.9,
        note: `${t.endToEnd.toFixed(1)} vs ${t.raw.toFixed(1)} img/s`,
      })
    ),
    figure("raw, spinning off ÷ onnxruntime default, batch 32", spinningRatio, {
      note: "embedImages runs onnxruntime without spinning",
    }),
    figure("int8 ÷ float32 raw throughput, batch 32", int8.speedup, {
      target: 1.6,
      note: `${int8.int8.toFixed(1)} vs ${int8.float.toFixed(1)} img/s`,
    }),
    figure("int8 − float32 mAP, COIL-100", mapDelta.coil100, { unit: "", note: "target |Δ| ≤ 0.01" }),
    figure("int8 − float32 mAP, Grocery", mapDelta.grocery, { unit: "", note: "target |Δ| ≤ 0.01" }),
    figure("int8 feature cosine to float32 (min)", int8.cosineMin, {
      unit: "",
      note: `mean ${int8.cosineMean.toFixed(4)}, ${tensors.length} images`,
    }),
    figure("achieved ÷ peak GFLOP/s (raw, batch 32)", achieved / peak, {
      note: `${achieved.toFixed(1)} of ${peak.toFixed(1)} GFLOP/s; ${gflopsPerImage.toFixed(3)} GFLOP/image`,
    }),
  ];
  const report: BenchReport = {
    benchmark: "embedding",
    quick,
    model: config.model,
    variant: variant.name,
    dataset,
    images: paths.length,
    rounds,
    cores: threads,
    ratio_b8: at(8).ratio,
    ratio_b32: at(32).ratio,
    raw_b8: at(8).raw,
    end_to_end_b8: at(8).endToEnd,
    raw_b32: at(32).raw,
    end_to_end_b32: at(32).endToEnd,
    raw_spinning_off_vs_default_b32: spinningRatio,
    int8_model: int8Variant.name,
    int8_speedup_b32: int8.speedup,
    int8_raw_b32: int8.int8,
    float32_raw_b32_int8_run: int8.float,
    int8_cosine: { min: int8.cosineMin, mean: int8.cosineMean, images: tensors.length },
    int8_map_delta: mapDelta,
    int8_map: {
      protocol:
        `layer study (lib/embedding/layer_study.ts), coil step ${coilStep}, grocery step ${groceryStep}`,
      ...quality,
    },
    gflops_per_image: gflopsPerImage,
    flops_by_op: flops.byOp,
    achieved_gflops_b32: achieved,
    peak_gflops: peak,
    peak_gemm:
      `${gemmSize}×${gemmSize}×${gemmSize} float32 MatMul, onnxruntime, ${threads} threads, best of ${
        rounds + 1
      }`,
    cpu_features: await cpuFeatures(),
    stages_ms_per_image: Object.fromEntries(
      throughput.map((t) => [
        `b${t.batch}`,
        Object.fromEntries(Object.entries(t.stages).map(([k, v]) => [k, v / paths.length])),
      ]),
    ),
    figures,
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  for (const t of throughput) console.log(stageLines(t, paths.length).join("\n") + "\n");
  for (const f of figures) console.log(formatFigure(f));
});
