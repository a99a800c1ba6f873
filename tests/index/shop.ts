/**
 * A tiny shop catalog for index/search/compare/dedup tests and the README example: five items,
 * eleven generated 64×64 photos (shapes in colours, drawn from SVG by sharp), a CSV manifest with
 * titles, categories and a brand column. `red-boot-2` is a re-shoot of `red-boot` (near-duplicate).
 * @module
 */

import { join } from "node:path";
import sharp from "sharp";
import { type Catalog, loadCatalog } from "../../lib/catalog/mod.ts";
import { type ImageEmbedder, loadImageEmbedder } from "../../lib/index/mod.ts";
import { runScript } from "./helpers.ts";

interface Shot {
  shape: "circle" | "stripes" | "triangle" | "square";
  color: string;
  /** Offset and scale make the views of one item differ a little. */
  dx: number;
  scale: number;
}

function svg(shot: Shot): string {
  const s = 64, c = 32 + shot.dx, r = 18 * shot.scale;
  const body = shot.shape === "circle"
    ? `<circle cx="${c}" cy="32" r="${r}" fill="${shot.color}"/>`
    : shot.shape === "square"
    ? `<rect x="${c - r}" y="${32 - r}" width="${2 * r}" height="${2 * r}" fill="${shot.color}"/>`
    : shot.shape === "triangle"
    ? `<polygon points="${c},${32 - r} ${c - r},${32 + r} ${c + r},${32 + r}" fill="${shot.color}"/>`
    : [0, 1, 2, 3].map((k) =>
      `<rect x="0" y="${k * 16 + shot.dx / 2 + 4}" width="64" height="${
        6 * shot.scale
      }" fill="${shot.color}"/>`
    ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}"><rect width="64" height="64" fill="white"/>${body}</svg>`;
}

/** The items: id, title, category, brand, shots. */
export const SHOP_ITEMS: { id: string; title: string; category: string; brand: string; shots: Shot[] }[] = [
  {
    id: "red-boot",
    title: "Red leather boot",
    category: "Boots",
    brand: "Acme",
    shots: [{ shape: "circle", color: "#c01010", dx: 0, scale: 1 }, {
      shape: "circle",
      color: "#c01010",
      dx: 6,
      scale: 0.8,
    }, {
      shape: "square",
      color: "#c01010",
      dx: 0,
      scale: 0.9,
    }],
  },
  {
    id: "red-boot-2",
    title: "Red leather boot (new photos)",
    category: "Boots",
    brand: "Acme",
    shots: [{ shape: "circle", color: "#c81818", dx: 2, scale: 1 }, {
      shape: "circle",
      color: "#c81818",
      dx: 7,
      scale: 0.8,
    }, {
      shape: "square",
      color: "#c81818",
      dx: 1,
      scale: 0.9,
    }],
  },
  {
    id: "blue-sandal",
    title: "Blue strap sandal",
    category: "Sandals",
    brand: "Bolt",
    shots: [{ shape: "stripes", color: "#1030c0", dx: 0, scale: 1 }, {
      shape: "stripes",
      color: "#1030c0",
      dx: 4,
      scale: 1.2,
    }],
  },
  {
    id: "green-shoe",
    title: "Green running shoe",
    category: "Sports Shoes",
    brand: "Bolt",
    shots: [{ shape: "triangle", color: "#10a030", dx: 0, scale: 1 }, {
      shape: "triangle",
      color: "#10a030",
      dx: -5,
      scale: 0.8,
    }],
  },
  {
    id: "yellow-sneaker",
    title: "Yellow canvas sneaker",
    category: "Sports Shoes",
    brand: "Acme",
    shots: [{ shape: "square", color: "#e0c000", dx: 0, scale: 1 }],
  },
];

/** Write one shot as a PNG. */
export async function writeShot(path: string, shot: Shot): Promise<void> {
  const png = await sharp(new TextEncoder().encode(svg(shot))).png().toBuffer();
  await Deno.writeFile(path, new Uint8Array(png));
}

/** Write the shop (images under `photos/<item>/`, `catalog.csv`) into `dir` (default: a new temp folder). */
export async function makeShopCatalog(dir?: string): Promise<{ dir: string; manifest: string }> {
  const root = dir ?? await Deno.makeTempDir({ prefix: "setsim-shop-" });
  const lines = ["item_id,image,title,category,brand"];
  for (const item of SHOP_ITEMS) {
    await Deno.mkdir(join(root, "photos", item.id), { recursive: true });
    for (const [k, shot] of item.shots.entries()) {
      const image = `photos/${item.id}/${k + 1}.png`;
      await writeShot(join(root, image), shot);
      lines.push(`${item.id},${image},${item.title},${item.category},${item.brand}`);
    }
  }
  const manifest = join(root, "catalog.csv");
  await Deno.writeTextFile(manifest, lines.join("\n") + "\n");
  return { dir: root, manifest };
}

/** The shop written to `<tmp>/shop` and indexed by `deno task index` into `<tmp>/shop.index`. */
export interface IndexedShop {
  /** The catalog folder (photos under `photos/<item>/<k>.png`). */
  dir: string;
  /** Its CSV manifest. */
  manifest: string;
  /** The index folder. */
  index: string;
  /** The environment of every task run on it: an embedding cache of its own, `<tmp>/cache`. */
  env: { SETSIM_CACHE_DIR: string };
}

/** Options of {@link indexShop}. */
export interface IndexShopOptions {
  /** Embed the titles (the task's default); false passes `--text-model none`. Default true. */
  text?: boolean;
  /** Change the catalog before it is indexed (e.g. rewrite the manifest). */
  edit?: (shop: { dir: string; manifest: string }) => Promise<void>;
}

/**
 * The shop-index setup of the index, search, dedup, report, neighbours and server tests: write the
 * shop into `<tmp>/shop` and index it with the `index` task (quiet); throws with the task's stderr
 * when it fails.
 */
export async function indexShop(tmp: string, options: IndexShopOptions = {}): Promise<IndexedShop> {
  const { dir, manifest } = await makeShopCatalog(join(tmp, "shop"));
  await options.edit?.({ dir, manifest });
  const shop = {
    dir,
    manifest,
    index: join(tmp, "shop.index"),
    env: { SETSIM_CACHE_DIR: join(tmp, "cache") },
  };
  await reindexShop(shop, options);
  return shop;
}

/** Run the `index` task on the shop again (after its catalog changed); throws when it fails. */
export async function reindexShop(
  shop: IndexedShop,
  options: Pick<IndexShopOptions, "text"> = {},
): Promise<void> {
  const args = [shop.manifest, "--index", shop.index, "--quiet"];
  if (options.text === false) args.push("--text-model", "none");
  const built = await runScript("scripts/index.ts", args, shop.env);
  if (built.code !== 0) {
    throw new Error(`deno task index ${args.join(" ")} exited ${built.code}: ${built.stderr}`);
  }
}

/** The shop loaded for in-process builds, with the image embedder. */
export interface ShopWithEmbedder {
  dir: string;
  manifest: string;
  /** The loaded catalog (every image inside the root). */
  catalog: Catalog;
  /** The image embedder, its cache in `cacheDir`. */
  embedder: ImageEmbedder;
  cacheDir: string;
}

/**
 * The shop-index setup of the in-process tests: write the shop into `<tmp>/shop`, load it, and
 * load the image embedder with a cache of its own (`<tmp>/cache`), disposed after `body`.
 */
export async function withShopEmbedder<T>(
  tmp: string,
  body: (shop: ShopWithEmbedder) => Promise<T>,
): Promise<T> {
  const { dir, manifest } = await makeShopCatalog(join(tmp, "shop"));
  const { catalog } = await loadCatalog(manifest);
  const cacheDir = join(tmp, "cache");
  const embedder = await loadImageEmbedder({ config: { cacheDir } });
  try {
    return await body({ dir, manifest, catalog, embedder, cacheDir });
  } finally {
    await embedder.dispose?.();
  }
}

if (import.meta.main) {
  const { dir, manifest } = await makeShopCatalog(Deno.args[0]);
  console.log(`wrote ${manifest} (${SHOP_ITEMS.length} items) in ${dir}`);
}
