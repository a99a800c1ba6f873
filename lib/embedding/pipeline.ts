/**
 * The phases of `embedImages`, each a function over typed records, and the pipeline that runs
 * them so that the network never waits for decoding:
 *
 * 1. **plan** ({@link planEmbedding}): validate every option once → {@link EmbedPlan};
 * 2. **ingest** ({@link ingestChunk}): read and hash a chunk of inputs → {@link SourceRecord}s;
 * 3. **lookup**: cache hits become rows at once; misses are deduplicated by content hash;
 * 4. **decode** ({@link decodeSource}): sharp on libuv threads (`concurrency` in flight), the
 *    augmentation, then the model's own processor → {@link ReadyImage}s in a bounded queue;
 * 5. **infer**: the network takes `batchSize` ready images at a time while decoding refills the
 *    queue (capacity two batches, so memory stays bounded); its first call starts after 8 images,
 *    so the start-up wait is short;
 * 6. **assemble** ({@link assembleRows}): rows in input order.
 *
 * Every stage's time is recorded in {@link StageTimes}, so a benchmark can say where the time
 * goes. Vectors do not depend on how images were grouped into batches (a test checks the
 * pipeline against embedding one image at a time).
 * @module
 */

import type { Embeddings } from "../types.ts";
import type { Progress } from "../progress/mod.ts";
import { sha256Hex } from "../io/mod.ts";
import { mapLimited } from "../workers/limit.ts";
import { assertAugmentKind, augmentImage, type AugmentKind } from "./augment.ts";
import type { EmbeddingCache } from "./cache.ts";
import { type ImageEmbeddingModel, isStagedImageModel, type PreprocessedImage } from "./model.ts";
import {
  ImageInputError,
  preprocessFingerprint,
  preprocessImage,
  type PreprocessOptions,
  type ResolvedPreprocess,
  resolvePreprocess,
} from "./preprocess.ts";

/** An input that could not be embedded. */
export interface EmbedFailure {
  /** The path, or `<buffer i>` for bytes passed directly. */
  input: string;
  /** Why, in words meant for users. */
  reason: string;
}

/** Validated settings of one `embedImages` call. */
export interface EmbedPlan {
  /** Images per network call (and per cache transaction). */
  batchSize: number;
  /** Images decoded at once. */
  concurrency: number;
  /** Decoded images waiting for the network, at most. */
  queueCapacity: number;
  preprocess: ResolvedPreprocess;
  augment?: AugmentKind;
  /** Preprocessing + augmentation part of the cache key. */
  preprocessKey: string;
}

/** Options {@link planEmbedding} reads. */
export interface PlanOptions {
  batchSize?: number;
  concurrency?: number;
  preprocess?: PreprocessOptions;
  augment?: AugmentKind;
}

/** Validate options; throws `TypeError`/`RangeError` naming the bad one. */
export function planEmbedding(inputs: unknown, options: PlanOptions = {}): EmbedPlan {
  if (!Array.isArray(inputs)) {
    throw new TypeError("embedImages: inputs must be an array of paths or Uint8Arrays");
  }
  const batchSize = options.batchSize ?? 32;
  const concurrency = options.concurrency ?? 4;
  for (const [name, v] of [["batchSize", batchSize], ["concurrency", concurrency]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`embedImages: ${name} must be an integer ≥ 1, got ${v}`);
    }
  }
  if (options.augment !== undefined) assertAugmentKind(options.augment);
  const preprocess = resolvePreprocess(options.preprocess);
  return {
    batchSize,
    concurrency,
    queueCapacity: 2 * batchSize,
    preprocess,
    augment: options.augment,
    preprocessKey: preprocessFingerprint(preprocess, options.augment),
  };
}

/** An input that was read and hashed. */
export interface SourceRecord {
  position: number;
  label: string;
  /** SHA-256 of the bytes (hex): the cache key and the deduplication key. */
  hash: string;
  bytes: Uint8Array;
}

/** A decoded image ready for the network (processed already when the model is staged). */
export interface ReadyImage {
  hash: string;
  image?: PreprocessedImage;
  prepared?: Float32Array;
}

/** Milliseconds per stage. Stages run concurrently, so they may add up to more than `wall`. */
export interface StageTimes {
  /** Reading files (summed over concurrent reads). */
  read: number;
  /** SHA-256 of each input. */
  hash: number;
  /** Cache lookups. */
  lookup: number;
  /** sharp: decode + orientation + colour + fit (summed over concurrent decodes). */
  decode: number;
  /** Augmentation and the model's processor (main thread). */
  process: number;
  /** The network, wall time of its calls. */
  inference: number;
  /** Time the network sat idle waiting for decoded images. */
  waitForInput: number;
  /** Cache writes. */
  cacheWrite: number;
  /** The whole call. */
  wall: number;
}

/** An empty {@link StageTimes}. */
export function emptyStageTimes(): StageTimes {
  return {
    read: 0,
    hash: 0,
    lookup: 0,
    decode: 0,
    process: 0,
    inference: 0,
    waitForInput: 0,
    cacheWrite: 0,
    wall: 0,
  };
}

async function timed<T>(times: StageTimes, stage: keyof StageTimes, fn: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    times[stage] += performance.now() - started;
  }
}

/** Read one input (a path or bytes); throws {@link ImageInputError} with a user-facing reason. */
export async function readInput(
  input: string | Uint8Array,
  position: number,
): Promise<{ label: string; bytes: Uint8Array }> {
  if (typeof input === "string") {
    try {
      return { label: input, bytes: await Deno.readFile(input) };
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "file not found"
        : error instanceof Deno.errors.IsADirectory
        ? "is a directory"
        : `cannot read file (${(error as Error).message})`;
      throw new ImageInputError(input, reason);
    }
  }
  if (input instanceof Uint8Array) return { label: `<buffer ${position}>`, bytes: input };
  throw new ImageInputError(`<input ${position}>`, `expected a path or a Uint8Array, got ${typeof input}`);
}

function failureOf(error: unknown, fallback: string): EmbedFailure {
  const e = error as Partial<ImageInputError> & Error;
  return { input: e.input ?? fallback, reason: e.reason ?? e.message };
}

/** Phase 2: read and hash `inputs[start, start + count)`; unreadable inputs go to `failures`. */
export async function ingestChunk(
  inputs: readonly (string | Uint8Array)[],
  start: number,
  count: number,
  concurrency: number,
  failures: EmbedFailure[],
  times: StageTimes = emptyStageTimes(),
): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  const positions = Array.from({ length: Math.min(count, inputs.length - start) }, (_, k) => start + k);
  await mapLimited(positions, concurrency, async (position) => {
    try {
      const { label, bytes } = await timed(times, "read", () => readInput(inputs[position], position));
      const hash = await timed(times, "hash", () => sha256Hex(bytes));
      records.push({ position, label, hash, bytes });
    } catch (error) {
      failures.push(failureOf(error, `<input ${position}>`));
    }
  });
  return records.sort((a, b) => a.position - b.position);
}

/** Phase 4: decode, augment and (for a staged model) process one image. */
export async function decodeSource(
  source: SourceRecord,
  plan: EmbedPlan,
  model: ImageEmbeddingModel,
  times: StageTimes = emptyStageTimes(),
): Promise<ReadyImage> {
  const decoded = await timed(
    times,
    "decode",
    () => preprocessImage(source.bytes, plan.preprocess, source.label),
  );
  return await timed(times, "process", () => {
    const image = plan.augment ? augmentImage(decoded, plan.augment) : decoded;
    return isStagedImageModel(model)
      ? { hash: source.hash, prepared: model.prepareImage(image) }
      : { hash: source.hash, image };
  });
}

/** Phase 6: one row per embedded input, in input order. */
export function assembleRows(
  vectors: readonly (Float32Array | undefined)[],
  dim: number,
): { embeddings: Embeddings; index: number[] } {
  const index: number[] = [];
  vectors.forEach((v, i) => v !== undefined && index.push(i));
  const data = new Float32Array(index.length * dim);
  index.forEach((i, r) => data.set(vectors[i]!, r * dim));
  return { embeddings: { data, count: index.length, dim }, index };
}

/**
 * A FIFO with a capacity: `push` waits while it is full, `take(n)` waits until `n` items are
 * there or the producer has closed it. `abort` wakes everyone and drops what is queued.
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  private items: T[] = [];
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity ${capacity}`);
    this.capacity = capacity;
  }

  get length(): number {
    return this.items.length;
  }

  private changed(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Add an item, waiting for room. Returns false (dropping it) once the queue is closed. */
  async push(item: T): Promise<boolean> {
    while (this.items.length >= this.capacity && !this.closed) await this.wait();
    if (this.closed) return false;
    this.items.push(item);
    this.changed();
    return true;
  }

  /**
   * Up to `max` items (`max` ≤ capacity), waiting until at least `min` (default `max`) are there or
   * the queue is closed; `[]` = closed and drained.
   */
  async take(max: number, min = max): Promise<T[]> {
    const want = Math.min(max, this.capacity);
    const enough = Math.max(1, Math.min(min, want));
    while (this.items.length < enough && !this.closed) await this.wait();
    const out = this.items.splice(0, want);
    this.changed();
    return out;
  }

  /** No more items will come; queued items can still be taken. */
  close(): void {
    this.closed = true;
    this.changed();
  }

  /** Stop: drop queued items and wake everyone. */
  abort(): void {
    this.items = [];
    this.close();
  }
}

/** What the pipeline produced. */
export interface PipelineOutput {
  /** `vectors[i]`: the row of `inputs[i]`, or `undefined` if it failed. */
  vectors: (Float32Array | undefined)[];
  failures: EmbedFailure[];
  cacheHits: number;
  times: StageTimes;
}

/** Where the pipeline reads and writes. */
export interface PipelineResources {
  model: ImageEmbeddingModel;
  cache?: EmbeddingCache;
  progress?: Progress;
}

/** Limits `limit` tasks in flight; `acquire` waits for a free slot. */
class Slots {
  private free: number;
  private waiters: (() => void)[] = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async acquire(): Promise<void> {
    while (this.free === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.free--;
  }
  release(): void {
    this.free++;
    this.waiters.shift()?.();
  }
}

/** Images the network waits for before its first call (a full batch later). */
const FIRST_BATCH = 8;

/** Phases 2–5 over all inputs: ingest + lookup + decode (producer) run while the network infers. */
export async function runPipeline(
  inputs: readonly (string | Uint8Array)[],
  plan: EmbedPlan,
  { model, cache, progress }: PipelineResources,
): Promise<PipelineOutput> {
  const started = performance.now();
  const times = emptyStageTimes();
  const failures: EmbedFailure[] = [];
  const vectors: (Float32Array | undefined)[] = new Array(inputs.length);
  const queue = new BoundedQueue<ReadyImage>(plan.queueCapacity);
  // Inputs waiting for the network, by content hash: identical files are decoded and run once.
  const waiting = new Map<string, SourceRecord[]>();
  let cacheHits = 0, resolved = 0, aborted = false;
  let failure: unknown;
  const settle = (count: number) => {
    resolved += count;
    progress?.update(resolved);
  };

  const produce = async () => {
    const slots = new Slots(plan.concurrency);
    const inFlight = new Set<Promise<void>>();
    for (let start = 0; start < inputs.length && !aborted; start += plan.batchSize) {
      const before = failures.length;
      const sources = await ingestChunk(inputs, start, plan.batchSize, plan.concurrency, failures, times);
      let settled = failures.length - before;
      const found = cache === undefined
        ? new Map<string, Float32Array>()
        : await timed(times, "lookup", () =>
          cache.get(model.fingerprint, plan.preprocessKey, [
            ...new Set(sources.map((s) => s.hash)),
          ]));
      const misses: SourceRecord[] = [];
      for (const source of sources) {
        const hit = found.get(source.hash);
        if (hit !== undefined) {
          vectors[source.position] = hit;
          cacheHits++;
          settled++;
        } else if (waiting.has(source.hash)) {
          waiting.get(source.hash)!.push(source);
        } else {
          waiting.set(source.hash, [source]);
          misses.push(source);
        }
      }
      settle(settled);
      for (const source of misses) {
        await slots.acquire();
        if (aborted) {
          slots.release();
          break;
        }
        const task = decodeSource(source, plan, model, times)
          .then((ready) => queue.push(ready).then(() => undefined), (error) => {
            const same = waiting.get(source.hash) ?? [source];
            waiting.delete(source.hash);
            const reason = failureOf(error, source.label).reason;
            for (const s of same) failures.push({ input: s.label, reason });
            settle(same.length);
          })
          .finally(() => {
            slots.release();
            inFlight.delete(task);
          });
        inFlight.add(task);
      }
    }
    await Promise.all(inFlight);
  };

  const consume = async () => {
    for (let first = true;; first = false) {
      const waitStart = performance.now();
      // The first batch starts as soon as a few images are decoded (nothing overlaps the wait
      // for it); later ones are full, since the queue refills while the network runs.
      const batch = await queue.take(
        plan.batchSize,
        first ? Math.min(plan.batchSize, FIRST_BATCH) : plan.batchSize,
      );
      times.waitForInput += performance.now() - waitStart;
      if (batch.length === 0) return;
      const out = await timed(
        times,
        "inference",
        () =>
          isStagedImageModel(model) && batch.every((b) => b.prepared !== undefined)
            ? model.embedPrepared(batch.map((b) => b.prepared!))
            : model.embedImages(batch.map((b) => b.image!)),
      );
      if (out.length !== batch.length * model.dim) {
        throw new Error(`${model.name}: ${out.length} values for ${batch.length} images of dim ${model.dim}`);
      }
      const rows = batch.map((b, k) => ({
        hash: b.hash,
        vector: out.slice(k * model.dim, (k + 1) * model.dim),
      }));
      let settled = 0;
      for (const { hash, vector } of rows) {
        for (const source of waiting.get(hash) ?? []) {
          vectors[source.position] = vector;
          settled++;
        }
        waiting.delete(hash);
      }
      if (cache !== undefined) {
        await timed(times, "cacheWrite", () => cache.put(model.fingerprint, plan.preprocessKey, rows));
      }
      settle(settled);
    }
  };

  await Promise.all([
    produce().catch((error) => {
      failure ??= error;
      aborted = true;
    }).finally(() => queue.close()),
    consume().catch((error) => {
      failure ??= error;
      aborted = true;
      queue.abort();
    }),
  ]);
  if (failure !== undefined) throw failure;
  times.wall = performance.now() - started;
  failures.sort((a, b) => a.input.localeCompare(b.input));
  return { vectors, failures, cacheHits, times };
}
