/**
 * Image galleries (a query and its nearest neighbours, the views of a set) composed with sharp.
 *
 * Galleries show dataset photos, which are not ours to redistribute: save them under a
 * `gallery` name (ignored by git) — see the project README.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import sharp from "sharp";
 * import { composeGallery } from "./gallery.ts";
 * const red = await sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } }).png().toBuffer();
 * const png = await composeGallery([{ label: "query", images: [{ input: red, caption: "0.91" }] }]);
 * assert.ok(png.length > 0);
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
import sharp, { type OverlayOptions } from "sharp";
import { escapeXml } from "./render.ts";

/** One image in a gallery row. */
export interface GalleryImage {
  /** File path or encoded image bytes. */
  input: string | Uint8Array;
  /** Text under the image. */
  caption?: string;
  /** Outline colour (e.g. green for a correct match, red for a wrong one). */
  border?: string;
}

/** One row of a gallery. */
export interface GalleryRow {
  /** Text left of the row. */
  label?: string;
  images: GalleryImage[];
}

/** Options for {@link composeGallery}. */
export interface GalleryOptions {
  cellWidth?: number;
  cellHeight?: number;
  gap?: number;
  /** Width of the row-label column (0 when no row has a label). */
  labelWidth?: number;
  background?: string;
  title?: string;
}

/** Compose rows of images with captions into one PNG. */
export async function composeGallery(rows: GalleryRow[], options: GalleryOptions = {}): Promise<Uint8Array> {
  if (rows.length === 0) throw new RangeError("composeGallery needs at least one row");
  const cellWidth = options.cellWidth ?? 120;
  const cellHeight = options.cellHeight ?? 120;
  const gap = options.gap ?? 8;
  const captionHeight = rows.some((r) => r.images.some((im) => im.caption)) ? 16 : 0;
  const labelWidth = options.labelWidth ?? (rows.some((r) => r.label) ? 110 : 0);
  const titleHeight = options.title ? 26 : 0;
  const columns = Math.max(...rows.map((r) => r.images.length));
  const width = labelWidth + columns * (cellWidth + gap) + gap;
  const rowHeight = cellHeight + captionHeight + gap;
  const height = titleHeight + rows.length * rowHeight + gap;
  const background = options.background ?? "#ffffff";

  const composites: OverlayOptions[] = [];
  const texts: string[] = [];
  if (options.title) {
    texts.push(
      `<text x="${gap}" y="18" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  }
  for (let r = 0; r < rows.length; r++) {
    const top = titleHeight + gap + r * rowHeight;
    const row = rows[r];
    if (row.label) {
      texts.push(
        `<text x="${gap}" y="${top + cellHeight / 2}" font-size="12">${escapeXml(row.label)}</text>`,
      );
    }
    for (let c = 0; c < row.images.length; c++) {
      const image = row.images[c];
      const left = labelWidth + gap + c * (cellWidth + gap);
      let tile: Buffer;
      try {
        tile = await sharp(image.input).rotate().resize(cellWidth, cellHeight, { fit: "contain", background })
          .flatten({ background }).png().toBuffer();
      } catch (error) {
        const name = typeof image.input === "string" ? image.input : `image ${c} of row ${r}`;
        throw new Error(`cannot read gallery image ${name}: ${(error as Error).message}`);
      }
      composites.push({ input: tile, left, top });
      if (image.border) {
        texts.push(
          `<rect x="${left - 2}" y="${top - 2}" width="${cellWidth + 4}" height="${
            cellHeight + 4
          }" fill="none" stroke="${escapeXml(image.border)}" stroke-width="3"/>`,
        );
      }
      if (image.caption) {
        texts.push(
          `<text x="${left + cellWidth / 2}" y="${
            top + cellHeight + 13
          }" font-size="11" text-anchor="middle">${escapeXml(image.caption)}</text>`,
        );
      }
    }
  }
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `font-family="DejaVu Sans, sans-serif">${texts.join("")}</svg>`;
  composites.push({ input: Buffer.from(overlay), left: 0, top: 0 });
  const buffer = await sharp({ create: { width, height, channels: 3, background } })
    .composite(composites).png().toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
