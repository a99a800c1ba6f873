/**
 * Embedding throughput (issue 14, targets 1–3), every figure a ratio against a baseline measured in
 * the same run, the two sides interleaved (A, B, A, B, …) because the machine is shared:
 *
 * 1. end-to-end `embedImages` (read, hash, cold cache, decode, processor, inference, normalise,
 *    cache write) ÷ raw onnxruntime on the same images as pre-made batch tensors, at batch 8 and
 *    32 (target ≥ 0.9×), and where the pipeline's time goes per stage. The raw session has the
 *    settings `embedImages` uses (worker threads do not spin); how that compares with
 *    onnxruntime's default (spinning) is measured too;
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

const log = (line = "") => console.error(line);

/** Every `step`-th image of a dataset's labels.csv, `count` of them. */
async function samplePaths(dataDir: string, dataset: string, count: number): Promise<string[]> {
  const rows = (await Deno.readTextFile(join(dataDir, dataset, "labels.csv"))).trim().split("\n").slice(1);
  const step = Math.max(1, Math.floor(rows.length / count));
  return rows.filter((_, i) => i % step === 0).slice(0, count).map((r) =>
    join(dataDir, dataset, r.split(",")[0])
  );
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
  const count = parseIntegerFlag("images", values.images, 8) ?? (quick ? 96 : 256);
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

  const at = (batch: number) => throughput.find((t) => t.batch === batch)!;
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
