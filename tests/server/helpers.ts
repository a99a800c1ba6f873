/**
 * Helpers of the server tests: the example shop indexed once per test file, a server on a free
 * loopback port, multipart forms of shop photos.
 * @module
 */

import { join } from "node:path";
import { makeShopCatalog } from "../index/shop.ts";
import { runScript } from "../index/helpers.ts";
import { serve, type ServeOptions, type SetsimServer } from "../../lib/server/mod.ts";

/** A built shop index in a temporary folder. */
export interface ShopIndex {
  tmp: string;
  /** The catalog folder (photos under `photos/<item>/<k>.png`) and its CSV. */
  shop: string;
  manifest: string;
  index: string;
  cacheDir: string;
}

/** Make the example shop and index it (`--text-model none` unless `text`). */
export async function buildShopIndex(options: { text?: boolean } = {}): Promise<ShopIndex> {
  const tmp = await Deno.makeTempDir({ prefix: "setsim-serve-test-" });
  const { dir, manifest } = await makeShopCatalog(join(tmp, "shop"));
  const index = join(tmp, "shop.index");
  const cacheDir = join(tmp, "cache");
  const args = [manifest, "--index", index, "--quiet", ...(options.text ? [] : ["--text-model", "none"])];
  const built = await runScript("scripts/index.ts", args, { SETSIM_CACHE_DIR: cacheDir });
  if (built.code !== 0) throw new Error(`index build failed: ${built.stderr}`);
  return { tmp, shop: dir, manifest, index, cacheDir };
}

/** Rebuild the index of `shop` (after its catalog changed). */
export async function rebuildShopIndex(shop: ShopIndex, options: { text?: boolean } = {}): Promise<void> {
  const args = [
    shop.manifest,
    "--index",
    shop.index,
    "--quiet",
    ...(options.text ? [] : ["--text-model", "none"]),
  ];
  const built = await runScript("scripts/index.ts", args, { SETSIM_CACHE_DIR: shop.cacheDir });
  if (built.code !== 0) throw new Error(`index rebuild failed: ${built.stderr}`);
}

/** Serve the shop's index on a free loopback port (quiet). */
export async function serveShop(
  shop: ShopIndex,
  options: Partial<ServeOptions> = {},
): Promise<SetsimServer> {
  return await serve({
    index: shop.index,
    port: 0,
    log: null,
    config: { cacheDir: shop.cacheDir },
    ...options,
  });
}

/** A photo of the shop as a form file. */
export async function shopPhoto(shop: ShopIndex, item: string, k: number): Promise<File> {
  const bytes = await Deno.readFile(join(shop.shop, "photos", item, `${k}.png`));
  return new File([bytes], `${item}-${k}.png`, { type: "image/png" });
}

/** A multipart form: files under their field, the rest as text. */
export function form(fields: Record<string, string | File | File[]>): FormData {
  const out = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

/** Remove the temporary folder. */
export async function removeShop(shop: ShopIndex): Promise<void> {
  await Deno.remove(shop.tmp, { recursive: true }).catch(() => {});
}

/** Assert-friendly JSON error of a response. */
export async function errorOf(
  response: Response,
): Promise<{ status: number; field?: string; message: string }> {
  const body = await response.json();
  return { status: response.status, field: body.error?.field, message: body.error?.message };
}
