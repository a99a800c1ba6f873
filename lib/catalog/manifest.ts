/**
 * Manifest catalogs: a CSV or JSONL file with one row per image (or per item with a
 * `;`-separated image list). Columns: `item_id`, `image` (relative to the manifest's folder, or
 * absolute), optional `title`, `category`, `group`; every other column is kept as metadata.
 * Rows of one item merge; a row whose title, category or group contradicts an earlier row of the
 * same `item_id` is a `duplicate-id` problem (two different items share the id) and is dropped.
 *
 * The bundled datasets' `labels.csv` files are manifests too, read here with a column mapping
 * (e.g. grocery: `item_id` ← `fine_class`), so every catalog is assembled by the same code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * const { entries, problems } = parseManifest("item_id,image,title\nboot,a.jpg;b.jpg,Boot\n,c.jpg,\n", "m.csv", "csv");
 * assert.deepEqual(entries[0].images, ["a.jpg", "b.jpg"]);
 * assert.deepEqual(problems.map((p) => [p.kind, p.line]), [["bad-row", 3]]);
 * ```
 * @module
 */

import { parseCsvLines } from "../io/csv.ts";
import { CatalogError, type CatalogProblem } from "./types.ts";

/** The catalog fields a manifest column can fill. */
export const MANIFEST_FIELDS = ["item_id", "image", "title", "category", "group"] as const;
/** One of {@link MANIFEST_FIELDS}. */
export type ManifestField = typeof MANIFEST_FIELDS[number];

/** Which column fills each field (default: the field's own name; `image` also accepts `images`). */
export type ManifestColumns = Partial<Record<ManifestField, string>>;

/** One usable manifest row. */
export interface ManifestEntry {
  /** 1-based line where the row starts (absent for entries listed from a folder). */
  line?: number;
  itemId: string;
  /** Image paths as written (relative to the manifest, or absolute). */
  images: string[];
  title?: string;
  category?: string;
  group?: string;
  /** The row's other columns. */
  extra: Record<string, string>;
}

/** Manifest file formats. */
export type ManifestFormat = "csv" | "jsonl";

/** The manifest format of a file name (`.csv`, `.jsonl`/`.ndjson`), or `null`. */
export function manifestFormat(path: string): ManifestFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return null;
}

function splitImages(value: string): string[] {
  return value.split(";").map((s) => s.trim()).filter((s) => s !== "");
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Turn one row (column → value) into an entry, or a `bad-row` problem. `imageValue` may be a
 * string (`;`-separated) or, from JSONL, an array of strings.
 */
function toEntry(
  row: Record<string, unknown>,
  columns: Required<ManifestColumns>,
  line: number,
  source: string,
): ManifestEntry | CatalogProblem {
  const bad = (why: string): CatalogProblem => ({
    kind: "bad-row",
    path: source,
    line,
    message: `${source} line ${line}: ${why}; row left out`,
  });
  const itemId = text(row[columns.item_id]).trim();
  if (itemId === "") return bad(`no ${columns.item_id}`);
  const rawImages = row[columns.image] ?? row.images;
  let images: string[];
  if (Array.isArray(rawImages)) {
    if (!rawImages.every((v) => typeof v === "string")) return bad(`${columns.image} must list file paths`);
    images = rawImages.flatMap(splitImages);
  } else {
    images = splitImages(text(rawImages));
  }
  if (images.length === 0) return { ...bad(`item "${itemId}" has no ${columns.image}`), item: itemId };
  const used = usedColumns(columns);
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) if (!used.has(key)) extra[key] = text(value);
  const optional = (field: "title" | "category" | "group") => {
    const value = text(row[columns[field]]).trim();
    return value === "" ? {} : { [field]: value };
  };
  return { line, itemId, images, ...optional("title"), ...optional("category"), ...optional("group"), extra };
}

const USED = new WeakMap<Required<ManifestColumns>, Set<string>>();

/** The columns that fill catalog fields (computed once per column map, not per row). */
function usedColumns(columns: Required<ManifestColumns>): Set<string> {
  let used = USED.get(columns);
  if (!used) USED.set(columns, used = new Set<string>([...Object.values(columns), "images"]));
  return used;
}

function resolveColumns(columns: ManifestColumns): Required<ManifestColumns> {
  return {
    item_id: columns.item_id ?? "item_id",
    image: columns.image ?? "image",
    title: columns.title ?? "title",
    category: columns.category ?? "category",
    group: columns.group ?? "group",
  };
}

/**
 * Parse manifest text into entries and `bad-row` problems.
 *
 * @throws {CatalogError} when the file as a whole is unusable: no header, no `item_id` or
 *   `image` column, or a quote left open.
 */
export function parseManifest(
  content: string,
  source: string,
  format: ManifestFormat,
  columnMap: ManifestColumns = {},
): { entries: ManifestEntry[]; problems: CatalogProblem[] } {
  const columns = resolveColumns(columnMap);
  const entries: ManifestEntry[] = [];
  const problems: CatalogProblem[] = [];
  const add = (result: ManifestEntry | CatalogProblem) => {
    if ("kind" in result) problems.push(result);
    else entries.push(result);
  };
  if (format === "csv") {
    let records;
    try {
      records = parseCsvLines(content);
    } catch (error) {
      throw new CatalogError(`manifest ${source}: ${(error as Error).message}`);
    }
    const [head, ...rows] = records;
    if (!head) throw new CatalogError(`manifest ${source} is empty (expected a header with item_id,image,…)`);
    const header = head.fields.map((h) => h.trim());
    const missing = [columns.item_id, columns.image].filter((c) => !header.includes(c));
    if (missing.length === 1 && missing[0] === columns.image && header.includes("images")) missing.pop();
    if (missing.length > 0) {
      throw new CatalogError(
        `manifest ${source} lacks column(s) ${missing.join(", ")} (its header is: ${header.join(", ")})`,
      );
    }
    for (const { fields, line } of rows) {
      if (fields.length !== header.length) {
        problems.push({
          kind: "bad-row",
          path: source,
          line,
          message:
            `${source} line ${line}: ${fields.length} fields, the header has ${header.length}; row left out`,
        });
        continue;
      }
      const row: Record<string, string> = {};
      header.forEach((name, k) => (row[name] = fields[k]));
      add(toEntry(row, columns, line, source));
    }
  } else {
    const lines = content.replace(/^\ufeff/, "").split(/\r?\n/);
    lines.forEach((raw, k) => {
      if (raw.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        problems.push({
          kind: "bad-row",
          path: source,
          line: k + 1,
          message: `${source} line ${k + 1}: not valid JSON (${(error as Error).message}); row left out`,
        });
        return;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.push({
          kind: "bad-row",
          path: source,
          line: k + 1,
          message: `${source} line ${k + 1}: expected a JSON object; row left out`,
        });
        return;
      }
      add(toEntry(value as Record<string, unknown>, columns, k + 1, source));
    });
    if (entries.length === 0 && problems.length === 0) {
      throw new CatalogError(`manifest ${source} has no rows (expected one JSON object per line)`);
    }
  }
  return { entries, problems };
}
