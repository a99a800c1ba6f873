/**
 * Embedding throughput: end-to-end `embedImages` (read + hash + decode + preprocess + processor
 * + inference + normalise) against raw onnxruntime inference on the same images already turned
 * into tensors, measured in the same run, at batch 1, 8 and 32. Prints images/s and the ratio
 * (target: end-to-end ≥ 0.5 × raw), where the time goes per stage, and cache-hit speed.
 *
 * `deno run -A bench/embedding.ts [--model mobilenet-v2] [--images 256] [--dataset coil100]`
 * (`SETSIM_DATA_DIR` must point at the shared data).
 * @module
 */

import { availableParallelism } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { parseFlags, parseIntegerFlag, runCli } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import {
  EmbeddingCache,
  embedImages,
  findVariant,
  loadImageModel,
  pixelValues,
  preprocessImage,
  resolvePreprocess,
} from "../lib/embedding/mod.ts";
import { sha256Hex } from "../lib/io/mod.ts";
import type { PreprocessedImage } from "../lib/embedding/model.ts";

const rate = (n: number, ms: number) => (n / (ms / 1000)).toFixed(1).padStart(7);

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    model: { type: "string" },
    images: { type: "string" },
    dataset: { type: "string" },
  });
  const config = resolveConfig({ model: values.model });
  const count = parseIntegerFlag("images", values.images, 1) ?? 256;
  const dataset = values.dataset ?? "coil100";
  const rows = (await Deno.readTextFile(join(config.dataDir, dataset, "labels.csv"))).trim().split("\n")
    .slice(1);
  const step = Math.max(1, Math.floor(rows.length / count));
  const paths = rows.filter((_, i) => i % step === 0).slice(0, count).map((r) =>
    join(config.dataDir, dataset, r.split(",")[0])
  );
  const variant = findVariant(config.model);
  if (variant === undefined) {
    throw new Error(`bench/embedding.ts measures local models; "${config.model}" is not one`);
  }
  const threads = availableParallelism();
  console.log(
    `model ${config.model} (= ${variant.name}, ${variant.dim}-d, ${variant.inputSize}px), ${paths.length} ${dataset} images, ` +
      `${threads} cores, onnxruntime ${threads} intra-op threads, sharp concurrency ${sharp.concurrency()}`,
  );

  // --- stage by stage (one image at a time, so each number is that stage's own cost)
  const prep = resolvePreprocess();
  const files: Uint8Array[] = [];
  const tRead = await timeIt(async () => {
    for (const p of paths) files.push(await Deno.readFile(p));
  });
  const tHash = await timeIt(async () => {
    for (const f of files) await sha256Hex(f);
  });
  const tDecode = await timeIt(async () => {
    for (const f of files) await sharp(f).raw().toBuffer();
  });
  const images: PreprocessedImage[] = [];
  const tPreprocess = await timeIt(async () => {
    for (const f of files) images.push(await preprocessImage(f, prep));
  });
  const model = await loadImageModel(config.model, { modelsDir: config.modelsDir }) as
    & Awaited<
      ReturnType<typeof loadImageModel>
    >
    & { processor: Parameters<typeof pixelValues>[1] };
  let tensors: Float32Array[] = [];
  const tProcess = await timeIt(() => {
    tensors = images.map((im) => pixelValues([im], model.processor));
    return Promise.resolve();
  });

  // --- raw onnxruntime on the pre-made tensors
  const session = await ort.InferenceSession.create(
    join(config.modelsDir, variant.name, "onnx", "model.onnx"),
    {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    },
  );
  const size = variant.inputSize, plane = 3 * size * size;
  const raw = async (batch: number) => {
    const t = performance.now();
    for (let s = 0; s < tensors.length; s += batch) {
      const chunk = tensors.slice(s, s + batch);
      const data = new Float32Array(chunk.length * plane);
      chunk.forEach((x, k) => data.set(x, k * plane));
      await session.run({ pixel_values: new ort.Tensor("float32", data, [chunk.length, 3, size, size]) });
    }
    return performance.now() - t;
  };
  await raw(8); // warm-up: first runs allocate arenas
  const tInferSingle = await raw(1);

  console.log(`\nwhere the time goes (ms per image, one at a time):`);
  const per = (ms: number) => (ms / paths.length).toFixed(2).padStart(6);
  console.log(`  read file        ${per(tRead)}`);
  console.log(`  sha256 (cache)   ${per(tHash)}`);
  console.log(`  decode only      ${per(tDecode)}   (sharp, to raw pixels)`);
  console.log(
    `  preprocess       ${
      per(tPreprocess)
    }   (sharp: decode + EXIF + flatten + sRGB + fit to ${prep.width}x${prep.height})`,
  );
  console.log(`  processor        ${per(tProcess)}   (resize to ${size}px + rescale + NCHW, JS)`);
  console.log(`  inference        ${per(tInferSingle)}   (onnxruntime, batch 1)`);

  console.log(`\nbatch   raw img/s   end-to-end img/s   ratio (target ≥ 0.5)`);
  const summary: Record<string, number> = {};
  for (const batch of [1, 8, 32]) {
    const tRaw = await raw(batch);
    const batched = await loadImageModel(config.model, {
      modelsDir: config.modelsDir,
      inferenceBatch: batch,
    });
    await batched.embedImages(images.slice(0, Math.min(batch, 8))); // warm-up the session
    const tEnd = await timeIt(() =>
      embedImages(paths, { model: batched, cache: false, progress: false, batchSize: batch })
    );
    await batched.dispose?.();
    const ratio = tRaw / tEnd;
    summary[`ratio_batch${batch}`] = ratio;
    console.log(
      `${String(batch).padStart(5)}   ${rate(paths.length, tRaw)}     ${
        rate(paths.length, tEnd)
      }            ${ratio.toFixed(2)}×`,
    );
  }

  // --- cache hits
  const dir = await Deno.makeTempDir({ prefix: "setsim-bench-cache-" });
  const cache = EmbeddingCache.open(join(dir, "embeddings.sqlite"));
  const tFill = await timeIt(() => embedImages(paths, { model, cache, progress: false }));
  const tHit = await timeIt(() => embedImages(paths, { model, cache, progress: false }));
  cache.close();
  await Deno.remove(dir, { recursive: true });
  console.log(
    `\ncache: fill ${rate(paths.length, tFill).trim()} img/s, hit ${rate(paths.length, tHit).trim()} img/s ` +
      `(${(tFill / tHit).toFixed(1)}× faster; a hit reads + hashes the file, never runs the model)`,
  );
  await model.dispose?.();
  await session.release();
});
