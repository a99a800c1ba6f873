/**
 * `loadCatalog`: read a catalog from a folder of item folders, a CSV/JSONL manifest, or a bundled
 * dataset's name, check every image, and return the usable items with a list of problems.
 *
 * Every form becomes a list of {@link ManifestEntry} rows first (a folder lists one entry per
 * item; a bundled dataset is its `labels.csv` read with a column mapping), and one function
 * assembles and checks them, so all catalogs follow the same rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProblems, loadCatalog } from "./load.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/boot`);
 * await Deno.writeFile(`${dir}/boot/front.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]));
 * await Deno.writeTextFile(`${dir}/boot/back.jpg`, "not a JPEG");
 * const { catalog, problems } = await loadCatalog(dir);
 * assert.deepEqual(catalog.items.map((i) => [i.id, i.images.length]), [["boot", 1]]);
 * assert.equal(problems[0].kind, "unreadable-image");
 * assert.match(formatProblems(problems), /back\.jpg/);
 * ```
 * @module
 */

import { basename, dirname, extname, isAbsolute, join, normalize, relative, resolve } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import {
  type DATASET_NAMES,
  datasetInfo,
  listDatasets,
  missingDatasetError,
  resolveDatasetName,
} from "../data/datasets.ts";
import { displayText, sha256Hex } from "../io/mod.ts";
import { checkImageFile, isImageFile } from "./images.ts";
import { mapLimited } from "../workers/limit.ts";
import { type ManifestColumns, type ManifestEntry, manifestFormat, parseManifest } from "./manifest.ts";
import { type Catalog, CatalogError, type CatalogItem, type CatalogProblem } from "./types.ts";
import { type CollectedFiles, collectFiles } from "../io/walk.ts";

/** Options of {@link loadCatalog}. */
export interface LoadCatalogOptions {
  /** Data directory of the bundled datasets (default: the configured one, SETSIM_DATA_DIR). */
  dataDir?: string;
  /**
   * How images are checked: `"signature"` (default) opens each file and checks its format
   * signature; `"exists"` only checks that it exists; `"none"` trusts the listing.
   */
  check?: "signature" | "exists" | "none";
  /** Files checked at once (default 32). */
  concurrency?: number;
  /** Catalog name (default: the dataset name, or the folder's / manifest's name). */
  name?: string;
  /**
   * Accept images outside the catalog's root folder once links are resolved (default true: the
   * evaluation reads folders of links to photos elsewhere). `deno task index` passes false unless
   * `--allow-outside-root`: such images are then `outside-root` problems and never opened, so a
   * manifest cannot make a build read `/etc/shadow` or put a picture from elsewhere into a shareable
   * search or dedup report.
   */
  allowOutsideRoot?: boolean;
}

/** What {@link loadCatalog} returns: the usable catalog and everything that was left out. */
export interface LoadedCatalog {
  /** The catalog: every item with at least one usable image. */
  catalog: Catalog;
  /** Everything left out or worth knowing, by file and manifest line. */
  problems: CatalogProblem[];
}

/** File names looked for inside a folder to treat it as a manifest catalog, in this order. */
export const MANIFEST_NAMES = ["catalog.csv", "catalog.jsonl", "manifest.csv", "manifest.jsonl"] as const;

/**
 * How each bundled dataset is a catalog: its `labels.csv` read as a manifest with these columns.
 * coil100: item = object; grocery: item = fine class (category = super-category, group = coarse
 * class); myntra_footwear: item = product (title = productDisplayName, category = group =
 * articleType).
 */
export const DATASET_CATALOG_COLUMNS: Record<typeof DATASET_NAMES[number], ManifestColumns> = {
  coil100: { item_id: "object_id", image: "path" },
  grocery: { item_id: "fine_class", image: "path", category: "super_category", group: "coarse_class" },
  myntra_footwear: {
    item_id: "id",
    image: "path",
    title: "productDisplayName",
    category: "articleType",
    group: "articleType",
  },
};

/**
 * Merge entries into items (rows of one id merge; a contradicting title/category/group is a
 * `duplicate-id`; an image listed twice is a `duplicate-image`), resolving image paths against
 * `root`. Pure: no file is read.
 */
export function assembleItems(
  entries: readonly ManifestEntry[],
  root: string,
): { items: CatalogItem[]; problems: CatalogProblem[] } {
  const problems: CatalogProblem[] = [];
  const byId = new Map<
    string,
    { item: CatalogItem; line?: number; rows: Record<string, string>[]; seen: Set<string> }
  >();
  for (const entry of entries) {
    const at = entry.line !== undefined ? `line ${entry.line}` : "its listing";
    let slot = byId.get(entry.itemId);
    if (slot) {
      const clash = (["title", "category", "group"] as const).find((field) =>
        entry[field] !== undefined && slot!.item[field] !== undefined && entry[field] !== slot!.item[field]
      );
      if (clash) {
        problems.push({
          kind: "duplicate-id",
          line: entry.line,
          item: entry.itemId,
          message:
            `item_id "${entry.itemId}" on ${at} has ${clash} "${entry[clash]}" but line ${slot.line} gave ` +
            `"${slot.item[clash]}": two different items share this id; the later row is left out`,
        });
        continue;
      }
      for (const field of ["title", "category", "group"] as const) slot.item[field] ??= entry[field];
    } else {
      const item: CatalogItem = { id: entry.itemId, images: [], metadata: {} };
      for (const field of ["title", "category", "group"] as const) {
        if (entry[field] !== undefined) item[field] = entry[field];
      }
      slot = { item, line: entry.line, rows: [], seen: new Set() };
      byId.set(entry.itemId, slot);
    }
    for (const image of entry.images) {
      // `root` is absolute, so join (no process.cwd() lookup per image, unlike resolve) suffices.
      const path = isAbsolute(image) ? normalize(image) : join(root, image);
      if (slot.seen.has(path)) {
        problems.push({
          kind: "duplicate-image",
          path,
          line: entry.line,
          item: entry.itemId,
          message: `image ${path} is listed twice for item "${entry.itemId}" (${at}); kept once`,
        });
        continue;
      }
      slot.item.images.push(path);
      slot.seen.add(path);
      slot.rows.push(entry.extra);
    }
  }
  const items: CatalogItem[] = [];
  for (const { item, rows } of byId.values()) {
    const keys = new Set(rows.flatMap((r) => Object.keys(r)));
    if (keys.size > 0) {
      for (const key of keys) {
        const first = rows[0][key] ?? "";
        if (rows.every((r) => (r[key] ?? "") === first)) item.metadata[key] = first;
      }
      item.imageMetadata = rows;
    }
    items.push(item);
  }
  return { items, problems };
}

/**
 * Check every image of every item (see {@link LoadCatalogOptions.check}); unreadable images are
 * left out, and items left with none are dropped as `no-images`.
 */
export async function checkItems(
  items: readonly CatalogItem[],
  lines: ReadonlyMap<string, number | undefined>,
  options: Pick<LoadCatalogOptions, "check" | "concurrency"> = {},
): Promise<{ items: CatalogItem[]; problems: CatalogProblem[] }> {
  const check = options.check ?? "signature";
  const problems: CatalogProblem[] = [];
  const flat = items.flatMap((item) => item.images.map((path) => ({ item, path })));
  const results = check === "none" ? flat.map(() => null) : await mapLimited(
    flat,
    options.concurrency ?? 32,
    async ({ item, path }) => {
      const where = {
        item: item.id,
        ...(lines.get(item.id) !== undefined ? { line: lines.get(item.id) } : {}),
      };
      if (check === "signature") return await checkImageFile(path, where);
      try {
        await Deno.stat(path);
        return null;
      } catch {
        return {
          kind: "missing-file",
          path,
          ...where,
          message: `image ${path} of item "${item.id}" does not exist; left out`,
        } as CatalogProblem;
      }
    },
  );
  const bad = new Set<number>();
  results.forEach((problem, k) => {
    if (problem) {
      problems.push(problem);
      bad.add(k);
    }
  });
  const kept: CatalogItem[] = [];
  let k = 0;
  for (const item of items) {
    const keep: number[] = [];
    for (let i = 0; i < item.images.length; i++, k++) if (!bad.has(k)) keep.push(i);
    if (keep.length === 0) {
      problems.push({
        kind: "no-images",
        item: item.id,
        ...(lines.get(item.id) !== undefined ? { line: lines.get(item.id) } : {}),
        message: `item "${item.id}" has no readable image; left out`,
      });
      continue;
    }
    if (keep.length === item.images.length) {
      kept.push(item);
    } else {
      kept.push({
        ...item,
        images: keep.map((i) => item.images[i]),
        ...(item.imageMetadata ? { imageMetadata: keep.map((i) => item.imageMetadata![i]) } : {}),
      });
    }
  }
  return { items: kept, problems };
}

/**
 * Leave out every image that is not inside `root` once links are resolved (lexically outside, or a
 * link whose target is), as an `outside-root` problem; items left with no image are dropped. Only
 * paths are resolved: no image is opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confineToRoot } from "./load.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.png`, "x");
 * await Deno.symlink("/etc/hostname", `${root}/link.png`);
 * const items = [{ id: "i", images: [`${root}/a.png`, `${root}/link.png`, "/etc/shadow"], metadata: {} }];
 * const { items: kept, problems } = await confineToRoot(items, root, new Map());
 * assert.deepEqual(kept[0].images, [`${root}/a.png`]);
 * assert.deepEqual(problems.map((p) => p.kind), ["outside-root", "outside-root"]);
 * ```
 */
export async function confineToRoot(
  items: readonly CatalogItem[],
  root: string,
  lines: ReadonlyMap<string, number | undefined>,
): Promise<{ items: CatalogItem[]; problems: CatalogProblem[] }> {
  const realRoot = await Deno.realPath(root).catch(() => resolve(root));
  const inside = (base: string, path: string) => {
    const rel = relative(base, path);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  };
  const problems: CatalogProblem[] = [];
  const kept: CatalogItem[] = [];
  for (const item of items) {
    const where = {
      item: item.id,
      ...(lines.get(item.id) !== undefined ? { line: lines.get(item.id) } : {}),
    };
    const keep: number[] = [];
    for (const [k, path] of item.images.entries()) {
      // A missing file is left to the existence check; its path must still be inside the root.
      const real = await Deno.realPath(path).catch(() => undefined);
      if (inside(root, path) && (real === undefined || inside(realRoot, real))) {
        keep.push(k);
        continue;
      }
      problems.push({
        kind: "outside-root",
        path,
        ...where,
        message: `image ${path} of item "${item.id}" is outside the catalog folder ${root}${
          real !== undefined && real !== path ? ` (it resolves to ${real})` : ""
        }; left out (pass --allow-outside-root to index it)`,
      });
    }
    if (keep.length === item.images.length) kept.push(item);
    else if (keep.length > 0) {
      kept.push({
        ...item,
        images: keep.map((k) => item.images[k]),
        ...(item.imageMetadata ? { imageMetadata: keep.map((k) => item.imageMetadata![k]) } : {}),
      });
    } else {
      problems.push({
        kind: "no-images",
        ...where,
        message: `item "${item.id}" has no image inside the catalog folder; left out`,
      });
    }
  }
  return { items: kept, problems };
}

/** Files under an item folder; links followed, loops and broken links skipped with a reason (lib/io). */
async function walkFiles(dir: string): Promise<CollectedFiles> {
  return await collectFiles([dir], { skipHidden: true });
}

/** List a folder of item folders as entries (one per item, images sorted by relative path). */
export async function listFolderEntries(
  root: string,
): Promise<{ entries: ManifestEntry[]; problems: CatalogProblem[] }> {
  const entries: ManifestEntry[] = [];
  const problems: CatalogProblem[] = [];
  const children: { name: string; dir: boolean }[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.name.startsWith(".")) continue;
    const path = join(root, entry.name);
    const dir = entry.isDirectory ||
      (entry.isSymlink && !!(await Deno.stat(path).catch(() => null))?.isDirectory);
    children.push({ name: entry.name, dir });
  }
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, dir } of children) {
    const path = join(root, name);
    if (!dir) {
      if (isImageFile(name)) {
        problems.push({
          kind: "stray-file",
          path,
          message: `image ${path} is not inside an item folder (one sub-folder per item); ignored`,
        });
      }
      continue;
    }
    const walked = await walkFiles(path);
    for (const skip of walked.skipped) {
      const broken = skip.reason.startsWith("broken");
      problems.push({
        kind: broken ? "missing-file" : "unsupported-file",
        path: skip.path,
        item: name,
        message: `${skip.path} in item "${name}": ${skip.reason}; left out`,
      });
    }
    const files = walked.files.sort((a, b) => {
      const x = relative(path, a), y = relative(path, b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const images: string[] = [];
    for (const file of files) {
      if (isImageFile(file)) {
        images.push(file);
      } else {
        problems.push({
          kind: "unsupported-file",
          path: file,
          item: name,
          message: `${file} in item "${name}" is not a supported image (${
            extname(file) || "no extension"
          }); ignored`,
        });
      }
    }
    if (images.length === 0) {
      problems.push({
        kind: "no-images",
        path,
        item: name,
        message: `item folder ${path} holds no image; left out`,
      });
      continue;
    }
    entries.push({ itemId: name, images, extra: {} });
  }
  return { entries, problems };
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function looksLikePath(text: string): boolean {
  return /[\\/]/.test(text) || text.startsWith(".") || text.startsWith("~") || manifestFormat(text) !== null;
}

function isDatasetName(text: string): boolean {
  try {
    resolveDatasetName(text);
    return true;
  } catch {
    return false;
  }
}

/** Is `pathOrName` the name (or alias) of a bundled dataset rather than a path? */
export function isBundledDataset(pathOrName: string): boolean {
  return !looksLikePath(pathOrName) && isDatasetName(pathOrName);
}

/**
 * What `--dataset` names: a bundled dataset's canonical name (for a name or alias), else the
 * catalog's absolute path (not checked here; {@link loadCatalog} reports a missing one).
 */
export function resolveCatalogName(pathOrName: string): string {
  if (isBundledDataset(pathOrName)) return resolveDatasetName(pathOrName);
  return resolve(pathOrName.replace(/^~(?=$|\/)/, Deno.env.get("HOME") ?? "~"));
}

function missingCatalogError(pathOrName: string, path: string): CatalogError {
  if (looksLikePath(pathOrName)) return new CatalogError(`catalog ${path} does not exist`);
  const known = listDatasets().map((d) => [d.name, ...d.aliases].join("/")).join(", ");
  return new CatalogError(
    `unknown dataset "${pathOrName}": not a bundled dataset (known datasets: ${known}) and no catalog at ${path}`,
  );
}

/**
 * {@link resolveCatalogName}, checking that a catalog path exists (for CLIs to fail before any
 * work). A bundled dataset's files are checked when it is loaded.
 *
 * @throws {CatalogError} naming the path, and the known datasets for a bare unknown name.
 */
export async function checkCatalogName(pathOrName: string): Promise<string> {
  const name = resolveCatalogName(pathOrName);
  if (!isBundledDataset(pathOrName) && !(await statOrNull(name))) throw missingCatalogError(pathOrName, name);
  return name;
}

async function readManifestEntries(path: string, columns: ManifestColumns = {}) {
  const format = manifestFormat(path);
  if (!format) throw new CatalogError(`manifest ${path}: expected a .csv or .jsonl file`);
  return parseManifest(await Deno.readTextFile(path), path, format, columns);
}

/**
 * Load a catalog.
 *
 * - a bundled dataset's name or alias (`coil100`, `grocery`, `myntra_footwear`, …) reads its
 *   `labels.csv` under the data directory ({@link DATASET_CATALOG_COLUMNS});
 * - a `.csv` / `.jsonl` file is a manifest (image paths relative to the manifest's folder);
 * - a folder holding `catalog.csv`, `catalog.jsonl`, `manifest.csv` or `manifest.jsonl` is that
 *   manifest; any other folder has one sub-folder per item (item id = folder name, images
 *   found recursively inside; hidden files ignored).
 *
 * A name that is also a folder in the working directory means the dataset; write `./coil100`
 * for the folder.
 *
 * @throws {CatalogError} (exit code 2) when nothing usable is there: no such path, a manifest
 *   without `item_id`/`image` columns, or no item with a readable image.
 */
export async function loadCatalog(
  pathOrName: string,
  options: LoadCatalogOptions = {},
): Promise<LoadedCatalog> {
  let entries: ManifestEntry[];
  let problems: CatalogProblem[];
  let root: string;
  let name: string;
  let source: Catalog["source"];
  if (isBundledDataset(pathOrName)) {
    const info = datasetInfo(pathOrName);
    const dataDir = options.dataDir ?? resolveConfig().dataDir;
    root = resolve(dataDir, info.folder);
    const labels = join(root, "labels.csv");
    if (!(await statOrNull(labels))) throw missingDatasetError(info.name, dataDir, labels);
    ({ entries, problems } = await readManifestEntries(labels, DATASET_CATALOG_COLUMNS[info.name]));
    name = info.name;
    source = { kind: "dataset", path: labels };
  } else {
    const path = resolveCatalogName(pathOrName);
    const info = await statOrNull(path);
    if (!info) throw missingCatalogError(pathOrName, path);
    let manifest: string | null = info.isFile ? path : null;
    if (info.isDirectory) {
      for (const candidate of MANIFEST_NAMES) {
        if ((await statOrNull(join(path, candidate)))?.isFile) {
          manifest = join(path, candidate);
          break;
        }
      }
    }
    if (manifest) {
      root = dirname(manifest);
      ({ entries, problems } = await readManifestEntries(manifest));
      const stem = basename(manifest, extname(manifest));
      name = (MANIFEST_NAMES as readonly string[]).includes(basename(manifest)) ? basename(root) : stem;
      source = { kind: "manifest", path: manifest };
    } else {
      root = path;
      ({ entries, problems } = await listFolderEntries(path));
      name = basename(path);
      source = { kind: "folder", path };
    }
  }
  const assembled = assembleItems(entries, root);
  const firstLine = new Map<string, number | undefined>();
  for (const entry of entries) if (!firstLine.has(entry.itemId)) firstLine.set(entry.itemId, entry.line);
  const confined = options.allowOutsideRoot ?? true
    ? { items: assembled.items, problems: [] }
    : await confineToRoot(assembled.items, root, firstLine);
  const checked = await checkItems(confined.items, firstLine, options);
  const all = [...problems, ...assembled.problems, ...confined.problems, ...checked.problems].map((p) =>
    p.path === undefined && source.kind !== "folder" && p.line !== undefined ? { ...p, path: source.path } : p
  );
  if (checked.items.length === 0) {
    throw new CatalogError(
      `catalog ${source.path} has no usable item${
        all.length > 0 ? `:\n${formatProblems(all, { max: 10 })}` : ""
      }`,
    );
  }
  return { catalog: { name: options.name ?? name, root, items: checked.items, source }, problems: all };
}

/**
 * A fingerprint of a catalog as it is on disk now: SHA-256 over its items (ids, titles,
 * categories, groups, metadata, image paths) and each image's size and modification time. Any
 * added, removed, renamed or rewritten image or changed manifest row changes it; for journals
 * (the sweep) that must not reuse results of an earlier state of the catalog. No image is read.
 */
export async function catalogFingerprint(
  pathOrName: string,
  options: LoadCatalogOptions = {},
): Promise<string> {
  const { catalog } = await loadCatalog(pathOrName, { ...options, check: "none" });
  const images = catalog.items.flatMap((item) => item.images);
  const stats = await mapLimited(images, options.concurrency ?? 32, async (path) => {
    const info = await statOrNull(path);
    return info ? [info.size, info.mtime?.getTime() ?? 0] : null;
  });
  const items = catalog.items.map(({ imageMetadata: _, ...item }) => item);
  return await sha256Hex(new TextEncoder().encode(JSON.stringify({ items, stats })));
}

/**
 * A human-readable report: a count per problem kind, then one line per problem (at most `max`,
 * default 20, then "… and N more"). Empty string when there is nothing to report.
 */
export function formatProblems(problems: readonly CatalogProblem[], options: { max?: number } = {}): string {
  if (problems.length === 0) return "";
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
  const max = options.max ?? 20;
  const lines = [
    `${problems.length} catalog problem(s): ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(", ")}`,
    // Paths and ids come from the user's files: control characters are shown escaped.
    ...problems.slice(0, max).map((p) => `  ${p.kind}: ${displayText(p.message)}`),
  ];
  if (problems.length > max) lines.push(`  … and ${problems.length - max} more`);
  return lines.join("\n");
}
