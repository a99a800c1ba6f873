/**
 * Uploaded photos to a query set: each file is decoded by sharp under a pixel cap (a small file
 * that would decode to gigapixels is refused before it is decoded), re-encoded losslessly into a
 * private temporary folder, embedded with the index's model, and the folder removed.
 * @module
 */

import { join } from "node:path";
import sharp from "sharp";
import type { ImageEmbedder } from "../index/mod.ts";
import type { Embeddings } from "../types.ts";
import { HttpError } from "./http.ts";

/** An uploaded photo: the name the client gave and its bytes. */
export interface UploadedPhoto {
  name: string;
  bytes: Uint8Array;
}

/** The photos of a form field (files only), at most `maxPhotos`. */
export async function formPhotos(
  form: FormData,
  field: string,
  limits: { maxPhotos: number },
): Promise<UploadedPhoto[]> {
  const values = form.getAll(field);
  if (values.length > limits.maxPhotos) {
    throw new HttpError(
      413,
      `${field}: ${values.length} photos, the limit is ${limits.maxPhotos} per request`,
      field,
    );
  }
  const photos: UploadedPhoto[] = [];
  for (const [k, value] of values.entries()) {
    if (typeof value === "string") throw new HttpError(400, `${field} must be image files, not text`, field);
    const bytes = new Uint8Array(await value.arrayBuffer());
    if (bytes.byteLength === 0) throw new HttpError(400, `${field}[${k}] (${value.name}) is empty`, field);
    photos.push({ name: value.name || `photo-${k + 1}`, bytes });
  }
  return photos;
}

/** Decode each photo under the pixel cap and write it as PNG into `dir`; returns the paths. */
export async function decodePhotos(
  photos: readonly UploadedPhoto[],
  dir: string,
  field: string,
  limits: { maxPixels: number },
): Promise<string[]> {
  const paths: string[] = [];
  for (const [k, photo] of photos.entries()) {
    let png: Uint8Array;
    try {
      const image = sharp(photo.bytes, { limitInputPixels: limits.maxPixels, failOn: "error" });
      const meta = await image.metadata();
      if ((meta.width ?? 0) * (meta.height ?? 0) > limits.maxPixels) throw new Error("pixel limit");
      png = new Uint8Array(await image.rotate().png({ compressionLevel: 1 }).toBuffer());
    } catch (error) {
      const message = (error as Error).message;
      if (/pixel limit/i.test(message)) {
        throw new HttpError(
          413,
          `${field}[${k}] (${photo.name}) has more pixels than the limit of ${limits.maxPixels}`,
          field,
        );
      }
      throw new HttpError(400, `${field}[${k}] (${photo.name}) is not a readable image (${message})`, field);
    }
    const path = join(dir, `${String(k).padStart(4, "0")}.png`);
    await Deno.writeFile(path, png);
    paths.push(path);
  }
  return paths;
}

/** Decode, embed and clean up: the query set of uploaded photos. */
export async function embedPhotos(
  photos: readonly UploadedPhoto[],
  embedder: ImageEmbedder,
  field: string,
  limits: { maxPixels: number },
): Promise<Embeddings> {
  const dir = await Deno.makeTempDir({ prefix: "setsim-upload-" });
  try {
    const paths = await decodePhotos(photos, dir, field, limits);
    const { vectors, failures } = await embedder.embed(paths);
    if (failures.length > 0) {
      const k = paths.indexOf(failures[0].input);
      throw new HttpError(
        400,
        `${field}[${k}] (${photos[k]?.name}) cannot be embedded (${failures[0].reason})`,
        field,
      );
    }
    const data = new Float32Array(paths.length * embedder.dim);
    vectors.forEach((v, r) => data.set(v!, r * embedder.dim));
    return { data, count: paths.length, dim: embedder.dim };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
