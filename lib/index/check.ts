/**
 * `index --check`: verify a committed index against its catalog and itself.
 * @module
 */

import type { IndexCatalog } from "./catalog.ts";
import { readColumn, readVectorColumn } from "./arrow.ts";
import { FILE_SYSTEM, type ImageFiles } from "./embedders.ts";
import { imageKeyOf, metadataJson } from "./build.ts";
import { type IndexReader, openIndex, tableDamage } from "./store.ts";
import { VectorFile, type VectorFileManifest } from "./vector_file.ts";
import { ShortlistParts, type ShortlistPartsEntry } from "./shortlist_parts.ts";

/** One disagreement found by {@link checkIndex}. */
export interface CheckProblem {
  /** The item concerned, when there is one. */
  item_id?: string;
  /** The image concerned, when there is one. */
  image?: string;
  /** What is wrong, in one sentence. */
  problem: string;
}

/** Options of {@link checkIndex}. */
export interface CheckOptions {
  /** Hash every image file, not only those whose size or modification time changed (`--check --deep`). */
  deep?: boolean;
}

/** Both tables' columns that the check compares, read whole. */
async function readTables(reader: IndexReader) {
  const rows = await reader.images.query()
    .select(["item_id", "image", "hash", "size", "mtime_ms", "position", "vector"]).toArrow();
  const items = await reader.items.query()
    .select(["item_id", "title", "category", "group", "metadata", "image_count"]).toArrow();
  return [rows, items] as const;
}

/** Result of {@link checkIndex}. */
export interface CheckReport {
  /** Whether no problem was found. */
  ok: boolean;
  /** Items checked. */
  items: number;
  /** Images checked. */
  images: number;
  /** Everything found wrong. */
  problems: CheckProblem[];
}

/**
 * Check that the committed index in `dir` holds exactly the catalog's items and images (same
 * content hashes, same titles and metadata), that its row counts match the manifest, and that
 * every vector is finite, of the manifest's dimension, and of unit length. Images that failed to
 * embed (listed in the manifest) are reported as such, not as drift.
 */
export async function checkIndex(
  catalog: IndexCatalog,
  dir: string,
  files: ImageFiles = FILE_SYSTEM,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const reader = await openIndex(dir);
  const problems: CheckProblem[] = [];
  try {
    const { manifest } = reader;
    const [rows, items] = await readTables(reader).catch((error) => {
      throw tableDamage(dir, "reading the tables", error, catalog.root);
    });
    if (rows.numRows !== manifest.counts.images) {
      problems.push({
        problem: `images table holds ${rows.numRows} rows, the manifest says ${manifest.counts.images}`,
      });
    }
    if (items.numRows !== manifest.counts.items) {
      problems.push({
        problem: `items table holds ${items.numRows} rows, the manifest says ${manifest.counts.items}`,
      });
    }
    const { data, dim } = readVectorColumn(rows, "vector");
    if (rows.numRows > 0 && dim !== manifest.dim) {
      problems.push({ problem: `vectors have ${dim} values, the manifest says ${manifest.dim}` });
    }
    const ids = readColumn<string>(rows, "item_id");
    const images = readColumn<string>(rows, "image");
    const hashes = readColumn<string>(rows, "hash");
    const sizes = readColumn<number>(rows, "size");
    const mtimes = readColumn<number>(rows, "mtime_ms");
    const stored = new Map<string, { hash: string; size: number; mtimeMs: number }>();
    for (let r = 0; r < rows.numRows; r++) {
      let norm = 0, finite = true;
      for (let d = 0; d < dim; d++) {
        const v = data[r * dim + d];
        if (!Number.isFinite(v)) finite = false;
        norm += v * v;
      }
      if (!finite) {
        problems.push({ item_id: ids[r], image: images[r], problem: "vector has non-finite values" });
      } else if (Math.abs(Math.sqrt(norm) - 1) > 1e-3) {
        problems.push({
          item_id: ids[r],
          image: images[r],
          problem: `vector norm ${Math.sqrt(norm).toFixed(4)}, expected 1`,
        });
      }
      const key = `${ids[r]}\u0000${images[r]}`;
      if (stored.has(key)) {
        problems.push({ item_id: ids[r], image: images[r], problem: "image stored twice" });
      }
      stored.set(key, { hash: hashes[r], size: Number(sizes[r]), mtimeMs: Number(mtimes[r]) });
    }
    const itemIds = readColumn<string>(items, "item_id");
    const metadata = readColumn<string>(items, "metadata");
    const titles = readColumn<string | null>(items, "title");
    const categories = readColumn<string | null>(items, "category");
    const groups = readColumn<string | null>(items, "group");
    const storedItems = new Map(itemIds.map((id, r) => [id, r]));
    const failed = new Set(manifest.failures.map((f) => `${f.item_id}\u0000${f.image}`));
    const inCatalog = new Set<string>();
    for (const item of catalog.items) {
      inCatalog.add(item.id);
      const r = storedItems.get(item.id);
      if (r === undefined) {
        problems.push({
          item_id: item.id,
          problem: "in the catalog but not in the index (run deno task index)",
        });
        continue;
      }
      if (
        (titles[r] ?? null) !== (item.title ?? null) || (categories[r] ?? null) !== (item.category ?? null) ||
        (groups[r] ?? null) !== (item.group ?? null) || metadata[r] !== metadataJson(item)
      ) {
        problems.push({
          item_id: item.id,
          problem: "title, category, group or metadata changed since the index was built",
        });
      }
      for (const path of item.images) {
        const image = imageKeyOf(catalog.root, path);
        const key = `${item.id}\u0000${image}`;
        const entry = stored.get(key);
        if (entry === undefined) {
          problems.push({
            item_id: item.id,
            image,
            problem: failed.has(key)
              ? "failed to embed at the last build"
              : "in the catalog but not in the index",
          });
          continue;
        }
        stored.delete(key);
        try {
          const { size, mtimeMs } = await files.stat(path);
          if (options.deep || size !== entry.size || mtimeMs !== entry.mtimeMs) {
            if (await files.hash(path) !== entry.hash) {
              problems.push({
                item_id: item.id,
                image,
                problem: "file content changed since the index was built",
              });
            }
          }
        } catch (error) {
          problems.push({ item_id: item.id, image, problem: `cannot read (${(error as Error).message})` });
        }
      }
    }
    for (const key of stored.keys()) {
      const [item_id, image] = key.split("\u0000");
      if (inCatalog.has(item_id)) {
        problems.push({ item_id, image, problem: "in the index but no longer in the item" });
      }
    }
    for (const id of itemIds) {
      if (!inCatalog.has(id)) {
        problems.push({ item_id: id, problem: "in the index but no longer in the catalog" });
      }
    }
    if (manifest.vectorFile !== undefined) {
      problems.push(
        ...await checkVectorFile(
          dir,
          manifest.vectorFile,
          ids,
          readColumn<number>(rows, "position"),
          data,
          dim,
        ),
      );
    }
    if (manifest.shortlists !== undefined) {
      problems.push(...await checkShortlistParts(dir, manifest.shortlists, itemIds));
    }
    return { ok: problems.length === 0, items: items.numRows, images: rows.numRows, problems };
  } finally {
    reader.close();
  }
}

/** The vector file holds exactly the table's vectors, item by item in position order. */
async function checkVectorFile(
  dir: string,
  manifest: VectorFileManifest,
  ids: string[],
  positions: number[],
  data: Float32Array,
  dim: number,
): Promise<CheckProblem[]> {
  const name = `vector file (${manifest.segments.map((s) => s.folder).join(", ")})`;
  let file: VectorFile;
  try {
    file = await VectorFile.open(dir, manifest, { verify: "full" });
  } catch (error) {
    return [{
      problem: `vector file damaged: ${(error as Error).message}; search uses the tables meanwhile ` +
        `and the next deno task index writes it again`,
    }];
  }
  try {
    const problems: CheckProblem[] = [];
    if (file.rows !== ids.length) {
      problems.push({ problem: `${name} holds ${file.rows} rows, the images table ${ids.length}` });
    }
    const rowsOf = Map.groupBy(ids.map((id, r) => ({ id, r })), (x) => x.id);
    for (const [id, list] of rowsOf) {
      list.sort((a, b) => positions[a.r] - positions[b.r]);
      const mapped = file.itemVectors(id);
      const same = mapped !== undefined && mapped.count === list.length &&
        list.every(({ r }, k) => {
          for (let d = 0; d < dim; d++) if (mapped.data[k * dim + d] !== data[r * dim + d]) return false;
          return true;
        });
      if (!same) {
        problems.push({
          item_id: id,
          problem: `${name} disagrees with the images table (the next deno task index writes it again)`,
        });
      }
    }
    for (const id of file.items) {
      if (!rowsOf.has(id)) problems.push({ item_id: id, problem: `in ${name} but not in the images table` });
    }
    return problems;
  } finally {
    await file.close();
  }
}

/** The stored shortlist parts verify (every SHA-256) and hold exactly the items table's items. */
async function checkShortlistParts(
  dir: string,
  entry: ShortlistPartsEntry,
  itemIds: readonly string[],
): Promise<CheckProblem[]> {
  let parts: ShortlistParts;
  try {
    parts = await ShortlistParts.open(dir, entry);
  } catch (error) {
    return [{
      problem: `stored shortlist parts damaged: ${(error as Error).message}; the centroid and fde ` +
        `shortlists compute them in each search process meanwhile, and the next deno task index writes them again`,
    }];
  }
  try {
    const problems: CheckProblem[] = [];
    const table = new Set(itemIds);
    for (const id of parts.ids) {
      if (!table.has(id)) {
        problems.push({ item_id: id, problem: `in ${entry.folder} but not in the items table` });
      }
    }
    for (const id of itemIds) {
      if (parts.rowOf(id) === undefined) {
        problems.push({
          item_id: id,
          problem: `in the items table but not in ${entry.folder} (run deno task index)`,
        });
      }
    }
    return problems;
  } finally {
    await parts.close();
  }
}
