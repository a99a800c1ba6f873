/**
 * The no-credential route to the Myntra footwear: the Hugging Face mirror
 * `ashraq/fashion-product-images-small`, read through the Hugging Face dataset viewer's JSON
 * `/rows` API (pages of ≤ 100 rows; image cells are `{src, height, width}` with a URL to the
 * image) instead of its parquet files, for which setsim has no decoder.
 *
 * Resumable: images go to a fixed staging folder, and a re-run skips images already there.
 * Verified: every image must decode; the footwear count must match the rows the API reports.
 * Atomic: the finished layout is renamed into place in one step.
 *
 * @example (needs the network, so not run by the doc tests)
 * ```ts ignore
 * import { installFootwearFromHfRows } from "./hf_rows.ts";
 * const result = await installFootwearFromHfRows({ dataDir: "data" });
 * console.log(result.images);
 * ```
 * @module
 */

import { join } from "node:path";
import sharp from "sharp";
import { createProgress } from "../progress/mod.ts";
import { mapLimited } from "../workers/limit.ts";
import { toCsv } from "../io/csv.ts";
import { DatasetError, exists } from "./datasets.ts";
import { DownloadError, downloadFile } from "./download.ts";

/** The dataset viewer's API root. */
export const HF_ROWS_ENDPOINT = "https://datasets-server.huggingface.co";
/** The Hugging Face mirror of Fashion Product Images (Small). */
export const HF_FASHION_DATASET = "ashraq/fashion-product-images-small";

/** Options of {@link fetchHfRows}. */
export interface HfRowsOptions {
  endpoint?: string;
  dataset?: string;
  config?: string;
  split?: string;
  /** Rows per request (the API allows at most 100). */
  pageSize?: number;
  /** Attempts per page after a failure or HTTP 429/5xx (default 5). */
  retries?: number;
  fetch?: typeof fetch;
  /** Called after each page with (rows so far, total). */
  onPage?: (done: number, total: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(url: string, retries: number, doFetch: typeof fetch): Promise<unknown> {
  let last = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const response = await doFetch(url);
      if (response.ok) return await response.json();
      await response.body?.cancel();
      last = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) break;
      const wait = Number(response.headers.get("retry-after"));
      await sleep(Number.isFinite(wait) && wait > 0 ? Math.min(wait, 60) * 1000 : 500 * 2 ** attempt);
    } catch (error) {
      last = (error as Error).message;
      await sleep(200 * 2 ** attempt);
    }
  }
  throw new DownloadError(`${url}: ${last}`);
}

/** Every row of a split, page by page, as the API's `row` objects. */
export async function fetchHfRows(options: HfRowsOptions = {}): Promise<Record<string, unknown>[]> {
  const endpoint = (options.endpoint ?? HF_ROWS_ENDPOINT).replace(/\/$/, "");
  const dataset = options.dataset ?? HF_FASHION_DATASET;
  const pageSize = options.pageSize ?? 100;
  const doFetch = options.fetch ?? fetch;
  const rows: Record<string, unknown>[] = [];
  let total = Infinity;
  while (rows.length < total) {
    const url =
      `${endpoint}/rows?dataset=${encodeURIComponent(dataset)}&config=${options.config ?? "default"}` +
      `&split=${options.split ?? "train"}&offset=${rows.length}&length=${pageSize}`;
    const page = await getJson(url, options.retries ?? 5, doFetch) as {
      rows?: { row_idx: number; row: Record<string, unknown> }[];
      num_rows_total?: number;
    };
    if (!Array.isArray(page.rows) || typeof page.num_rows_total !== "number") {
      throw new DatasetError(`${url}: unexpected answer (no rows / num_rows_total)`);
    }
    total = page.num_rows_total;
    if (page.rows.length === 0) break;
    for (const { row_idx, row } of page.rows) {
      if (row_idx !== rows.length) {
        throw new DatasetError(`${url}: expected row ${rows.length}, got ${row_idx}`);
      }
      rows.push(row);
    }
    options.onPage?.(rows.length, total);
  }
  if (rows.length !== total) {
    throw new DatasetError(`the API reported ${total} rows but returned ${rows.length}`);
  }
  return rows;
}

/** Options of {@link installFootwearFromHfRows}. */
export interface HfInstallOptions {
  dataDir: string;
  /** API root (default {@link HF_ROWS_ENDPOINT}); a mirror or a test server. */
  endpoint?: string;
  /** Parallel image downloads (default 8). */
  concurrency?: number;
  /** Passed to each image's {@link downloadFile} (tests shorten it). */
  retryDelayMs?: number;
  progress?: boolean;
  fetch?: typeof fetch;
}

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

/** Install `<dataDir>/myntra_footwear` from the Hugging Face mirror (see module doc). */
export async function installFootwearFromHfRows(
  options: HfInstallOptions,
): Promise<{ dir: string; images: number; products: number }> {
  const progress = options.progress ?? true;
  const doFetch = options.fetch ?? fetch;
  const dir = join(options.dataDir, "myntra_footwear");
  const staging = join(options.dataDir, ".staging-myntra_footwear-hf");
  await Deno.mkdir(join(staging, "images"), { recursive: true });

  const pages = createProgress({ label: "rows", total: 0, silent: !progress });
  const products = await fetchHfRows({
    endpoint: options.endpoint,
    fetch: doFetch,
    onPage: (done) => pages.update(done),
  });
  pages.done();
  const footwear = products.filter((p) => p.masterCategory === "Footwear");
  const withImage = footwear.filter((p) => typeof (p.image as { src?: unknown } | null)?.src === "string");
  if (withImage.length === 0) throw new DatasetError("the Hugging Face rows hold no footwear images");

  const bar = createProgress({ label: "footwear images", total: withImage.length, silent: !progress });
  const failures: string[] = [];
  await mapLimited(withImage, options.concurrency ?? 8, async (product) => {
    const dest = join(staging, "images", `${text(product.id)}.jpg`);
    try {
      // A file present from an earlier run was complete (downloads land by rename).
      if (!(await exists(dest))) {
        await downloadFile({
          url: (product.image as { src: string }).src,
          dest,
          progress: false,
          fetch: doFetch,
          retryDelayMs: options.retryDelayMs,
        });
      }
      await sharp(dest).metadata();
    } catch (error) {
      failures.push(`${text(product.id)}: ${(error as Error).message}`);
      await Deno.remove(dest).catch(() => {});
    }
    bar.tick();
  });
  bar.done();
  if (failures.length > 0) {
    throw new DownloadError(
      `${failures.length} footwear image(s) failed, e.g. ${failures.slice(0, 3).join("; ")}; ` +
        `run the command again to fetch only those`,
    );
  }

  const rows = [];
  for (const p of withImage) {
    const meta = await sharp(join(staging, "images", `${text(p.id)}.jpg`)).metadata();
    rows.push({
      path: `images/${text(p.id)}.jpg`,
      id: text(p.id),
      productDisplayName: text(p.productDisplayName),
      masterCategory: text(p.masterCategory),
      subCategory: text(p.subCategory),
      articleType: text(p.articleType),
      baseColour: text(p.baseColour),
      usage: text(p.usage),
      width: meta.width ?? "",
      height: meta.height ?? "",
    });
  }
  await Deno.writeTextFile(join(staging, "labels.csv"), toCsv(rows, Object.keys(rows[0])));
  const columns = [
    "id",
    "productDisplayName",
    "masterCategory",
    "subCategory",
    "articleType",
    "baseColour",
    "usage",
  ];
  await Deno.writeTextFile(
    join(staging, "all_products_metadata.csv"),
    toCsv(products.map((p) => Object.fromEntries(columns.map((c) => [c, text(p[c])]))), columns),
  );
  await Deno.writeTextFile(
    join(staging, "DOWNLOAD.json"),
    JSON.stringify(
      {
        dataset: "myntra_footwear",
        source: { huggingface: HF_FASHION_DATASET, api: options.endpoint ?? HF_ROWS_ENDPOINT },
        products: products.length,
        footwear: footwear.length,
        images: rows.length,
        installed_at: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  if (await exists(dir)) await Deno.remove(dir, { recursive: true });
  await Deno.rename(staging, dir);
  return { dir, images: rows.length, products: products.length };
}
