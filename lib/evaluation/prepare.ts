/**
 * `prepareProtocol`: everything a protocol needs before any set-matching method runs — load the
 * dataset, draw the seeded sets, embed every image once (through the embedding cache) and build
 * the query × gallery cosine-similarity matrix once. Methods and sweeps then only score.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareProtocol } from "./prepare.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * // One query set of 4 views and one gallery set of 5 other views per object, 100 objects.
 * assert.deepEqual([prepared.querySets.length, prepared.gallerySets.length], [100, 100]);
 * assert.deepEqual([prepared.similarity.rows, prepared.similarity.cols], [100 * 4, 100 * 5]);
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
  /** What failed, as reported: the path, with `#rot90` etc. for an augmented copy. */
  input: string;
  /** The image's path. */
  path: string;
  /** The augmentation of the copy that failed (absent: the image itself). */
  augmentation?: Augmentation;
  /** Why it failed. */
  reason: string;
}

/** What an {@link ImageEmbedder} returns (the shape of `lib/embedding`'s `embedImages`). */
export interface EmbedderResult {
  /** One L2-normalised row per successfully embedded input. */
  embeddings: Embeddings;
  /** `index[r]` = position in the inputs of embedding row r. */
  index: number[];
  /** Inputs that could not be embedded, with the reason. */
  failures: { input: unknown; reason: string }[];
  /** The model's name. */
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
  /** The protocol that drew the sets. */
  protocol: ProtocolName;
  /** Seed of the draw. */
  seed: number;
  /** The image model's name. */
  model: string;
  /** The image model's fingerprint. */
  fingerprint: string;
  /** Query set i = rows `querySets[i]` of `queryEmbeddings` (= rows of `similarity`). */
  querySets: number[][];
  /** Gallery set j = rows `gallerySets[j]` of `galleryEmbeddings` (= columns of `similarity`). */
  gallerySets: number[][];
  /** Vectors of the query images. */
  queryEmbeddings: Embeddings;
  /** Vectors of the gallery images. */
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
  /** The gallery sets' descriptions, as `queries`. */
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

/** Where one embedded copy of an image sits: block `part` (one per copy kind), row `row`. */
interface CopyRow {
  part: number;
  row: number;
}

/**
 * Every distinct image embedded once as itself and once per augmentation: `blocks[k]` holds the
 * vectors of copy kind `kinds[k]` (`null` = the image itself), `rows[k].get(path)` the row of that
 * image's copy, absent when it failed (and then listed in `failures`).
 */
export interface EmbeddedCopies {
  /** Copy kind of each block (`null`: the image itself). */
  kinds: (Augmentation | null)[];
  /** The vectors of each copy kind. */
  blocks: Embeddings[];
  /** Per copy kind: image path → its row in the block. */
  rows: Map<string, number>[];
  /** Copies that could not be embedded. */
  failures: EmbeddingFailure[];
  /** Model and fingerprint of the plain copies. */
  model: string;
  /** Fingerprint of the plain copies. */
  fingerprint: string;
}

/** Phase 1: embed each distinct image of the draw, plain and per augmentation. */
export async function embedCopies(
  images: readonly string[],
  options: {
    augment: readonly Augmentation[];
    embed: ImageEmbedder;
    config: SetsimConfig;
    progress: boolean;
  },
): Promise<EmbeddedCopies> {
  const copies: EmbeddedCopies = {
    kinds: [null, ...options.augment],
    blocks: [],
    rows: [],
    failures: [],
    model: options.config.model,
    fingerprint: "",
  };
  const inputs = [...images];
  for (const kind of copies.kinds) {
    const result = await options.embed(inputs, {
      model: options.config.model,
      config: options.config,
      progress: options.progress,
      augment: kind ?? undefined,
    });
    if (result.index.length !== result.embeddings.count) {
      throw new Error(`embedder returned ${result.embeddings.count} rows but ${result.index.length} indices`);
    }
    const rows = new Map(result.index.map((position, row) => [inputs[position], row]));
    const reasons = new Map(result.failures.map((f) => [String(f.input), f.reason]));
    for (const path of inputs) {
      if (rows.has(path)) continue;
      copies.failures.push({
        input: kind ? `${path}#${kind}` : path,
        path,
        ...(kind ? { augmentation: kind } : {}),
        reason: reasons.get(path) ?? "the embedder returned no vector for it",
      });
    }
    copies.blocks.push(result.embeddings);
    copies.rows.push(rows);
    if (kind === null) {
      copies.model = result.model;
      copies.fingerprint = result.fingerprint;
    }
  }
  return copies;
}

/** One side (queries or gallery) of a prepared protocol, as rows into the embedded copies. */
export interface BuiltSets {
  /** The embedded copy behind each member row, in row order. */
  rows: CopyRow[];
  /** The sets that kept at least one image (their `images` = the plain images kept). */
  kept: SetSpec[];
  /** Member rows of each kept set. */
  indexSets: number[][];
  /** Ids of the sets left with no embedded image. */
  dropped: string[];
}

/** Phase 2: each set's members = every embedded copy of its images; empty sets are dropped. */
export function buildSets(sets: readonly SetSpec[], copies: EmbeddedCopies): BuiltSets {
  const built: BuiltSets = { rows: [], kept: [], indexSets: [], dropped: [] };
  for (const set of sets) {
    const members: number[] = [];
    const images: string[] = [];
    for (const path of set.images) {
      copies.rows.forEach((rows, part) => {
        const row = rows.get(path);
        if (row === undefined) return;
        members.push(built.rows.length);
        built.rows.push({ part, row });
        if (copies.kinds[part] === null) images.push(path);
      });
    }
    if (members.length === 0) {
      built.dropped.push(set.id);
      continue;
    }
    built.kept.push({ ...set, images });
    built.indexSets.push(members);
  }
  return built;
}

/** The relevance and exclusion masks of a query × gallery pairing (row-major). */
export interface SetMasks {
  /** 1 where the labels match (fine level). */
  relevance: Uint8Array;
  /** 1 where the coarse labels match; `null` when the sets have none. */
  coarse: Uint8Array | null;
  /** 1 where a set meets itself (same id); `null` when none does. */
  excluded: Uint8Array | null;
}

/** Phase 3: relevance (fine and coarse) and the self-pairs to leave out. */
export function setMasks(queries: readonly SetSpec[], gallery: readonly SetSpec[]): SetMasks {
  const nG = gallery.length;
  const relevance = new Uint8Array(queries.length * nG);
  const coarse = new Uint8Array(queries.length * nG);
  const excluded = new Uint8Array(queries.length * nG);
  let anyCoarse = false;
  let anyExcluded = false;
  queries.forEach((query, i) => {
    gallery.forEach((candidate, j) => {
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
    });
  });
  return { relevance, coarse: anyCoarse ? coarse : null, excluded: anyExcluded ? excluded : null };
}

/** Rows `(part, row)` of several embedding blocks, stacked into one block. */
function gatherRows(parts: Embeddings[], rows: readonly CopyRow[]): Embeddings {
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
  const failed = new Set(prepared.failures.map((f) => f.path));
  const redrawn = await prepareFromDraw(await drawProtocol(options, failed), options);
  return { ...redrawn, failures: [...prepared.failures, ...redrawn.failures] };
}

/**
 * {@link prepareProtocol} for sets already drawn (e.g. by a custom protocol), in three phases:
 * {@link embedCopies}, {@link buildSets} per side, {@link setMasks}; then one similarity matrix.
 */
export async function prepareFromDraw(
  draw: ProtocolDraw,
  options: PrepareOptions,
): Promise<PreparedProtocol> {
  const dataset = resolveCatalogName(options.dataset);
  const config = resolveConfig({
    ...(options.config ?? {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const augment = parseAugmentations(options.augment ?? []);
  const distinct = [...new Set([...draw.querySets, ...draw.gallerySets].flatMap((s) => s.images))];
  const copies = await embedCopies(distinct, {
    augment,
    embed: options.embed ?? defaultEmbedder,
    config,
    progress: options.progress ?? true,
  });

  const q = buildSets(draw.querySets, copies);
  const g = draw.gallerySets === draw.querySets ? q : buildSets(draw.gallerySets, copies);
  if (q.kept.length === 0 || g.kept.length === 0) {
    throw new Error(`no ${q.kept.length === 0 ? "query" : "gallery"} set has an embedded image`);
  }
  const queryEmbeddings = gatherRows(copies.blocks, q.rows);
  const galleryEmbeddings = g === q ? queryEmbeddings : gatherRows(copies.blocks, g.rows);
  const masks = setMasks(q.kept, g.kept);

  return {
    dataset,
    protocol: draw.protocol,
    seed: options.seed ?? 0,
    model: copies.model,
    fingerprint: copies.fingerprint,
    querySets: q.indexSets,
    gallerySets: g.indexSets,
    queryEmbeddings,
    galleryEmbeddings,
    similarity: cosineSimilarityMatrix(queryEmbeddings, galleryEmbeddings),
    relevance: masks.relevance,
    relevanceLevels: masks.coarse ? { coarse: masks.coarse } : {},
    excluded: masks.excluded,
    categories: q.kept.map((s) => s.category),
    queries: q.kept,
    gallery: g.kept,
    failures: copies.failures,
    meta: {
      ...draw.params,
      augment,
      n_images: distinct.length,
      n_embedded: copies.blocks.reduce((sum, p) => sum + p.count, 0),
      dropped_query_sets: q.dropped,
      dropped_gallery_sets: g === q ? [] : g.dropped,
    },
  };
}
