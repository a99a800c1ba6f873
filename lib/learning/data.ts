/**
 * From a protocol name to what training and testing need: the split (checked for leakage), the
 * frozen embeddings of every training and validation image (through the embedding cache), and
 * the test protocol prepared like any evaluation (`prepareFromDraw`).
 *
 * @example (not run by the doc tests: embeds a whole grocery training split; tests/learning uses a small one)
 * ```ts ignore
 * import { embedTrainingData, loadLearningSplit, prepareTest } from "./data.ts";
 * const split = await loadLearningSplit("grocery-unseen-classes");
 * const { data, fingerprint } = await embedTrainingData(split);
 * const test = await prepareTest(split);
 * ```
 * @module
 */

import { type ConfigOverrides, resolveConfig } from "../config/mod.ts";
import { loadCatalog, resolveCatalogName } from "../catalog/mod.ts";
import { loadCoil100, loadGrocery } from "../data/loaders.ts";
import { type ImageEmbedder, type PreparedProtocol, prepareFromDraw } from "../evaluation/mod.ts";
import {
  assertNoLeakage,
  type GroupedImage,
  LEARNING_PROTOCOLS,
  type LearningProtocol,
  type LearningSplit,
  splitCatalogItems,
  splitCoilUnseenObjects,
  splitGroceryNewPhotos,
  splitGroceryUnseenClasses,
  type SplitOptions,
} from "./protocols.ts";
import type { ItemRows, TrainingData } from "./train.ts";

/** Options of {@link loadLearningSplit}. */
export interface LoadSplitOptions extends SplitOptions {
  config?: ConfigOverrides;
  /** `grocery-unseen-classes`: training classes (default 40). */
  trainClasses?: number;
  /** grocery protocols: test set pairs per class (default 2). */
  setsPerClass?: number;
  /** Keep every k-th image of each training item (default 1 = all; fast mode uses more). */
  trainStride?: number;
  /**
   * `catalog-items`: a catalog path or dataset name (read with `lib/catalog`; an item's `group`, else its
   * id, is the label positives share), or its images with their group labels directly.
   */
  catalog?: string | readonly GroupedImage[];
  /** `catalog-items`: share of groups held out for testing (default 0.5). */
  testFraction?: number;
}

/** Check a protocol name (also accepts `unseen-objects` etc. after a dataset). */
export function checkLearningProtocol(protocol: string, dataset?: string): LearningProtocol {
  const candidates = [
    protocol,
    dataset ? `${dataset === "grocery_store" ? "grocery" : dataset}-${protocol}` : "",
  ];
  const found = candidates.find((c) => (LEARNING_PROTOCOLS as readonly string[]).includes(c));
  if (found === undefined) {
    throw new RangeError(
      `unknown learning protocol "${protocol}"; choose from ${LEARNING_PROTOCOLS.join(", ")}`,
    );
  }
  return found as LearningProtocol;
}

function strided(split: LearningSplit, stride: number): LearningSplit {
  if (!Number.isInteger(stride) || stride < 1) {
    throw new RangeError(`trainStride must be an integer ≥ 1, got ${stride}`);
  }
  if (stride === 1) return split;
  const thin = (items: LearningSplit["train"]) =>
    items.map((i) => ({ id: i.id, images: i.images.filter((_, k) => k % stride === 0) }))
      .filter((i) => i.images.length >= 2);
  return {
    ...split,
    train: thin(split.train),
    validation: thin(split.validation),
    params: { ...split.params, trainStride: stride },
  };
}

/** A catalog's images with their group labels (problems in the catalog are skipped, as everywhere). */
async function catalogImages(
  catalog: string | readonly GroupedImage[],
  dataDir: string,
): Promise<GroupedImage[]> {
  if (typeof catalog !== "string") return [...catalog];
  const { catalog: loaded } = await loadCatalog(catalog, { dataDir });
  return loaded.items.flatMap((item) => item.images.map((path) => ({ path, group: item.group ?? item.id })));
}

/** Load a dataset and split it by a learning protocol; throws a `LeakageError` if the split leaks. */
export async function loadLearningSplit(
  protocol: string,
  options: LoadSplitOptions = {},
): Promise<LearningSplit> {
  const name = checkLearningProtocol(protocol);
  const dataDir = resolveConfig(options.config ?? {}).dataDir;
  let split: LearningSplit;
  switch (name) {
    case "coil100-unseen-objects":
      split = splitCoilUnseenObjects(await loadCoil100({ dataDir }), options);
      break;
    case "grocery-unseen-classes": {
      const [evaluation, train] = await Promise.all([
        loadGrocery({ dataDir }),
        loadGrocery({ dataDir, labelsFile: "labels-train.csv" }),
      ]);
      split = splitGroceryUnseenClasses([...train, ...evaluation], options);
      break;
    }
    case "grocery-new-photos": {
      const [evaluation, train] = await Promise.all([
        loadGrocery({ dataDir }),
        loadGrocery({ dataDir, labelsFile: "labels-train.csv" }),
      ]);
      split = splitGroceryNewPhotos(train, evaluation, options);
      break;
    }
    case "catalog-items":
      if (options.catalog === undefined) {
        throw new RangeError("catalog-items needs the catalog's images and group labels (options.catalog)");
      }
      split = splitCatalogItems(await catalogImages(options.catalog, dataDir), options);
      if (typeof options.catalog === "string") split.params.catalog = resolveCatalogName(options.catalog);
      break;
  }
  split = strided(split, options.trainStride ?? 1);
  assertNoLeakage(split);
  return split;
}

/** Options of {@link embedTrainingData} and {@link prepareTest}. */
export interface EmbedSplitOptions {
  /** Image model (default: the configured one). */
  model?: string;
  config?: ConfigOverrides;
  progress?: boolean;
  /** The embedder (default `lib/embedding`'s `embedImages` with its cache); tests pass a fake. */
  embed?: ImageEmbedder;
}

/**
 * Embed every training and validation image once (cache first). Images that fail to embed are
 * dropped from their items (and reported); items left with fewer than 2 images are dropped.
 */
export async function embedTrainingData(
  split: LearningSplit,
  options: EmbedSplitOptions = {},
): Promise<
  { data: TrainingData; model: string; fingerprint: string; failures: { input: string; reason: string }[] }
> {
  const config = resolveConfig({
    ...(options.config ?? {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const paths = [...new Set([...split.train, ...split.validation].flatMap((i) => i.images))];
  const result = options.embed
    ? await options.embed(paths, { model: config.model, config, progress: options.progress ?? true })
    : await (await import("../embedding/mod.ts")).embedImages(paths, {
      model: config.model,
      config,
      progress: options.progress === false ? false : { label: "embed (training)" },
    });
  const rowOf = new Map(result.index.map((position, row) => [paths[position], row]));
  const items = (list: LearningSplit["train"]): ItemRows[] =>
    list.map((i) => ({ id: i.id, rows: i.images.flatMap((p) => (rowOf.has(p) ? [rowOf.get(p)!] : [])) }))
      .filter((i) => i.rows.length >= 2);
  return {
    data: { embeddings: result.embeddings, train: items(split.train), validation: items(split.validation) },
    model: result.model,
    fingerprint: result.fingerprint,
    failures: result.failures.map((f) => ({ input: String(f.input), reason: f.reason })),
  };
}

/** The dataset name evaluation uses for a split's test draw. */
function testDataset(split: LearningSplit): string {
  if (split.protocol === "catalog-items") return String(split.params.catalog ?? "catalog");
  return split.protocol.startsWith("coil100") ? "coil100" : "grocery";
}

/** Prepare the split's test sets like any evaluation protocol (embeddings, similarity, relevance). */
export async function prepareTest(
  split: LearningSplit,
  options: EmbedSplitOptions = {},
): Promise<PreparedProtocol> {
  return await prepareFromDraw(split.test, {
    dataset: testDataset(split),
    seed: Number(split.params.splitSeed ?? 0),
    model: options.model,
    config: options.config,
    progress: options.progress,
    embed: options.embed,
  });
}
