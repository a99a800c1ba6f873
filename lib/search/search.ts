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

import { isAbsolute, join } from "node:path";
import {
  damagedVectorFileWarning,
  type IndexReader,
  isStorageError,
  itemIdFilters,
  openIndex,
  readColumn,
  readVectorColumn,
  ShortlistParts,
  ShortlistPartsDamage,
  tableDamage,
  validateFilter,
  VectorFile,
  VectorFileDamage,
} from "../index/mod.ts";
import { type MatchMethod, type MatchOptions, validateOptions } from "../matching/mod.ts";
import { compareResults, rerank, type RerankedItem } from "./rerank.ts";
import type { Embeddings } from "../types.ts";
import { DEFAULT_SHORTLIST, shortlistStrategy } from "./shortlist.ts";
import { type ItemDetails, loadItemDetails } from "./details.ts";

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
  private idSet?: Promise<Set<string>>;
  /** Every item's paths, title, category and group: this session's explicit cache, read on first use. */
  private details?: Promise<Map<string, ItemDetails>>;
  /** Vector files dropped as damaged, unmapped when the session closes. */
  private readonly damaged: VectorFile[] = [];
  /** The stored shortlist parts, opened (and verified) on first use; undefined when absent or damaged. */
  private parts?: Promise<ShortlistParts | undefined>;
  private constructor(
    readonly reader: IndexReader,
    private mapped: VectorFile | undefined,
  ) {}

  /** The index's memory-mapped vector file, while it has one that verifies (`lib/index/vector_file.ts`). */
  get vectorFile(): VectorFile | undefined {
    return this.mapped;
  }

  /**
   * Open the committed index in `dir`. `verifyBytes`: vector-file bytes hashed whole at open
   * (default `VECTOR_VERIFY_ON_OPEN_BYTES`; the rest is checked block by block as it is read).
   */
  static async open(dir: string, options: { verifyBytes?: number } = {}): Promise<SearchSession> {
    const reader = await openIndex(dir);
    const session = new SearchSession(reader, undefined);
    if (reader.manifest.vectorFile !== undefined) {
      try {
        session.mapped = await VectorFile.open(dir, reader.manifest.vectorFile, options);
      } catch (error) {
        session.warnDamaged(error);
      }
    }
    return session;
  }

  /**
   * The one warning of a damaged vector file, which is never used again by this session: the
   * tables hold the same vectors, so results stay the same, only slower.
   */
  private warnDamaged(error: unknown): void {
    console.error(damagedVectorFileWarning(this.reader.dir, this.reader.manifest.catalog.root, error));
  }

  /**
   * The index's stored centroid sketches and FDE encodings (`lib/index/shortlist_parts.ts`), opened
   * and verified once; a damaged part is never used: one warning, and the `centroid` and `fde`
   * shortlists compute their structures in this process instead (same candidates, slower).
   */
  storedParts(): Promise<ShortlistParts | undefined> {
    const { dir, manifest } = this.reader;
    const entry = manifest.shortlists;
    this.parts ??= entry === undefined ? Promise.resolve(undefined) : ShortlistParts.open(dir, entry).catch(
      (error) => {
        if (!(error instanceof ShortlistPartsDamage)) throw error;
        console.error(
          `${dir}: the stored shortlist parts are damaged (${error.message}); the centroid and fde ` +
            `shortlists compute them in this process instead (slower); the next deno task index ` +
            `${manifest.catalog.root} --index ${dir} writes them again`,
        );
        return undefined;
      },
    );
    return this.parts;
  }

  /** Close the tables and unmap the vector file and the stored parts. */
  async close(): Promise<void> {
    this.reader.close();
    await this.mapped?.close();
    for (const file of this.damaged.splice(0)) await file.close();
    await (await this.parts?.catch(() => undefined))?.close();
  }

  /** The manifest of the index. */
  get manifest() {
    return this.reader.manifest;
  }

  /**
   * An image's path as stored, resolved against the catalog root of the last build: newer indexes
   * store paths relative to it (so a moved catalog works after one index run), older ones absolute.
   */
  private imagePath(stored: string): string {
    return isAbsolute(stored) ? stored : join(this.reader.manifest.catalog.root, stored);
  }

  /** Run a read of the tables; a storage error becomes an `IndexError` that says what to run. */
  private async reading<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!isStorageError(error)) throw error;
      throw tableDamage(this.reader.dir, what, error, this.reader.manifest.catalog.root);
    }
  }

  /** Item ids of the index (optionally filtered). */
  itemIds(where?: string): Promise<string[]> {
    return this.reading("reading item ids", () => this.readItemIds(where));
  }

  private async readItemIds(where?: string): Promise<string[]> {
    if (where) {
      validateFilter(where);
      const rows = await this.reader.items.query().where(where).select(["item_id"]).toArrow();
      return readColumn<string>(rows, "item_id");
    }
    this.allIds ??= this.reader.items.query().select(["item_id"]).toArrow().then((rows) =>
      readColumn<string>(rows, "item_id")
    );
    return await this.allIds;
  }

  /**
   * Load now what the first search would otherwise load: the item ids and details, and the vector
   * file's 8-bit codes (a server prepares a version before it answers from it).
   */
  async prepare(): Promise<void> {
    await this.hasItem("");
    if (this.mapped === undefined) return;
    await this.itemDetails();
    await this.fromVectorFile((file) => file.prepare(), () => Promise.resolve());
  }

  /** Whether `id` is an item of the index. */
  async hasItem(id: string): Promise<boolean> {
    this.idSet ??= this.itemIds().then((ids) => new Set(ids));
    this.idSet.catch(() => this.idSet = undefined);
    return (await this.idSet).has(id);
  }

  /** Every item's details, read from the tables once per session (no vectors: about 100 B an image). */
  private itemDetails(): Promise<Map<string, ItemDetails>> {
    if (this.details === undefined) {
      const pending = this.reading("reading item details", () => loadItemDetails(this.reader));
      pending.catch(() => {
        if (this.details === pending) this.details = undefined;
      });
      this.details = pending;
    }
    return this.details;
  }

  /**
   * `read(file)` with the vector file while it verifies; a block that fails its checksum drops the
   * file (one warning) and the answer is `fallback()` — the tables hold the same vectors.
   */
  private async fromVectorFile<T>(
    read: (file: VectorFile) => Promise<T>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    const file = this.mapped;
    if (file === undefined) return await fallback();
    try {
      return await read(file);
    } catch (error) {
      if (!(error instanceof VectorFileDamage)) throw error;
      if (this.mapped === file) {
        this.mapped = undefined;
        this.warnDamaged(error);
        // Unmapped at close, not now: a concurrent search may still be reading it.
        this.damaged.push(file);
      }
      return await fallback();
    }
  }

  /** Vectors (and titles, text vectors) of the given items, read from the images and items tables. */
  itemVectors(ids: readonly string[], withText = false): Promise<Map<string, ItemVectors>> {
    return this.reading("reading items", () => this.readItemVectors(ids, withText));
  }

  private async readItemVectors(
    ids: readonly string[],
    withText: boolean,
  ): Promise<Map<string, ItemVectors>> {
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
        out.set(id, {
          vectors: { data: v, count: list.length, dim },
          images: list.map((r) => this.imagePath(paths[r])),
        });
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

  /**
   * The query for an indexed item: its stored vectors, images and title — from the mapped vector
   * file and the session's details when it has them (no table query), else from the tables.
   */
  itemQuery(id: string): Promise<SetQuery> {
    const fromTables = async () => {
      const entry = (await this.itemVectors([id])).get(id);
      if (entry === undefined) throw new RangeError(`no item "${id}" in the index ${this.reader.dir}`);
      return { itemId: id, images: entry.images, vectors: entry.vectors, title: entry.title };
    };
    return this.fromVectorFile(async (file) => {
      const vectors = file.itemVectors(id);
      const entry = (await this.itemDetails()).get(id);
      if (vectors === undefined || entry === undefined) return await fromTables();
      return {
        itemId: id,
        images: entry.images.map((p) => this.imagePath(p)),
        vectors,
        ...(entry.title !== undefined ? { title: entry.title } : {}),
      };
    }, fromTables);
  }

  /**
   * Search: shortlist (or every item with `exact`), re-rank exactly, fuse text, return the best k.
   * `textVector` is the embedded query text (see `embedQueryText`) when text is fused.
   */
  search(query: SetQuery, options: SearchOptions = {}, textVector?: Float32Array): Promise<SearchResult> {
    // A block of the vector file that fails its checksum as the search reads it drops the file
    // (one warning) and the search is answered from the tables.
    const run = () => this.run(query, options, textVector);
    return this.reading("searching", () => this.fromVectorFile(run, run));
  }

  private async run(
    query: SetQuery,
    options: SearchOptions,
    textVector?: Float32Array,
  ): Promise<SearchResult> {
    if (options.where) validateFilter(options.where);
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
    const candidates = await this.shortlist(query, options, k, mapped, only);
    // From the vector file each candidate's vectors are copied when it is scored, not all at once
    // (an exact search of 10^6 images would otherwise hold a second copy of every vector).
    const loaded = mapped === undefined ? await this.itemVectors(candidates, fuse) : undefined;
    const ranked = rerank(
      query.vectors,
      candidates,
      (id) => loaded !== undefined ? loaded.get(id) : mappedItem(mapped!, id),
      { match, ...(fuse ? { text: { vector: textVector, weight } } : {}) },
    );
    const results = await this.fetch(ranked.slice(0, k), loaded);
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

  /** Shortlist: the candidate items (every item under the filter with `exact`), best first. */
  private async shortlist(
    query: SetQuery,
    options: SearchOptions,
    k: number,
    mapped: VectorFile | undefined,
    only: ReadonlySet<string> | undefined,
  ): Promise<string[]> {
    if (options.exact) {
      const all = mapped !== undefined
        ? mapped.items.filter((id) => only?.has(id) ?? true)
        : await this.itemIds(options.where);
      return all.filter((id) => id !== query.itemId);
    }
    const strategy = shortlistStrategy(options.shortlist ?? DEFAULT_SHORTLIST, this.reader);
    return await strategy.propose({
      reader: this.reader,
      vectors: query.vectors,
      candidates: options.candidates ?? strategy.defaultCandidates(k),
      where: options.where,
      exclude: query.itemId,
      nprobes: options.nprobes,
      vectorFile: mapped,
      only,
      parts: () => this.storedParts(),
    });
  }

  /** Fetch: the results' images, titles, categories and groups (from `loaded`, or read for these items). */
  private async fetch(
    ranked: RerankedItem[],
    loaded: Map<string, ItemVectors> | undefined,
  ): Promise<SearchResultItem[]> {
    const details = loaded ?? await this.itemDetails();
    return ranked.map((r, i) => {
      const entry = details.get(r.item_id);
      return {
        rank: i + 1,
        ...r,
        images: loaded !== undefined
          ? entry?.images ?? []
          : (entry?.images ?? []).map((p) => this.imagePath(p)),
        ...(entry?.title !== undefined ? { title: entry.title } : {}),
        ...(entry?.category !== undefined ? { category: entry.category } : {}),
        ...(entry?.group !== undefined ? { group: entry.group } : {}),
      };
    });
  }
}

/** A candidate's vectors from the vector file (images and details are filled in for the results only). */
function mappedItem(file: VectorFile, id: string): ItemVectors | undefined {
  const vectors = file.itemVectors(id);
  return vectors === undefined ? undefined : { vectors, images: [] };
}

export { compareResults };
