/**
 * Where each dataset comes from and how a downloaded archive becomes the layout the loaders
 * read (`<dataDir>/<folder>/labels.csv` + images), for `deno task data <name>`.
 *
 * Installation is atomic: the archive is downloaded (resumably) to `<dataDir>/.downloads/`,
 * extracted and laid out in a staging folder, checked (file counts, labels), and only then
 * renamed to `<dataDir>/<folder>`. An existing complete folder is left alone unless `force`.
 *
 * | dataset          | source                                                         | credentials |
 * | ---------------- | -------------------------------------------------------------- | ----------- |
 * | coil100          | Columbia CAVE `coil-100.zip` (7,200 PNG `objN__A.png`)         | none        |
 * | grocery          | GitHub `marcusklasson/GroceryStoreDataset` archive (zip)       | none        |
 * | myntra_footwear  | Kaggle `paramaggarwal/fashion-product-images-small` (zip)      | Kaggle API token |
 * | myntra_footwear  | `source: "hf"`: Hugging Face mirror via the viewer's rows API  | none        |
 *
 * @example (needs the network, so not run by the doc tests)
 * ```ts ignore
 * import { installDataset } from "./sources.ts";
 * const result = await installDataset("coil100", { dataDir: "data" });
 * console.log(result.dir, result.images);
 * ```
 * @module
 */

import { basename, dirname, join, relative } from "node:path";
import sharp from "sharp";
import { resolveConfig } from "../config/mod.ts";
import { parseCsv, parseCsvRecords, toCsv } from "../io/csv.ts";
import { DatasetError, datasetInfo, type DatasetName, exists } from "./datasets.ts";
import { downloadFile, type DownloadResult, extractZip } from "./download.ts";
import { installFootwearFromHfRows } from "./hf_rows.ts";
import { parseCoil100FileName } from "./loaders.ts";
import { createProgress } from "../progress/mod.ts";

/** Where a dataset's archive is fetched from. */
export interface DatasetSource {
  /** Archive URL. */
  url: string;
  /** File name of the archive under `<dataDir>/.downloads/`. */
  archive: string;
  /** Archive size in bytes, when published. */
  size?: number;
  /** Archive SHA-256, when published. */
  sha256?: string;
  /** Number of images the layout must end up with (null: not checked). */
  expectedImages: number | null;
  /** Human-readable notes (credentials, alternatives). */
  notes: string;
}

/** The original public sources. No checksums are published for these archives, so downloads
 * are verified by their HTTP length and by the file counts of the result; the SHA-256 of what
 * was fetched is recorded in `<folder>/DOWNLOAD.json`. */
export const DATASET_SOURCES: Record<DatasetName, DatasetSource> = {
  coil100: {
    url: "https://www.cs.columbia.edu/CAVE/databases/SLAM_coil-20_coil-100/coil-100/coil-100.zip",
    archive: "coil-100.zip",
    expectedImages: 7200,
    notes: "COIL-100 as distributed: 100 objects × 72 views, 128×128 PNG",
  },
  grocery: {
    url: "https://github.com/marcusklasson/GroceryStoreDataset/archive/refs/heads/master.zip",
    archive: "GroceryStoreDataset-master.zip",
    // train 2640 + val 296 + test 2485 photos listed in dataset/{train,val,test}.txt
    expectedImages: 5421,
    notes: "the full dataset (train, val, test); the shared copy keeps val and test only",
  },
  myntra_footwear: {
    url: "https://www.kaggle.com/api/v1/datasets/download/paramaggarwal/fashion-product-images-small",
    archive: "fashion-product-images-small.zip",
    expectedImages: null,
    notes: "needs a Kaggle API token: KAGGLE_USERNAME and KAGGLE_KEY, or ~/.kaggle/kaggle.json; " +
      "without one, source hf reads the Hugging Face mirror ashraq/fashion-product-images-small " +
      "through the dataset viewer's JSON rows API (not its parquet files: no parquet decoder here)",
  },
};

/** Options of {@link installDataset}. */
export interface InstallOptions {
  /** Data directory (default: the configured one). */
  dataDir?: string;
  /** Fetch from this URL instead of the original source (a mirror). */
  url?: string;
  /** Use this local archive instead of downloading. */
  file?: string;
  /**
   * myntra_footwear only: `kaggle` (default; the zip, needs a token) or `hf` (the Hugging Face
   * mirror through the dataset viewer's rows API, no account; `url` then replaces the API root).
   */
  source?: "kaggle" | "hf";
  /** Replace an existing installation. */
  force?: boolean;
  /** Check for this many images instead of the source's count (null: do not check). */
  expectedImages?: number | null;
  /** Keep the downloaded archive in `<dataDir>/.downloads/` (default false). */
  keepArchive?: boolean;
  /** Base wait between download retries in ms (default 500; tests shorten it). */
  retryDelayMs?: number;
  progress?: boolean;
  fetch?: typeof fetch;
  /** Environment lookup (injectable for tests; used for Kaggle credentials). */
  env?: (name: string) => string | undefined;
}

/** What {@link installDataset} did. */
export interface InstallResult {
  name: DatasetName;
  dir: string;
  images: number;
  /** False when the dataset was already installed and nothing was done. */
  installed: boolean;
  download?: DownloadResult;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...(await walk(path)));
    else if (entry.isFile) out.push(path);
  }
  return out;
}

async function imageSize(path: string): Promise<{ width: number | string; height: number | string }> {
  try {
    const meta = await sharp(path).metadata();
    return { width: meta.width ?? "", height: meta.height ?? "" };
  } catch {
    // An unreadable image is still listed; the evaluation reports and drops it when embedding.
    return { width: "", height: "" };
  }
}

function checkCount(name: string, found: number, expected: number | null, what: string): void {
  if (found === 0) throw new DatasetError(`${name}: the archive holds no ${what}`);
  if (expected !== null && found !== expected) {
    throw new DatasetError(
      `${name}: the archive holds ${found} ${what}, expected ${expected}; it may be truncated`,
    );
  }
}

/** COIL-100: every `objN__A.png` into `images/`, labels from the file names. */
async function layoutCoil100(
  raw: string,
  out: string,
  expected: number | null,
  progress: boolean,
): Promise<number> {
  const files = (await walk(raw)).filter((f) => parseCoil100FileName(f) !== null).sort();
  checkCount("coil100", files.length, expected, "objN__A images");
  await Deno.mkdir(join(out, "images"), { recursive: true });
  const bar = createProgress({ label: "coil100 layout", total: files.length, silent: !progress });
  const rows = [];
  for (const file of files) {
    const { objectId, angleDeg } = parseCoil100FileName(file)!;
    const target = join("images", basename(file));
    await Deno.rename(file, join(out, target));
    rows.push({
      path: target,
      object_id: objectId,
      angle_deg: angleDeg,
      ...(await imageSize(join(out, target))),
    });
    bar.tick();
  }
  bar.done();
  rows.sort((a, b) => a.object_id - b.object_id || a.angle_deg - b.angle_deg);
  await Deno.writeTextFile(
    join(out, "labels.csv"),
    toCsv(rows, ["path", "object_id", "angle_deg", "width", "height"]),
  );
  return rows.length;
}

/** Grocery Store: `dataset/` as in the repository, labels from the split lists and classes.csv. */
async function layoutGrocery(
  raw: string,
  out: string,
  expected: number | null,
  progress: boolean,
): Promise<number> {
  const classesFile = (await walk(raw)).find((f) =>
    f.endsWith(`dataset/classes.csv`) || basename(f) === "classes.csv"
  );
  if (!classesFile) throw new DatasetError("grocery: the archive has no dataset/classes.csv");
  const datasetFolder = dirname(classesFile);
  const repoRoot = dirname(datasetFolder);
  await Deno.rename(datasetFolder, join(out, "dataset"));
  for (const extra of ["LICENSE", "README.md"]) {
    if (await exists(join(repoRoot, extra))) await Deno.rename(join(repoRoot, extra), join(out, extra));
  }
  const classRecords = parseCsvRecords(await Deno.readTextFile(join(out, "dataset", "classes.csv"))).slice(1);
  const classes = new Map<number, { fine: string; coarseId: number; coarse: string; iconic: string }>();
  for (const [fine, id, coarse, coarseId, iconic] of classRecords) {
    classes.set(Number(id), { fine, coarseId: Number(coarseId), coarse, iconic: iconic.replace(/^\//, "") });
  }
  const rows = [];
  for (const split of ["train", "val", "test"]) {
    const list = join(out, "dataset", `${split}.txt`);
    if (!(await exists(list))) continue;
    for (const line of (await Deno.readTextFile(list)).split(/\r?\n/)) {
      if (line.trim() === "") continue;
      const [path, fineId] = line.split(",").map((s) => s.trim());
      const c = classes.get(Number(fineId));
      if (!c) throw new DatasetError(`grocery: ${split}.txt names class ${fineId}, which classes.csv lacks`);
      rows.push({
        path: `dataset/${path}`,
        split,
        super_category: path.split("/")[1],
        fine_class_id: Number(fineId),
        fine_class: c.fine,
        coarse_class_id: c.coarseId,
        coarse_class: c.coarse,
        iconic_image: `dataset/${c.iconic}`,
      });
    }
  }
  checkCount("grocery", rows.length, expected, "photos listed in train/val/test.txt");
  const bar = createProgress({ label: "grocery layout", total: rows.length, silent: !progress });
  const withSizes = [];
  for (const row of rows) {
    if (!(await exists(join(out, row.path)))) {
      throw new DatasetError(`grocery: listed photo ${row.path} is missing`);
    }
    withSizes.push({ ...row, ...(await imageSize(join(out, row.path))) });
    bar.tick();
  }
  bar.done();
  await Deno.writeTextFile(join(out, "labels.csv"), toCsv(withSizes, Object.keys(withSizes[0])));
  return withSizes.length;
}

/**
 * Fashion Product Images (Small): footwear rows of `styles.csv` with their `images/<id>.jpg`.
 * Some `styles.csv` lines have unquoted commas in productDisplayName (the last column), so every
 * field after the ninth belongs to the name.
 */
async function layoutFootwear(raw: string, out: string, expected: number | null): Promise<number> {
  const all = await walk(raw);
  const styles = all.filter((f) => basename(f) === "styles.csv").sort((a, b) => a.length - b.length)[0];
  if (!styles) throw new DatasetError("myntra_footwear: the archive has no styles.csv");
  const imageDir = join(dirname(styles), "images");
  const lines = (await Deno.readTextFile(styles)).split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0].split(",");
  const expectedHeader = "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage";
  if (!lines[0].startsWith(expectedHeader)) {
    throw new DatasetError(
      `myntra_footwear: styles.csv header is "${lines[0]}", expected "${expectedHeader},..."`,
    );
  }
  const products = lines.slice(1).map((line) => {
    const fields = line.split(",");
    const row: Record<string, string> = {};
    header.slice(0, 9).forEach((name, k) => (row[name] = fields[k] ?? ""));
    row.productDisplayName = fields.slice(9).join(",");
    return row;
  });
  await Deno.writeTextFile(
    join(out, "all_products_metadata.csv"),
    toCsv(
      products,
      ["id", "productDisplayName", "masterCategory", "subCategory", "articleType", "baseColour", "usage"],
    ),
  );
  await Deno.mkdir(join(out, "images"), { recursive: true });
  const rows = [];
  for (const p of products) {
    if (p.masterCategory !== "Footwear") continue;
    const source = join(imageDir, `${p.id}.jpg`);
    if (!(await exists(source))) continue;
    const target = `images/${p.id}.jpg`;
    await Deno.rename(source, join(out, target));
    rows.push({
      path: target,
      id: p.id,
      productDisplayName: p.productDisplayName,
      masterCategory: p.masterCategory,
      subCategory: p.subCategory,
      articleType: p.articleType,
      baseColour: p.baseColour,
      usage: p.usage,
      ...(await imageSize(join(out, target))),
    });
  }
  checkCount("myntra_footwear", rows.length, expected, "footwear images");
  await Deno.writeTextFile(join(out, "labels.csv"), toCsv(rows, Object.keys(rows[0])));
  return rows.length;
}

/** Kaggle credentials from the environment or `~/.kaggle/kaggle.json`, as a Basic auth header. */
export async function kaggleAuthorization(env: (name: string) => string | undefined): Promise<string | null> {
  let username = env("KAGGLE_USERNAME");
  let key = env("KAGGLE_KEY");
  if (!username || !key) {
    const home = env("HOME");
    const file = join(env("KAGGLE_CONFIG_DIR") ?? join(home ?? "", ".kaggle"), "kaggle.json");
    if ((home || env("KAGGLE_CONFIG_DIR")) && (await exists(file))) {
      const json = JSON.parse(await Deno.readTextFile(file));
      username = json.username;
      key = json.key;
    }
  }
  if (!username || !key) return null;
  return `Basic ${btoa(`${username}:${key}`)}`;
}

function defaultEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Download (or take `file`), verify, extract and lay out a dataset under the data directory.
 * Safe to re-run: a finished installation is kept, an interrupted download resumes.
 */
export async function installDataset(name: string, options: InstallOptions = {}): Promise<InstallResult> {
  const info = datasetInfo(name);
  const source = DATASET_SOURCES[info.name];
  const dataDir = options.dataDir ?? resolveConfig().dataDir;
  const dir = join(dataDir, info.folder);
  const progress = options.progress ?? true;
  const env = options.env ?? defaultEnv;
  if (await exists(join(dir, "labels.csv"))) {
    if (!options.force) {
      const labels = join(dir, "labels.csv");
      const images = parseCsv(await Deno.readTextFile(labels), labels).length;
      return { name: info.name, dir, images, installed: false };
    }
  } else if (await exists(dir) && !options.force) {
    throw new DatasetError(`${dir} exists but has no labels.csv; remove it or pass --force to replace it`);
  }

  if (options.source === "hf") {
    if (info.name !== "myntra_footwear") {
      throw new DatasetError(`source "hf" exists only for myntra_footwear`);
    }
    const result = await installFootwearFromHfRows({
      dataDir,
      endpoint: options.url,
      progress,
      fetch: options.fetch,
      retryDelayMs: options.retryDelayMs,
    });
    return { name: info.name, dir: result.dir, images: result.images, installed: true };
  }

  let archive = options.file;
  let download: DownloadResult | undefined;
  if (!archive) {
    const headers: Record<string, string> = {};
    if (info.name === "myntra_footwear") {
      const authorization = await kaggleAuthorization(env);
      // A mirror (--url) may not need credentials; Kaggle itself always does.
      if (authorization) headers.Authorization = authorization;
      else if (!options.url) {
        throw new DatasetError(
          `myntra_footwear is downloaded from Kaggle, which needs an API token.\n` +
            `  Create one at https://www.kaggle.com/settings (API → Create New Token), then either\n` +
            `  set KAGGLE_USERNAME and KAGGLE_KEY, or save kaggle.json to ~/.kaggle/, and run again;\n` +
            `  or download the archive in a browser from https://www.kaggle.com/datasets/paramaggarwal/fashion-product-images-small\n` +
            `  and run \`deno task data myntra_footwear --file <the .zip>\`;\n` +
            `  or, without an account, run \`deno task data myntra_footwear --source hf\` (Hugging Face mirror).`,
        );
      }
    }
    archive = join(dataDir, ".downloads", source.archive);
    download = await downloadFile({
      url: options.url ?? source.url,
      dest: archive,
      sha256: options.url ? undefined : source.sha256,
      expectedSize: options.url ? undefined : source.size,
      headers,
      progress,
      fetch: options.fetch,
      retryDelayMs: options.retryDelayMs,
    });
  } else if (!(await exists(archive))) {
    throw new DatasetError(`--file ${archive} does not exist`);
  }

  const staging = join(dataDir, `.staging-${info.folder}-${Deno.pid}`);
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  const raw = join(staging, "raw");
  const out = join(staging, info.folder);
  await Deno.mkdir(out, { recursive: true });
  try {
    await extractZip(archive, raw);
    const expected = options.expectedImages !== undefined ? options.expectedImages : source.expectedImages;
    const images = info.name === "coil100"
      ? await layoutCoil100(raw, out, expected, progress)
      : info.name === "grocery"
      ? await layoutGrocery(raw, out, expected, progress)
      : await layoutFootwear(raw, out, expected);
    const record = {
      dataset: info.name,
      source: options.file ? { file: options.file } : { url: options.url ?? source.url },
      archive_sha256: download?.sha256 ?? null,
      archive_bytes: download?.bytes ?? (await Deno.stat(archive)).size,
      images,
      installed_at: new Date().toISOString(),
      terms: info.terms,
    };
    await Deno.writeTextFile(join(out, "DOWNLOAD.json"), JSON.stringify(record, null, 2) + "\n");
    if (await exists(dir)) await Deno.remove(dir, { recursive: true });
    await Deno.rename(out, dir);
    if (download && !options.keepArchive) await Deno.remove(archive);
    return { name: info.name, dir, images, installed: true, download };
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/** Relative path helper for messages. */
export function displayPath(path: string): string {
  const rel = relative(Deno.cwd(), path);
  return rel.startsWith("..") ? path : rel || ".";
}
