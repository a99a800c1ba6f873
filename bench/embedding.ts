/**
 * Embedding throughput (issue 14, targets 1–3), every figure a ratio against a baseline measured in
 * the same run, the two sides interleaved (A, B, A, B, …) because the machine is shared:
 *
 * 1. end-to-end `embedImages` (read, hash, cold cache, decode, processor, inference, normalise,
 *    cache write) ÷ raw onnxruntime on the same images as pre-made batch tensors, at batch 8 and
 *    32 (target ≥ 0.9×), and where the pipeline's time goes per stage. The raw session has the
 *    settings `embedImages` uses (worker threads do not spin); how that compares with
 *    onnxruntime's default (spinning) is measured too. Besides wall time, each side's process CPU
 *    time per image: on a loaded machine the side with more runnable threads (the pipeline: the
 *    session's threads plus decoding) gets a larger share of the cores, so the wall ratio flatters
 *    it; raw CPU ÷ end-to-end CPU is the ratio a quiet machine reaches when the stages overlap
 *    perfectly. The 1-minute load average before and after is reported with them;
 * 2. the int8 model (`<model>-int8`) ÷ its float32 network, raw throughput at batch 32
 *    (target ≥ 1.6×), the cosine of their features, and the layer study's mAP on COIL-100 and
 *    Grocery for both (target |Δ| ≤ 0.01; main sample, `--quick`: a sparse one);
 * 3. the physical limit: FLOPs per image (`onnx/flops.ts`), the GFLOP/s raw batch 32 achieves, and
 *    the machine's peak as a 2048³ float32 MatMul through onnxruntime reaches it, the two
 *    interleaved; as wall GFLOP/s and as GFLOP per CPU-second (less sensitive to the load).
 *
 * `deno task bench embedding [--quick] [--json] [--model mobilenet-v2] [--images 256] [--rounds 3]
 *  [--dataset coil100]` (`SETSIM_DATA_DIR` must point at the shared data). `--json` prints one
 * object (the contract fields `model`, `ratio_b8`, `ratio_b32`, `raw_b32`, `end_to_end_b32`, …).
 * @module
 */

import { availableParallelism } from "node:os";
import process from "node:process";
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

/** The 1-minute load average (NaN where /proc/loadavg does not exist). */
function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** `fn` wrapped so that every call's process CPU time (all threads, ms) is recorded in `ms`. */
function cpuTimed(fn: () => Promise<unknown>): { run: () => Promise<void>; ms: number[] } {
  const ms: number[] = [];
  return {
    ms,
    run: async () => {
      const before = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(before);
      ms.push((used.user + used.system) / 1000);
    },
  };
}

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
  /** Per round, raw ÷ end-to-end. */
  rounds: number[];
  /** Process CPU milliseconds per image (median over rounds). */
  rawCpu: number;
  endToEndCpu: number;
  /** Median over rounds of raw CPU ÷ end-to-end CPU. */
  cpuRatio: number;
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
      const rawSide = cpuTimed(() => raw.run(batch)), endToEndSide = cpuTimed(endToEnd);
      const times = await interleave(rounds, rawSide.run, endToEndSide.run);
      // The first call of each side is interleave's untimed warm-up.
      const [rawCpu, endToEndCpu] = [rawSide.ms.slice(1), endToEndSide.ms.slice(1)];
      const ratios = times.a.map((a, r) => a / times.b[r]);
      const cpuRatios = rawCpu.map((c, r) => c / endToEndCpu[r]);
      const rate = (ms: number[]) => paths.length / (median(ms) / 1000);
      const modelStages = { ...model.stageTimes };
      await model.dispose();
      out.push({
        batch,
        raw: rate(times.a),
        endToEnd: rate(times.b),
        ratio: median(ratios),
        rounds: ratios,
        rawCpu: median(rawCpu) / paths.length,
        endToEndCpu: median(endToEndCpu) / paths.length,
        cpuRatio: median(cpuRatios),
        stages: stages!,
        modelStages,
      });
      log(
        `batch ${String(batch).padStart(2)}: raw ${rate(times.a).toFixed(1)} img/s, end-to-end ${
          rate(times.b).toFixed(1)
        } img/s, ratio ${median(ratios).toFixed(2)}× (rounds: ${
          ratios.map((r) => r.toFixed(2)).join(", ")
        }); CPU per image raw ${(median(rawCpu) / paths.length).toFixed(2)} ms, end-to-end ${
          (median(endToEndCpu) / paths.length).toFixed(2)
        } ms, CPU ratio ${median(cpuRatios).toFixed(2)}× (load average ${loadAverage().toFixed(1)})`,
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

/**
 * The machine's float32 ceiling as onnxruntime reaches it: an n × n × n MatMul, interleaved with
 * `network` (raw batch 32) so that both see the same load. Returns the best wall GFLOP/s of each
 * and their GFLOP per CPU-second (median over rounds).
 */
async function peakGemm(
  n: number,
  rounds: number,
  threads: number,
  network: { run: () => Promise<unknown>; flops: number },
) {
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
  const gemmFlops = 2 * n ** 3;
  try {
    const gemm = cpuTimed(() => session.run({ a: input })), net = cpuTimed(network.run);
    const times = await interleave(rounds, gemm.run, net.run);
    const perCpuSecond = (flops: number, ms: number[]) =>
      median(ms.slice(1).map((m) => flops / (m / 1000) / 1e9));
    return {
      peakWall: gemmFlops / (Math.min(...times.a) / 1000) / 1e9,
      networkWall: network.flops / (Math.min(...times.b) / 1000) / 1e9,
      peakPerCpuSecond: perCpuSecond(gemmFlops, gemm.ms),
      networkPerCpuSecond: perCpuSecond(network.flops, net.ms),
    };
  } finally {
    await session.release();
  }
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
    `  augment         ${per(s.process)}   (main thread; 0 without --augment)`,
    `  model           ${per(s.inference)}   (processor + network on the session's worker thread, wall)`,
    `    processor     ${
      per(result.modelStages.processor / result.modelStages.images * images)
    }   (resize to the input size + rescale + NCHW, all runs of this model)`,
    `    network       ${
      per(result.modelStages.inference / result.modelStages.images * images)
    }   (session.run)`,
    `  model idle      ${per(s.waitForInput)}   (model waiting for decoded images)`,
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

  const loadBefore = loadAverage();
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
  const network = await rawRunner(onnxPath, tensors, variant.inputSize, threads);
  let peak: Awaited<ReturnType<typeof peakGemm>>;
  try {
    peak = await peakGemm(gemmSize, rounds + 1, threads, {
      run: () => network.run(32),
      flops: flops.total * tensors.length,
    });
  } finally {
    await network.release();
  }
  const at = (batch: number) => throughput.find((t) => t.batch === batch)!;
  const gflopsPerImage = flops.total / 1e9;
  const achieved = peak.networkWall;
  const cpuFraction = peak.networkPerCpuSecond / peak.peakPerCpuSecond;
  log(
    `${gflopsPerImage.toFixed(3)} GFLOP per image; raw batch 32 reaches ${achieved.toFixed(1)} GFLOP/s, ` +
      `a ${gemmSize}³ float32 MatMul ${peak.peakWall.toFixed(1)} GFLOP/s (${
        (achieved / peak.peakWall * 100).toFixed(0)
      }% of it, best rounds, interleaved); per CPU-second ${peak.networkPerCpuSecond.toFixed(1)} vs ${
        peak.peakPerCpuSecond.toFixed(1)
      } GFLOP (${(cpuFraction * 100).toFixed(0)}%)`,
  );
  const loadAfter = loadAverage();
  const figures = [
    ...throughput.map((t) =>
      figure(`end-to-end ÷ raw onnxruntime, batch ${t.batch}`, t.ratio, {
        target: 0.9,
        note: `${t.endToEnd.toFixed(1)} vs ${t.raw.toFixed(1)} img/s, load average ${loadBefore.toFixed(1)}–${
          loadAfter.toFixed(1)
        }`,
      })
    ),
    ...throughput.map((t) =>
      figure(`raw CPU ÷ end-to-end CPU per image, batch ${t.batch}`, t.cpuRatio, {
        note: `${t.rawCpu.toFixed(2)} vs ${t.endToEndCpu.toFixed(2)} CPU ms/image: the quiet-machine ratio`,
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
    figure("achieved ÷ peak GFLOP/s (raw, batch 32)", achieved / peak.peakWall, {
      note: `${achieved.toFixed(1)} of ${peak.peakWall.toFixed(1)} GFLOP/s; ${
        gflopsPerImage.toFixed(3)
      } GFLOP/image`,
    }),
    figure("achieved ÷ peak GFLOP per CPU-second (raw, batch 32)", cpuFraction, {
      note: `${peak.networkPerCpuSecond.toFixed(1)} of ${peak.peakPerCpuSecond.toFixed(1)}`,
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
    ratio_rounds: Object.fromEntries(throughput.map((t) => [`b${t.batch}`, t.rounds])),
    load_average: { before: loadBefore, after: loadAfter },
    cpu_ratio_b8: at(8).cpuRatio,
    cpu_ratio_b32: at(32).cpuRatio,
    cpu_ms_per_image: Object.fromEntries(
      throughput.map((t) => [`b${t.batch}`, { raw: t.rawCpu, end_to_end: t.endToEndCpu }]),
    ),
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
    peak_gflops: peak.peakWall,
    peak_fraction_b32: achieved / peak.peakWall,
    achieved_gflop_per_cpu_second_b32: peak.networkPerCpuSecond,
    peak_gflop_per_cpu_second: peak.peakPerCpuSecond,
    peak_fraction_cpu_b32: cpuFraction,
    peak_gemm:
      `${gemmSize}×${gemmSize}×${gemmSize} float32 MatMul, onnxruntime, ${threads} threads, interleaved with ` +
      `raw batch 32 over ${tensors.length} images, ${rounds + 1} rounds: best wall, median CPU`,
    cpu_features: await cpuFeatures(),
    stages_ms_per_image: Object.fromEntries(
      throughput.map((t) => [
        `b${t.batch}`,
        Object.fromEntries(Object.entries(t.stages).map(([k, v]) => [k, v / paths.length])),
      ]),
    ),
    model_stages_ms_per_image: Object.fromEntries(
      throughput.map((t) => [`b${t.batch}`, {
        processor: t.modelStages.processor / t.modelStages.images,
        network: t.modelStages.inference / t.modelStages.images,
      }]),
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
