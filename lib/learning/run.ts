/**
 * One training run end to end, shared by `deno task train` and notebook 09: load and split the
 * dataset (leakage-checked), embed the training images (cache first), train, save the head
 * (`models/heads/NAME/`), and score it on the protocol's test sets with 95% bootstrap intervals.
 *
 * @example (not run by the doc tests: trains for minutes; tests/learning trains a small head)
 * ```ts ignore
 * import { runTraining } from "./run.ts";
 * const run = await runTraining({ protocol: "grocery-unseen-classes", head: "projection", seed: 0, out: "g-proj-0" });
 * console.log(run.test.map, run.test.map_lo, run.test.map_hi, run.head.seconds);
 * ```
 * @module
 */

import { type ConfigOverrides, resolveConfig } from "../config/mod.ts";
import type { ImageEmbedder, MetricColumns, PreparedProtocol } from "../evaluation/mod.ts";
import { scoreSetPairs } from "../matching/mod.ts";
import { embedTrainingData, loadLearningSplit, type LoadSplitOptions, prepareTest } from "./data.ts";
import { attentionScores, projectPrepared, scoreColumns } from "./evaluate.ts";
import { HeadSession } from "./onnx.ts";
import type { LearningSplit } from "./protocols.ts";
import { type HeadManifest, saveHead } from "./store.ts";
import { type TrainedHead, trainHead, type TrainingData, type TrainOptions } from "./train.ts";

/** Options of {@link runTraining}. */
export interface RunTrainingOptions extends Omit<TrainOptions, "head">, Omit<LoadSplitOptions, "config"> {
  protocol: string;
  head: TrainOptions["head"];
  /** Save the head under this name (omit: not saved). */
  out?: string;
  /** Image model (default: the configured one, `mobilenet-v2`). */
  model?: string;
  config?: ConfigOverrides;
  /** Bootstrap resamples of the test intervals (default 1000; 0 skips testing). */
  bootstrap?: number;
  /** Reuse an already loaded split / embedded training data / prepared test (notebook loops). */
  split?: LearningSplit;
  data?: TrainingData & { fingerprint: string; model: string };
  test?: PreparedProtocol;
  /** The embedder (default `lib/embedding`'s); tests pass a fake. */
  embed?: ImageEmbedder;
}

/** What {@link runTraining} returns. */
export interface TrainingRun {
  protocol: string;
  head: TrainedHead;
  /** Set when the head was saved. */
  saved?: { dir: string; manifest: HeadManifest };
  /** Test metrics of the head (Chamfer on projected images / cosine of attention set vectors). */
  test?: MetricColumns & { n_queries: number };
  split: LearningSplit;
  data: TrainingData & { fingerprint: string; model: string };
  prepared?: PreparedProtocol;
}

/** Scores of a trained head (in memory, through its ONNX graph) on a prepared test protocol. */
export async function headTestScores(head: TrainedHead, prepared: PreparedProtocol): Promise<Float64Array> {
  const { headToOnnx } = await import("./onnx.ts");
  const session = await HeadSession.create(headToOnnx(head.config, head.weights), head.config);
  try {
    if (head.config.kind === "attention") return await attentionScores(prepared, session);
    return scoreSetPairs(await projectPrepared(prepared, session), { method: "chamfer" }).data;
  } finally {
    await session.dispose();
  }
}

/** Load, embed, train, save and test (see the module documentation). */
export async function runTraining(options: RunTrainingOptions): Promise<TrainingRun> {
  const config = resolveConfig({
    ...(options.config ?? {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const split = options.split ?? await loadLearningSplit(options.protocol, { ...options, config });
  const data = options.data ?? await (async () => {
    const embedded = await embedTrainingData(split, {
      config,
      progress: options.progress,
      embed: options.embed,
    });
    return { ...embedded.data, fingerprint: embedded.fingerprint, model: embedded.model };
  })();
  const head = await trainHead(data, options);
  const run: TrainingRun = { protocol: split.protocol, head, split, data };
  if (options.out !== undefined) {
    run.saved = await saveHead(options.out, head, {
      baseModel: data.model,
      baseFingerprint: data.fingerprint,
      dataset: split.protocol === "catalog-items"
        ? String(split.params.catalog ?? "catalog")
        : split.protocol.split("-")[0],
      protocol: split.protocol,
      data: {
        trainItems: data.train.length,
        validationItems: data.validation.length,
        trainImages: data.train.reduce((n, i) => n + i.rows.length, 0),
        ...split.params,
      },
    }, { modelsDir: config.modelsDir });
  }
  if ((options.bootstrap ?? 1000) > 0) {
    const prepared = options.test ??
      await prepareTest(split, { config, progress: options.progress, embed: options.embed });
    run.prepared = prepared;
    run.test = scoreColumns(await headTestScores(head, prepared), prepared, options.bootstrap ?? 1000);
  }
  return run;
}
