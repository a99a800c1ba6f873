/**
 * Helpers of the server tests: the example shop indexed once per test file, a server on a free
 * loopback port, multipart forms of shop photos.
 * @module
 */

import { join } from "node:path";
import { indexShop, reindexShop } from "../index/shop.ts";
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
  const { dir, manifest, index, env } = await indexShop(tmp, { text: options.text ?? false });
  return { tmp, shop: dir, manifest, index, cacheDir: env.SETSIM_CACHE_DIR };
}

/** Rebuild the index of `shop` (after its catalog changed). */
export async function rebuildShopIndex(shop: ShopIndex, options: { text?: boolean } = {}): Promise<void> {
  await reindexShop(
    { dir: shop.shop, manifest: shop.manifest, index: shop.index, env: { SETSIM_CACHE_DIR: shop.cacheDir } },
    { text: options.text ?? false },
  );
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
