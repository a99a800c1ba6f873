/**
 * Turning what a user types (`--query ITEM_ID|FOLDER|FILE...`) into image sets, embedded the way
 * the index was.
 * @module
 */

import { join, resolve } from "node:path";
import { isImageFile } from "../catalog/mod.ts";
import type { ConfigOverrides } from "../config/mod.ts";
import { type ImageEmbedder, loadImageEmbedder, loadTextEmbedder } from "../index/mod.ts";
import type { Embeddings } from "../types.ts";
import type { SearchSession, SetQuery } from "./search.ts";

/** A query that cannot be resolved (no such item or file, nothing embeddable). */
export class QueryError extends Error {
  /** The error's name in messages. */
  override name = "QueryError";
  /** Exit code for CLIs: bad input. */
  exitCode = 2;
}

/** Image files of a folder (sorted, recursively), or the files themselves. */
export async function listImages(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await Deno.stat(path).catch(() => null);
    if (info === null) throw new QueryError(`${input}: no such file or folder`);
    if (info.isDirectory) {
      const found: string[] = [];
      const walk = async (dir: string) => {
        for await (const entry of Deno.readDir(dir)) {
          if (entry.name.startsWith(".")) continue;
          const child = join(dir, entry.name);
          if (entry.isDirectory) await walk(child);
          else if (isImageFile(child)) found.push(child);
        }
      };
      await walk(path);
      if (found.length === 0) throw new QueryError(`${input}: folder holds no image files`);
      out.push(...found.sort());
    } else out.push(path);
  }
  return out;
}

/** Embed image files into a set; a file that cannot be embedded is an error naming it. */
export async function embedImageSet(
  paths: string[],
  embedder: ImageEmbedder,
): Promise<Embeddings> {
  const { vectors, failures } = await embedder.embed(paths);
  if (failures.length > 0) {
    throw new QueryError(failures.map((f) => `${f.input}: ${f.reason}`).join("\n"));
  }
  const dim = embedder.dim;
  const data = new Float32Array(paths.length * dim);
  vectors.forEach((v, r) => data.set(v!, r * dim));
  return { data, count: paths.length, dim };
}

/**
 * Resolve query inputs against an index: one value naming an item of the index → that item (its
 * stored vectors); otherwise folders and image files, embedded with the index's model (a model
 * whose fingerprint differs from the index's is an error: its vectors would not be comparable).
 */
export async function resolveQuery(
  session: SearchSession,
  inputs: readonly string[],
  options: { config?: ConfigOverrides; embedder?: ImageEmbedder } = {},
): Promise<SetQuery> {
  if (inputs.length === 0) throw new QueryError("no query: give --query ITEM_ID, a folder or image files");
  if (inputs.length === 1 && await session.hasItem(inputs[0])) return await session.itemQuery(inputs[0]);
  const exists = await Promise.all(inputs.map((i) => Deno.stat(i).then(() => true, () => false)));
  const missing = inputs.filter((_, k) => !exists[k]);
  if (missing.length > 0) {
    throw new QueryError(
      `${missing.join(", ")}: neither an item of the index ${session.reader.dir} nor a file or folder`,
    );
  }
  const images = await listImages(inputs);
  const manifest = session.manifest;
  const embedder = options.embedder ??
    await loadImageEmbedder({ model: manifest.model, config: options.config });
  try {
    if (embedder.fingerprint !== manifest.fingerprint) {
      throw new QueryError(
        `the index was built with model ${manifest.model} (${manifest.fingerprint}); the query embedder is ${embedder.model} (${embedder.fingerprint})`,
      );
    }
    return { images, vectors: await embedImageSet(images, embedder) };
  } finally {
    if (options.embedder === undefined) await embedder.dispose?.();
  }
}

/** Embed a query text with the index's title model (an index without titles cannot fuse text). */
export async function embedQueryText(session: SearchSession, text: string): Promise<Float32Array> {
  const { textModel } = session.manifest;
  if (textModel === undefined) {
    throw new QueryError(`the index ${session.reader.dir} has no title vectors (its catalog has no titles)`);
  }
  const embedder = await loadTextEmbedder(textModel);
  try {
    return (await embedder.embed([text])).slice(0, embedder.dim);
  } finally {
    await embedder.dispose?.();
  }
}
