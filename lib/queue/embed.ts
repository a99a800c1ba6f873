/**
 * Embedding over the queue (`deno task index … --queue URL`): an {@link ImageEmbedder} whose
 * `embed` turns the paths into BullMQ jobs of `batch` images, and the workers' handler that embeds
 * a batch with the same model (its vectors also land in that worker's embedding cache) and
 * returns the vectors. The index build does not know: it gets the same vectors, row for row, as
 * from the local embedder (float32 bytes travel as base64, unchanged).
 *
 * Photos are named relative to the catalog root (the catalog file's folder), so a worker whose
 * copy of the catalog folder sits elsewhere passes `--photos DIR`; paths outside the root travel
 * as they are. The coordinator needs the model's name, fingerprint and size only: for a local
 * model that is a hash of its ONNX file (`loadImageEmbedder` creates no inference session until
 * something is embedded, which the coordinator never does).
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { isAbsolute, join, relative } from "node:path";
import type { ImageEmbedder } from "../index/mod.ts";
import { runJobs, type RunJobsReport } from "./jobs.ts";
import { QUEUE_NAMES, type QueueUrl } from "./url.ts";

/** The input of one embedding job. */
export interface EmbedJob {
  model: string;
  fingerprint: string;
  /** The catalog root on the machine that queued the job. */
  root: string;
  /** Paths relative to `root` (absolute when outside it). */
  paths: string[];
}

/** The result of one embedding job: base64 float32 rows (null where the image failed). */
export interface EmbedJobResult {
  vectors: (string | null)[];
  /** Images of the batch that failed (by position in the job's `paths`). */
  failures: { index: number; reason: string }[];
  cacheHits: number;
}

/** Options of {@link queueImageEmbedder}. */
export interface QueueEmbedderOptions {
  /** The catalog root (paths are sent relative to it). */
  root: string;
  /** Images per job (default 32). */
  batch?: number;
  attempts?: number;
  log?: (line: string) => void;
}

/** `local`'s model and fingerprint, with `embed` done by queue workers. */
export function queueImageEmbedder(
  url: QueueUrl,
  local: ImageEmbedder,
  options: QueueEmbedderOptions,
): ImageEmbedder & { stats: RunJobsReport & { jobs: number } } {
  const batch = options.batch ?? 32;
  // What the queue did, summed over calls (the distributed benchmark reports it).
  const stats = { jobs: 0, completed: 0, duplicate_results: 0, readded: 0, busy_ms: 0 };
  return {
    stats,
    model: local.model,
    fingerprint: local.fingerprint,
    dim: local.dim,
    async embed(paths) {
      const names = paths.map((p) => {
        const rel = relative(options.root, p);
        return rel.startsWith("..") || isAbsolute(rel) ? p : rel;
      });
      const jobs = [];
      for (let start = 0; start < names.length; start += batch) {
        const data: EmbedJob = {
          model: local.model,
          fingerprint: local.fingerprint,
          root: options.root,
          paths: names.slice(start, start + batch),
        };
        const id = `embed-${createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 24)}`;
        jobs.push({ id, data, start });
      }
      const vectors: (Float32Array | undefined)[] = new Array(paths.length);
      const failures: { input: string; reason: string }[] = [];
      let cacheHits = 0;
      const starts = new Map(jobs.map((j) => [j.id, j.start]));
      stats.jobs += jobs.length;
      const report = await runJobs<EmbedJob, EmbedJobResult>({
        url,
        queue: QUEUE_NAMES.embed,
        jobs: jobs.map(({ id, data }) => ({ id, data })),
        attempts: options.attempts,
        log: options.log,
        onResult(id, result) {
          const start = starts.get(id)!;
          result.vectors.forEach((b64, k) => {
            if (b64 === null) return;
            const bytes = Buffer.from(b64, "base64");
            vectors[start + k] = new Float32Array(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
            );
          });
          for (const f of result.failures) failures.push({ input: paths[start + f.index], reason: f.reason });
          cacheHits += result.cacheHits;
          return Promise.resolve();
        },
      });
      stats.completed += report.completed;
      stats.duplicate_results += report.duplicate_results;
      stats.readded += report.readded;
      stats.busy_ms += report.busy_ms;
      return { vectors, failures, cacheHits };
    },
  };
}

/** Options of {@link embedJobHandler}. */
export interface EmbedWorkerOptions {
  /** This machine's copy of the catalog folder (default: the job's root, i.e. a shared filesystem). */
  photos?: string;
  /** Loads the embedder of a model by name (lib/index's `loadImageEmbedder`). */
  load(model: string): Promise<ImageEmbedder>;
}

/** A worker's handler of embedding jobs: models loaded once, fingerprints checked, photo roots checked once. */
export function embedJobHandler(options: EmbedWorkerOptions): (data: unknown) => Promise<EmbedJobResult> {
  const embedders = new Map<string, Promise<ImageEmbedder>>();
  const roots = new Map<string, Promise<void>>();
  return async (input) => {
    const job = input as EmbedJob;
    let embedder = embedders.get(job.model);
    if (embedder === undefined) {
      embedder = options.load(job.model);
      embedders.set(job.model, embedder);
    }
    const local = await embedder;
    if (local.fingerprint !== job.fingerprint) {
      throw new Error(
        `model ${job.model}: this worker's fingerprint ${local.fingerprint} differs from the job's ${job.fingerprint} (another model file or preprocessing); its vectors would not match`,
      );
    }
    const root = options.photos ?? job.root;
    let check = roots.get(root);
    if (check === undefined) {
      check = checkReadableFolder(root, "photos");
      roots.set(root, check);
    }
    await check;
    const paths = job.paths.map((p) => (isAbsolute(p) ? p : join(root, p)));
    // A worker whose --photos is not this machine's copy of the catalog folder finds none of a
    // batch's photos. That is the worker's fault, not the photos' (another worker may find them):
    // the try fails, saying where it looked, instead of reporting every photo as missing.
    if (options.photos !== undefined && paths.length > 0 && !(await anyFileExists(paths))) {
      throw new Error(
        `none of the job's ${paths.length} photos is under --photos ${options.photos} (looked for ${
          paths[0]
        }): --photos must be this machine's copy of the catalog folder (${job.root} on the machine that queued the work)`,
      );
    }
    const result = await local.embed(paths);
    return {
      vectors: result.vectors.map((v) =>
        v === undefined ? null : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")
      ),
      // Failures name this machine's paths; the caller knows them by position.
      failures: result.failures.map((f) => ({ index: paths.indexOf(f.input), reason: f.reason })),
      cacheHits: result.cacheHits,
    };
  };
}

async function anyFileExists(paths: string[]): Promise<boolean> {
  for (const path of paths) {
    try {
      await Deno.stat(path);
      return true;
    } catch {
      // missing or unreadable: look at the next one
    }
  }
  return false;
}

/** A clear error unless `dir` is a folder this process can list. */
export async function checkReadableFolder(dir: string, what: string): Promise<void> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error("not a folder");
    for await (const _ of Deno.readDir(dir)) break;
  } catch (error) {
    throw new Error(
      `${what} folder ${dir} cannot be read on this machine (${
        (error as Error).message
      }): a worker needs the same ${what} as the machine that queued the work, on a shared filesystem or as a copied folder (give its place with --${
        what === "photos" ? "photos" : "index"
      })`,
    );
  }
}
