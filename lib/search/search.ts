/**
 * Set search over an index: shortlist candidate items cheaply, then score each candidate exactly
 * with a set-matching method of `lib/matching` and return the best `k`, explained (matched pairs,
 * unmatched images). `exact` skips the shortlist and scores every item: the ground truth the
 * shortlist is measured against.
 *
 * Title fusion: with a query text (given, or the query item's title) and weight w,
 * score = (1 − w) · image score + w · text cosine (`lib/fusion`'s weighted average); items without
 * a title get text cosine 0.
 * @module
 */

import {
  type IndexReader,
  itemIdFilters,
  openIndex,
  readColumn,
  readVectorColumn,
  VectorFile,
} from "../index/mod.ts";
import {
  cosineSimilarityMatrix,
  type MatchMethod,
  type MatchOptions,
  matchSets,
  methodSpec,
  normalizeRows,
  scoreSimilarityMatrix,
  validateOptions,
} from "../matching/mod.ts";
import { validateEmbeddings } from "../matching/validate.ts";
import type { Embeddings } from "../types.ts";
import { DEFAULT_SHORTLIST, shortlistStrategy } from "./shortlist.ts";

/** A query: image vectors (embedded with the index's model), where they came from, and optional text. */
export interface SetQuery {
  /** The indexed item this query is (excluded from its own results). */
  itemId?: string;
  /** The query's images (paths), parallel to the rows of `vectors`. */
  images: string[];
  /** One embedded row per image, with the index's model. */
  vectors: Embeddings;
  /** The query item's title (used for text fusion when no `text` is given). */
  title?: string;
}

/** Options of {@link SearchSession.search}. */
export interface SearchOptions {
  /** Results to return (default 10). */
  k?: number;
  /** Set-matching method and its options (default chamfer). */
  match?: Omit<MatchOptions, "method"> & { method?: MatchMethod };
  /** Query text for title fusion. */
  text?: string;
  /** Weight of the title similarity in [0, 1]; default 0.5 when a text is given, else 0 (no fusion). */
  textWeight?: number;
  /** Lance SQL filter on the metadata columns, e.g. `category = 'Sports Shoes'`. */
  where?: string;
  /** Score every item (no shortlist). */
  exact?: boolean;
  /** Shortlist strategy (default `images`). */
  shortlist?: string;
  /** Candidate items re-ranked exactly (default: the strategy's, `images` max(5 · k, 50), the others max(10 · k, 100)). */
  candidates?: number;
  /** Inverted lists probed: of the vector file's lists (large segments), or of a Lance vector index. */
  nprobes?: number;
}

/** One matched pair of a result (indices into the query's and the item's images). */
export interface ResultPair {
  /** Index into the query's images. */
  a: number;
  /** Index into the item's images. */
  b: number;
  /** Cosine similarity of the two images. */
  similarity: number;
  /** Whether the pair counts in the score (passed s, within m). */
  counted: boolean;
}

/** One search result (the JSON contract's field names). */
export interface SearchResultItem {
  /** 1-based position, best first. */
  rank: number;
  /** The item found. */
  item_id: string;
  /** The (fused) set similarity; null when no match passed s. */
  score: number | null;
  /** Matched pairs in the method's order. */
  pairs: ResultPair[];
  /** Query images in no pair (indices). */
  unmatched_query: number[];
  /** Item images in no pair (indices). */
  unmatched_item: number[];
  /** Title cosine, present when text was fused. */
  text_score?: number;
  /** The image-only set similarity (equals `score` without fusion). */
  image_score: number | null;
  /** The item's image paths, in the order `b` indexes. */
  images: string[];
  /** The item's title, when it has one. */
  title?: string;
  /** The item's category, when it has one. */
  category?: string;
  /** The item's group, when it has one. */
  group?: string;
}

/** A search's answer (the `--json` contract). */
export interface SearchResult {
  /** What was asked: the query item (if any), its images, the fused text. */
  query: { item_id?: string; images: string[]; text?: string };
  /** The set-matching method that scored. */
  method: MatchMethod;
  /** Results asked for. */
  k: number;
  /** The best results, best first. */
  results: SearchResultItem[];
  /** How candidates were found: strategy, how many were scored exactly, whether every item was. */
  shortlist: { strategy: string; candidates: number; exact: boolean };
  /** Wall time of the search (shortlist + re-rank), ms. */
  elapsed_ms: number;
}

interface ItemVectors {
  vectors: Embeddings;
  images: string[];
  title?: string;
  category?: string;
  group?: string;
  text?: Float32Array;
}

const DEFAULT_METHOD: MatchMethod = "chamfer";

/** An open index ready to answer searches (keeps the tables open between queries). */
export class SearchSession {
  private allIds?: Promise<string[]>;
  private constructor(
    readonly reader: IndexReader,
    /** The index's memory-mapped vector file, when it has one that opens (`lib/index/vector_file.ts`). */
    readonly vectorFile?: VectorFile,
  ) {}

  /** Open the committed index in `dir`. */
  static async open(dir: string): Promise<SearchSession> {
    const reader = await openIndex(dir);
    let vectorFile: VectorFile | undefined;
    if (reader.manifest.vectorFile !== undefined) {
      try {
        vectorFile = await VectorFile.open(dir, reader.manifest.vectorFile);
      } catch (error) {
        // Still correct without it (the tables hold the same vectors), only slower.
        console.error(
          `search: ${dir}: the vector file cannot be used (${
            (error as Error).message
          }); searching the tables instead (rebuild with deno task index to restore it)`,
        );
      }
    }
    return new SearchSession(reader, vectorFile);
  }

  /** Close the tables and unmap the vector file. */
  async close(): Promise<void> {
    this.reader.close();
    await this.vectorFile?.close();
  }

  /** The manifest of the index. */
  get manifest() {
    return this.reader.manifest;
  }

  /** Item ids of the index (optionally filtered). */
  async itemIds(where?: string): Promise<string[]> {
    if (where) {
      const rows = await this.reader.items.query().where(where).select(["item_id"]).toArrow();
      return readColumn<string>(rows, "item_id");
    }
    this.allIds ??= this.reader.items.query().select(["item_id"]).toArrow().then((rows) =>
      readColumn<string>(rows, "item_id")
    );
    return await this.allIds;
  }

  /** Whether `id` is an item of the index. */
  async hasItem(id: string): Promise<boolean> {
    return (await this.itemIds()).includes(id);
  }

  /** Vectors (and titles, text vectors) of the given items, read from the images and items tables. */
  async itemVectors(ids: readonly string[], withText = false): Promise<Map<string, ItemVectors>> {
    const out = new Map<string, ItemVectors>();
    const { dim } = this.reader.manifest;
    for (const filter of itemIdFilters(ids)) {
      const rows = await this.reader.images.query().where(filter)
        .select(["item_id", "path", "position", "vector"]).toArrow();
      const itemIds = readColumn<string>(rows, "item_id");
      const paths = readColumn<string>(rows, "path");
      const positions = readColumn<number>(rows, "position");
      const { data } = readVectorColumn(rows, "vector");
      const grouped = Map.groupBy(itemIds.keys(), (r) => itemIds[r]);
      for (const [id, list] of grouped) {
        list.sort((a, b) => positions[a] - positions[b]);
        const v = new Float32Array(list.length * dim);
        list.forEach((r, k) => v.set(data.subarray(r * dim, (r + 1) * dim), k * dim));
        out.set(id, { vectors: { data: v, count: list.length, dim }, images: list.map((r) => paths[r]) });
      }
      const columns = ["item_id", "title", "category", "group"];
      if (withText) columns.push("text_vector");
      const items = await this.reader.items.query().where(filter).select(columns).toArrow();
      const ids2 = readColumn<string>(items, "item_id");
      const titles = readColumn<string | null>(items, "title");
      const categories = readColumn<string | null>(items, "category");
      const groups = readColumn<string | null>(items, "group");
      const text = withText ? readVectorColumn(items, "text_vector") : undefined;
      ids2.forEach((id, r) => {
        const entry = out.get(id);
        if (entry === undefined) return;
        if (titles[r] !== null) entry.title = titles[r]!;
        if (categories[r] !== null) entry.category = categories[r]!;
        if (groups[r] !== null) entry.group = groups[r]!;
        if (text !== undefined && text.valid[r]) {
          entry.text = text.data.slice(r * text.dim, (r + 1) * text.dim);
        }
      });
    }
    return out;
  }

  /** The query for an indexed item: its stored vectors, images and title. */
  async itemQuery(id: string): Promise<SetQuery> {
    const entry = (await this.itemVectors([id])).get(id);
    if (entry === undefined) throw new RangeError(`no item "${id}" in the index ${this.reader.dir}`);
    return { itemId: id, images: entry.images, vectors: entry.vectors, title: entry.title };
  }

  /**
   * Search: shortlist (or every item with `exact`), re-rank exactly, fuse text, return the best k.
   * `textVector` is the embedded query text (see `embedQueryText`) when text is fused.
   */
  async search(
    query: SetQuery,
    options: SearchOptions = {},
    textVector?: Float32Array,
  ): Promise<SearchResult> {
    const start = performance.now();
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
    const match: MatchOptions = { ...options.match, method: options.match?.method ?? DEFAULT_METHOD };
    for (const key of Object.keys(match) as (keyof MatchOptions)[]) {
      if (match[key] === undefined) delete match[key];
    }
    validateOptions(match);
    if (query.vectors.dim !== this.reader.manifest.dim) {
      throw new RangeError(
        `query vectors have ${query.vectors.dim} values, the index ${this.reader.dir} holds ${this.reader.manifest.dim} (model ${this.reader.manifest.model})`,
      );
    }
    const fuse = textVector !== undefined;
    const weight = options.textWeight ?? (fuse ? 0.5 : 0);
    if (!(weight >= 0 && weight <= 1)) throw new RangeError(`text weight must be in [0, 1], got ${weight}`);
    const strategyName = options.exact ? "exact" : options.shortlist ?? DEFAULT_SHORTLIST;
    // Without text, the vector file serves the shortlist and the re-rank's vectors (a filter becomes
    // the set of items it keeps, from one items-table query); the tables are read only for the k
    // results' details.
    const mapped = fuse ? undefined : this.vectorFile;
    const only = mapped !== undefined && options.where
      ? new Set(await this.itemIds(options.where))
      : undefined;
    let candidates: string[];
    if (options.exact) {
      candidates = (mapped !== undefined
        ? mapped.items.filter((id) =>
          only?.has(id) ?? true
        )
        : await this.itemIds(options.where))
        .filter((id) => id !== query.itemId);
    } else {
      const strategy = shortlistStrategy(strategyName, this.reader);
      candidates = await strategy.propose({
        reader: this.reader,
        vectors: query.vectors,
        candidates: options.candidates ?? strategy.defaultCandidates(k),
        where: options.where,
        exclude: query.itemId,
        nprobes: options.nprobes,
        vectorFile: mapped,
        only,
      });
    }
    // From the vector file each candidate's vectors are copied when it is scored, not all at once
    // (an exact search of 10^6 images would otherwise hold a second copy of every vector).
    const items: { get(id: string): ItemVectors | undefined } = mapped !== undefined
      ? { get: (id) => mappedItem(mapped, id) }
      : await this.itemVectors(candidates, fuse);
    const scored: SearchResultItem[] = [];
    // The same numbers as matchSets(query, item) (same normalisation, same kernel), with the query
    // checked and normalised once instead of once per candidate.
    const spec = methodSpec(match.method);
    const fromMatrix = spec.scoreEmbeddings === undefined && spec.score !== undefined;
    if (fromMatrix) validateEmbeddings(query.vectors, "query");
    const queryUnit = fromMatrix ? normalizeRows(query.vectors, "query") : undefined;
    for (const id of candidates) {
      const entry = items.get(id);
      if (entry === undefined) continue;
      const result = queryUnit !== undefined
        ? scoreSimilarityMatrix(
          cosineSimilarityMatrix(queryUnit, normalizeRows(entry.vectors, id), {
            trusted: true,
            normalize: false,
          }),
          match,
        )
        : matchSets(query.vectors, entry.vectors, match);
      let score = result.score;
      let text_score: number | undefined;
      if (fuse) {
        text_score = 0;
        if (entry.text !== undefined) {
          for (let d = 0; d < textVector.length; d++) text_score += textVector[d] * entry.text[d];
        }
        if (score !== null) score = (1 - weight) * score + weight * text_score;
      }
      scored.push({
        rank: 0,
        item_id: id,
        score,
        pairs: result.pairs.map((p) => ({ a: p.a, b: p.b, similarity: p.similarity, counted: p.counted })),
        unmatched_query: result.unmatchedA,
        unmatched_item: result.unmatchedB,
        ...(text_score !== undefined ? { text_score } : {}),
        image_score: result.score,
        images: entry.images,
        ...(entry.title !== undefined ? { title: entry.title } : {}),
        ...(entry.category !== undefined ? { category: entry.category } : {}),
        ...(entry.group !== undefined ? { group: entry.group } : {}),
      });
    }
    scored.sort(compareResults);
    const results = scored.slice(0, k).map((r, i) => ({ ...r, rank: i + 1 }));
    if (mapped !== undefined) {
      const details = await this.itemVectors(results.map((r) => r.item_id));
      for (const r of results) {
        const entry = details.get(r.item_id);
        if (entry === undefined) continue;
        r.images = entry.images;
        if (entry.title !== undefined) r.title = entry.title;
        if (entry.category !== undefined) r.category = entry.category;
        if (entry.group !== undefined) r.group = entry.group;
      }
    }
    return {
      query: {
        ...(query.itemId !== undefined ? { item_id: query.itemId } : {}),
        images: query.images,
        ...(options.text !== undefined ? { text: options.text } : {}),
      },
      method: match.method,
      k,
      results,
      shortlist: { strategy: strategyName, candidates: candidates.length, exact: options.exact === true },
      elapsed_ms: performance.now() - start,
    };
  }
}

/** A candidate's vectors from the vector file (images and details are filled in for the results only). */
function mappedItem(file: VectorFile, id: string): ItemVectors | undefined {
  const vectors = file.itemVectors(id);
  return vectors === undefined ? undefined : { vectors, images: [] };
}

/** Best first: higher score, a null score last, ties by item id. */
export function compareResults(
  a: { score: number | null; item_id: string },
  b: { score: number | null; item_id: string },
): number {
  const sa = a.score ?? -Infinity, sb = b.score ?? -Infinity;
  if (sa !== sb) return sb - sa;
  return a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0;
}
