/**
 * `prepareProtocol`: everything a protocol needs before any set-matching method runs — load the
 * dataset, draw the seeded sets, embed every image once (through the embedding cache) and build
 * the query × gallery cosine-similarity matrix once. Methods and sweeps then only score.
 *
 * @example
 * ```ts
 * import { prepareProtocol } from "./prepare.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * console.log(prepared.querySets.length, prepared.similarity.rows, prepared.similarity.cols);
 * ```
 * @module
 */

import { type ConfigOverrides, resolveConfig, type SetsimConfig } from "../config/mod.ts";
import { hashImages, isBundledDataset, loadCatalog, resolveCatalogName } from "../catalog/mod.ts";
import type { DatasetName } from "../data/datasets.ts";
import { loadCoil100, loadGrocery, loadMyntraFootwear } from "../data/loaders.ts";
import { cosineSimilarityMatrix, type SimilarityMatrix } from "../matching/mod.ts";
import type { Embeddings } from "../types.ts";
import { type Augmentation, parseAugmentations } from "./augment.ts";
import { CATALOG_PROTOCOLS, type CatalogProtocolName, drawGroup, drawItems } from "./catalog_protocols.ts";
import {
  drawGrocery,
  drawOrdered,
  drawSingle,
  drawUnordered,
  PROTOCOL_NAMES,
  type ProtocolDraw,
  type ProtocolName,
  type SetSpec,
} from "./protocols.ts";

/** An image that could not be embedded, and why. */
export interface EmbeddingFailure {
  /** Path of the image (with `#rot90` etc. for an augmented copy). */
  input: string;
  reason: string;
}

/** What an {@link ImageEmbedder} returns (the shape of `lib/embedding`'s `embedImages`). */
export interface EmbedderResult {
  /** One L2-normalised row per successfully embedded input. */
  embeddings: Embeddings;
  /** `index[r]` = position in the inputs of embedding row r. */
  index: number[];
  failures: { input: unknown; reason: string }[];
  model: string;
  /** Identifies the model and its configuration (changes whenever vectors could change). */
  fingerprint: string;
}

/**
 * Embeds image files, optionally each transformed by one augmentation; injectable so tests can
 * use a small deterministic model. The default is `lib/embedding`'s `embedImages`.
 */
export type ImageEmbedder = (
  inputs: string[],
  options: { model: string; config: SetsimConfig; progress: boolean; augment?: Augmentation },
) => Promise<EmbedderResult>;

/** Options of {@link prepareProtocol}. */
export interface PrepareOptions {
  /**
   * Dataset name or alias (`coil100`, `grocery`/`grocery_store`, `myntra_footwear`/`footwear`/`myntra`),
   * or the path of a user catalog (folder or manifest; protocols `items` and `group`).
   */
  dataset: string;
  /** Protocol; default: `unordered` for coil100, `grocery` for grocery, `single` for myntra_footwear. */
  protocol?: ProtocolName;
  /** Seed of the set drawing (default 0). */
  seed?: number;
  /** Image model (default: the configured model, `mobilenet-v2`). */
  model?: string;
  /** Configuration overrides (data directory, cache, …). */
  config?: ConfigOverrides;
  /** Add these transformed copies of every image to its set before matching (default none). */
  augment?: readonly Augmentation[];
  /** `unordered`/`grocery`: query set size (default 4). */
  a?: number;
  /** `unordered`/`grocery`: gallery set size (default 5). */
  b?: number;
  /** `ordered`: gallery shift in degrees (default 10). */
  delta?: number;
  /** `grocery`: query/gallery set pairs per fine class (default 2). */
  setsPerClass?: number;
  /** `single`: shoes per articleType (default 105). */
  perCategory?: number;
  /** `single`: articleTypes (default Casual, Formal, Sports Shoes). */
  categories?: string[];
  /** The embedder (default: `lib/embedding`'s `embedImages` with its persistent cache). */
  embed?: ImageEmbedder;
  /** Show embedding progress on stderr (default true). */
  progress?: boolean;
}

/** A protocol ready to score: sets as row indices into embeddings and one similarity matrix. */
export interface PreparedProtocol {
  /** Canonical dataset name, or the catalog's absolute path. */
  dataset: string;
  protocol: ProtocolName;
  seed: number;
  model: string;
  fingerprint: string;
  /** Query set i = rows `querySets[i]` of `queryEmbeddings` (= rows of `similarity`). */
  querySets: number[][];
  /** Gallery set j = rows `gallerySets[j]` of `galleryEmbeddings` (= columns of `similarity`). */
  gallerySets: number[][];
  queryEmbeddings: Embeddings;
  galleryEmbeddings: Embeddings;
  /** Cosine similarity of every query image (rows) with every gallery image (columns). */
  similarity: SimilarityMatrix;
  /** Row-major nQuery × nGallery: 1 where the gallery set is relevant (fine level). */
  relevance: Uint8Array;
  /** Further relevance levels, e.g. `coarse` for grocery. */
  relevanceLevels: Record<string, Uint8Array>;
  /** Row-major nQuery × nGallery: 1 where the gallery set is left out of the query's ranking. */
  excluded: Uint8Array | null;
  /** Per query set: its category (object, super-category, articleType). */
  categories: string[];
  /** The set descriptions (image paths, labels, ids) after dropping failed images. */
  queries: SetSpec[];
  gallery: SetSpec[];
  /** Images that could not be embedded; they were dropped from their sets. */
  failures: EmbeddingFailure[];
  /** Protocol parameters and bookkeeping (dropped sets, augmentations, counts). */
  meta: Record<string, unknown>;
}

const DEFAULT_PROTOCOL: Record<DatasetName, ProtocolName> = {
  coil100: "unordered",
  grocery: "grocery",
  myntra_footwear: "single",
};

const PROTOCOL_DATASETS: Record<Exclude<ProtocolName, CatalogProtocolName>, DatasetName> = {
  unordered: "coil100",
  ordered: "coil100",
  grocery: "grocery",
  single: "myntra_footwear",
};

/** The protocol used when none is given, per dataset; `items` for a user catalog. */
export function defaultProtocol(dataset: string): ProtocolName {
  return isBundledDataset(dataset) ? DEFAULT_PROTOCOL[resolveCatalogName(dataset) as DatasetName] : "items";
}

const isCatalogProtocol = (p: string): p is CatalogProtocolName =>
  (CATALOG_PROTOCOLS as readonly string[]).includes(p);

/** Check a protocol name and that it applies to the dataset, naming what is wrong. */
export function checkProtocol(dataset: string, protocol: string): ProtocolName {
  if (!(PROTOCOL_NAMES as readonly string[]).includes(protocol)) {
    throw new RangeError(`unknown protocol "${protocol}"; choose from ${PROTOCOL_NAMES.join(", ")}`);
  }
  const p = protocol as ProtocolName;
  if (isCatalogProtocol(p)) return p;
  if (!isBundledDataset(dataset)) {
    throw new RangeError(
      `protocol "${p}" applies to dataset "${PROTOCOL_DATASETS[p]}" only; a catalog takes ${
        CATALOG_PROTOCOLS.join(" or ")
      }`,
    );
  }
  const name = resolveCatalogName(dataset);
  if (PROTOCOL_DATASETS[p] !== name) {
    const valid = PROTOCOL_NAMES.filter((q) => isCatalogProtocol(q) || PROTOCOL_DATASETS[q] === name).join(
      ", ",
    );
    throw new RangeError(`protocol "${p}" does not apply to dataset "${name}"; use ${valid}`);
  }
  return p;
}

/**
 * Draw the protocol's sets from the dataset on disk (no embedding), leaving out the image
 * paths in `exclude`.
 */
export async function drawProtocol(
  options: PrepareOptions,
  exclude: ReadonlySet<string> = new Set(),
): Promise<ProtocolDraw> {
  const dataset = resolveCatalogName(options.dataset);
  const protocol = checkProtocol(dataset, options.protocol ?? defaultProtocol(dataset));
  const seed = options.seed ?? 0;
  const dataDir = resolveConfig(options.config ?? {}).dataDir;
  const keep = <T extends { path: string }>(records: T[]) => records.filter((r) => !exclude.has(r.path));
  switch (protocol) {
    case "unordered":
      return drawUnordered(keep(await loadCoil100({ dataDir })), { seed, a: options.a, b: options.b });
    case "ordered":
      return drawOrdered(keep(await loadCoil100({ dataDir })), { delta: options.delta, seed });
    case "grocery":
      return drawGrocery(keep(await loadGrocery({ dataDir })), {
        seed,
        a: options.a,
        b: options.b,
        setsPerClass: options.setsPerClass,
      });
    case "single":
      return drawSingle(keep(await loadMyntraFootwear({ dataDir })), {
        seed,
        perCategory: options.perCategory,
        categories: options.categories,
      });
    case "items":
    case "group": {
      const { catalog, problems } = await loadCatalog(options.dataset, { dataDir });
      const items = catalog.items
        .map((item) => ({ ...item, images: item.images.filter((path) => !exclude.has(path)) }))
        .filter((item) => item.images.length > 0);
      const kept = { ...catalog, items };
      // Content hashes order each item's images, so file names and symlinks do not change the draw.
      const imageKeys = await hashImages(items.flatMap((i) => i.images), {
        progress: options.progress ?? true,
      });
      const draw = protocol === "items"
        ? drawItems(kept, { seed, imageKeys, a: options.a, b: options.b })
        : drawGroup(kept, { seed, imageKeys, perGroup: options.perCategory });
      const summary = {
        name: catalog.name,
        source: catalog.source,
        items: catalog.items.length,
        images: catalog.items.reduce((n, i) => n + i.images.length, 0),
        problems: problems.length,
      };
      return { ...draw, params: { ...draw.params, catalog: summary, catalog_problems: problems } };
    }
  }
}

/** `lib/embedding`'s `embedImages`, imported on first use (so fakes in tests never load ONNX). */
const defaultEmbedder: ImageEmbedder = async (inputs, { model, config, progress, augment }) => {
  const { embedImages } = await import("../embedding/mod.ts");
  return await embedImages(inputs, {
    model,
    config,
    augment,
    progress: progress ? { label: augment ? `embed (${augment})` : "embed" } : false,
  });
};

/** Rows `(part, row)` of several embedding blocks, stacked into one block. */
function gatherRows(parts: Embeddings[], rows: { part: number; row: number }[]): Embeddings {
  const dim = parts[0].dim;
  if (parts.some((p) => p.dim !== dim)) throw new Error("augmented embeddings differ in dimension");
  const data = new Float32Array(rows.length * dim);
  rows.forEach(({ part, row }, i) =>
    data.set(parts[part].data.subarray(row * dim, (row + 1) * dim), i * dim)
  );
  return { data, count: rows.length, dim };
}

/**
 * Load the dataset, draw the seeded sets, embed every distinct image (and its augmented copies)
 * once, drop images that fail to embed (reported in `failures`) and sets left empty (listed in
 * `meta`), and build the query × gallery similarity matrix.
 */
export async function prepareProtocol(options: PrepareOptions): Promise<PreparedProtocol> {
  const prepared = await prepareFromDraw(await drawProtocol(options), options);
  if (prepared.protocol !== "ordered" || prepared.failures.length === 0) return prepared;
  // Dropping a view would misalign the ordered sets' positions; treat a view that cannot be
  // embedded like a missing one instead: draw again without it (nearest angle substitutes).
  const failed = new Set(prepared.failures.map((f) => f.input.replace(/#[a-z0-9]+$/, "")));
  const redrawn = await prepareFromDraw(await drawProtocol(options, failed), options);
  return { ...redrawn, failures: [...prepared.failures, ...redrawn.failures] };
}

/** {@link prepareProtocol} for sets already drawn (e.g. by a custom protocol). */
export async function prepareFromDraw(
  draw: ProtocolDraw,
  options: PrepareOptions,
): Promise<PreparedProtocol> {
  const dataset = resolveCatalogName(options.dataset);
  const config = resolveConfig({
    ...(options.config ?? {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const seed = options.seed ?? 0;
  const augment = parseAugmentations(options.augment ?? []);
  const progress = options.progress ?? true;

  // Every distinct image once, then once per augmentation; keys name each embedded copy.
  const distinct = [...new Set([...draw.querySets, ...draw.gallerySets].flatMap((s) => s.images))];
  const embed = options.embed ?? defaultEmbedder;
  const rowOf = new Map<string, { part: number; row: number }>();
  const parts: Embeddings[] = [];
  const failures: EmbeddingFailure[] = [];
  let model = config.model;
  let fingerprint = "";
  for (const kind of [undefined, ...augment]) {
    const result = await embed(distinct, { model: config.model, config, progress, augment: kind });
    if (result.index.length !== result.embeddings.count) {
      throw new Error(`embedder returned ${result.embeddings.count} rows but ${result.index.length} indices`);
    }
    const suffix = kind ? `#${kind}` : "";
    const part = parts.length;
    parts.push(result.embeddings);
    result.index.forEach((position, row) => rowOf.set(distinct[position] + suffix, { part, row }));
    const reasons = new Map(result.failures.map((f) => [String(f.input), f.reason]));
    for (const path of distinct) {
      if (!rowOf.has(path + suffix)) {
        failures.push({
          input: path + suffix,
          reason: reasons.get(path) ?? "the embedder returned no vector for it",
        });
      }
    }
    if (kind === undefined) {
      model = result.model;
      fingerprint = result.fingerprint;
    }
  }

  const side = (sets: SetSpec[]) => {
    const rows: { part: number; row: number }[] = [];
    const kept: SetSpec[] = [];
    const indexSets: number[][] = [];
    const dropped: string[] = [];
    for (const set of sets) {
      const members: number[] = [];
      const images: string[] = [];
      for (const path of set.images) {
        for (const key of [path, ...augment.map((kind) => `${path}#${kind}`)]) {
          const row = rowOf.get(key);
          if (row === undefined) continue;
          members.push(rows.length);
          rows.push(row);
          if (key === path) images.push(path);
        }
      }
      if (members.length === 0) {
        dropped.push(set.id);
        continue;
      }
      kept.push({ ...set, images });
      indexSets.push(members);
    }
    return { rows, kept, indexSets, dropped };
  };
  const q = side(draw.querySets);
  const g = draw.gallerySets === draw.querySets ? q : side(draw.gallerySets);
  if (q.kept.length === 0 || g.kept.length === 0) {
    throw new Error(`no ${q.kept.length === 0 ? "query" : "gallery"} set has an embedded image`);
  }
  const queryEmbeddings = gatherRows(parts, q.rows);
  const galleryEmbeddings = g === q ? queryEmbeddings : gatherRows(parts, g.rows);
  const similarity = cosineSimilarityMatrix(queryEmbeddings, galleryEmbeddings);

  const nQ = q.kept.length;
  const nG = g.kept.length;
  const relevance = new Uint8Array(nQ * nG);
  const coarse = new Uint8Array(nQ * nG);
  const excluded = new Uint8Array(nQ * nG);
  let anyCoarse = false;
  let anyExcluded = false;
  for (let i = 0; i < nQ; i++) {
    const query = q.kept[i];
    for (let j = 0; j < nG; j++) {
      const candidate = g.kept[j];
      const at = i * nG + j;
      relevance[at] = query.label === candidate.label ? 1 : 0;
      if (query.coarseLabel !== undefined) {
        anyCoarse = true;
        coarse[at] = query.coarseLabel === candidate.coarseLabel ? 1 : 0;
      }
      if (query.id === candidate.id) {
        excluded[at] = 1;
        anyExcluded = true;
      }
    }
  }

  return {
    dataset,
    protocol: draw.protocol,
    seed,
    model,
    fingerprint,
    querySets: q.indexSets,
    gallerySets: g.indexSets,
    queryEmbeddings,
    galleryEmbeddings,
    similarity,
    relevance,
    relevanceLevels: anyCoarse ? { coarse } : {},
    excluded: anyExcluded ? excluded : null,
    categories: q.kept.map((s) => s.category),
    queries: q.kept,
    gallery: g.kept,
    failures,
    meta: {
      ...draw.params,
      augment,
      n_images: distinct.length,
      n_embedded: parts.reduce((sum, p) => sum + p.count, 0),
      dropped_query_sets: q.dropped,
      dropped_gallery_sets: g === q ? [] : g.dropped,
    },
  };
}
