/**
 * A tiny shop catalog for index/search/compare/dedup tests and the README example: five items,
 * eleven generated 64×64 photos (shapes in colours, drawn from SVG by sharp), a CSV manifest with
 * titles, categories and a brand column. `red-boot-2` is a re-shoot of `red-boot` (near-duplicate).
 * @module
 */

import { join } from "node:path";
import sharp from "sharp";

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

if (import.meta.main) {
  const { dir, manifest } = await makeShopCatalog(Deno.args[0]);
  console.log(`wrote ${manifest} (${SHOP_ITEMS.length} items) in ${dir}`);
}
