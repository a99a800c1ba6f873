/**
 * `deno task bench distributed`: the queue mode (BullMQ on a local Redis) against the same work
 * done in one process, for the two jobs it spreads: embedding (`index --queue`) and
 * similar-products lists (`neighbours --queue`).
 *
 *   deno task bench distributed [--images N] [--batch B] [--neighbours-images N] [--chunk C]
 *                               [--photos DIR] [--seed S] [--quick] [--json]
 *
 * 1. Embedding: N photos of COIL-100 (`--photos`, default `$SETSIM_DATA_DIR/coil100/images`; a
 *    seeded sample) embedded in this process (the baseline), then through the queue by 1 and by
 *    2 `deno task worker` processes (fresh embedding caches, models warmed up first), B images
 *    per job. `identical`: every vector equals the in-process one, bit for bit.
 * 2. Neighbours: a synthetic index (bench/support/synthetic.ts, no model needed) and its k = 10
 *    lists computed in this process (one thread: the baseline), then through the queue by 1 and
 *    2 workers, C items per job. `identical`: the three Parquet files are byte-identical.
 *
 * Workers, Redis and the coordinator all run on this machine: on 2 cores two workers cannot be
 * twice as fast as one (the coordinator and Redis share the cores), so the report gives the
 * overhead of a job instead: with 1 worker, (wall time − the jobs' time on the worker, from
 * BullMQ's processedOn/finishedOn) / jobs — the queue's round trips plus the coordinator's own
 * work (planning, digests, writing), spread per job — next to the time a job computes
 * (`*_busy_ms_per_job`), from which docs/distributed.md projects to N machines. `lost_jobs`: jobs queued whose result never came
 * back; `duplicate_results`: results handed over more than once (both 0 when the queue works).
 *
 * With --json stdout is one object: { benchmark, quick, figures, embed_images_per_s_local,
 * embed_images_per_s_1w, embed_images_per_s_2w, neighbours_items_per_s_local,
 * neighbours_items_per_s_1w, neighbours_items_per_s_2w, identical, lost_jobs, duplicate_results,
 * embed_overhead_ms_per_job, neighbours_overhead_ms_per_job, embed_busy_ms_per_job,
 * neighbours_busy_ms_per_job, embed_jobs, neighbours_jobs,
 * images, items, cores } (issue 22's contract fields included).
 * @module
 */

import { join } from "node:path";
import { figure, formatFigure } from "../lib/bench/mod.ts";
import { UsageError } from "../lib/cli/mod.ts";
import { defineTask, runTask } from "../lib/cli/table.ts";
import { PROJECT_ROOT, resolveConfig } from "../lib/config/mod.ts";
import { buildIndex, type ImageEmbedder, loadImageEmbedder, projectRows } from "../lib/index/mod.ts";
import { runNeighbours } from "../lib/neighbours/mod.ts";
import { queueExecutor } from "../lib/neighbours/queue.ts";
import { parseQueueUrl, queueImageEmbedder } from "../lib/queue/mod.ts";
import { startRedis, type TestRedis } from "../lib/queue/local_redis.ts";
import { createRng, sampleWithoutReplacement } from "../lib/random/mod.ts";
import { syntheticCatalog, syntheticIndexInput } from "./support/synthetic.ts";

const log = (text: string) => console.error(`bench distributed: ${text}`);

/** A `deno task worker` process, resolved once it takes jobs; its stderr is kept (last lines). */
async function startWorker(args: string[], env: Record<string, string>): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "scripts/worker.ts"), ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let ready = () => {};
  const started = new Promise<void>((resolve) => ready = resolve);
  // Read stderr to the end (a full pipe would block the worker); "taking" marks the start.
  (async () => {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes("taking")) ready();
      const all = text.split("\n");
      lines.push(...all.slice(0, -1));
      text = all.at(-1)!;
      lines.splice(0, Math.max(0, lines.length - 20));
    }
  })().catch(() => {});
  const exited = child.status.then((s) => {
    throw new Error(`worker exited (${s.code}) before taking jobs:\n${lines.join("\n")}`);
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("worker did not start in 60 s")), 60_000)
  );
  await Promise.race([started, exited, timeout]).catch((error) => {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
    throw error;
  });
  exited.catch(() => {}); // later exits are the bench's own kills
  return child;
}

async function stopWorkers(children: Deno.ChildProcess[]): Promise<void> {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  await Promise.all(children.map((c) => c.status));
  children.length = 0;
}

const equalVectors = (a: (Float32Array | undefined)[], b: (Float32Array | undefined)[]) =>
  a.length === b.length && a.every((v, k) => {
    const w = b[k];
    return v !== undefined && w !== undefined && v.length === w.length &&
      v.every((x, d) => Object.is(x, w[d]));
  });

/** One timed run through the queue, as either stage reports it. */
interface QueuedRun {
  seconds: number;
  /** Jobs queued, and those whose result came back. */
  jobs: number;
  completed: number;
  duplicates: number;
  /** Sum of the jobs' time on the workers (BullMQ's processedOn → finishedOn), ms. */
  busyMs: number;
  /** The result equals the in-process one (bits of every vector, bytes of the file). */
  identical: boolean;
}

/** A stage through the queue with 1 and then 2 workers. */
interface QueueMeasurement {
  /** Units (images, items) per second with 1 and with 2 workers. */
  perWorkers: number[];
  identical: boolean;
  jobs: number;
  lost: number;
  duplicates: number;
  /** With 1 worker: wall time not spent computing on the worker, per job; and the time computing, per job. */
  overheadMs: number;
  busyMs: number;
}

/**
 * The one loop both stages share: start N workers (N = 1, then 2), let each load its model or index
 * (`warmUp`), time `run`, stop the workers; the overhead and compute per job come from the 1-worker run.
 */
async function measureQueued(stage: {
  name: string;
  unit: string;
  units: number;
  worker: (workers: number, w: number) => { args: string[]; env: Record<string, string> };
  warmUp: (workers: number) => Promise<void>;
  run: (workers: number) => Promise<QueuedRun>;
  children: Deno.ChildProcess[];
}): Promise<QueueMeasurement> {
  const out: QueueMeasurement = {
    perWorkers: [],
    identical: true,
    jobs: 0,
    lost: 0,
    duplicates: 0,
    overheadMs: NaN,
    busyMs: NaN,
  };
  for (const workers of [1, 2]) {
    for (let w = 0; w < workers; w++) {
      const { args, env } = stage.worker(workers, w);
      stage.children.push(await startWorker(args, env));
    }
    await stage.warmUp(workers);
    const run = await stage.run(workers);
    if (workers === 1) {
      out.busyMs = run.busyMs / run.jobs;
      out.overheadMs = (run.seconds * 1000 - run.busyMs) / run.jobs;
    }
    out.perWorkers.push(stage.units / run.seconds);
    out.identical &&= run.identical;
    out.jobs = run.jobs;
    out.lost += run.jobs - run.completed;
    out.duplicates += run.duplicates;
    log(
      `${stage.name}, ${workers} worker(s): ${(stage.units / run.seconds).toFixed(1)} ${stage.unit}/s, ` +
        `identical ${out.identical}`,
    );
    await stopWorkers(stage.children);
  }
  return out;
}

async function measureEmbedding(
  redis: TestRedis,
  photos: string[],
  root: string,
  batch: number,
  tmp: string,
  children: Deno.ChildProcess[],
): Promise<QueueMeasurement & { local: number }> {
  const warm = photos.slice(0, 4), timed = photos.slice(4);
  const local = await loadImageEmbedder({ config: { cacheDir: join(tmp, "cache-local") } });
  let reference: (Float32Array | undefined)[];
  let localSeconds: number;
  // The coordinator's side: the model's name, fingerprint and size, never its embed.
  const coordinator: ImageEmbedder = {
    model: local.model,
    fingerprint: local.fingerprint,
    dim: local.dim,
    embed: () => Promise.reject(new Error("not used")),
  };
  try {
    await local.embed(warm);
    const start = performance.now();
    reference = (await local.embed(timed)).vectors;
    localSeconds = (performance.now() - start) / 1000;
  } finally {
    await local.dispose?.();
  }
  log(`embedding in process: ${(timed.length / localSeconds).toFixed(1)} images/s`);
  const url = parseQueueUrl(redis.url);
  const queued = await measureQueued({
    name: "embedding",
    unit: "images",
    units: timed.length,
    worker: (workers, w) => ({
      args: ["--queue", redis.url, "--photos", root],
      env: { SETSIM_CACHE_DIR: join(tmp, `cache-${workers}w-${w}`) },
    }),
    // A job of one image per worker, so every worker has loaded its model.
    warmUp: async (workers) => {
      await queueImageEmbedder(url, coordinator, { root, batch: 1 }).embed(warm.slice(0, workers));
    },
    run: async () => {
      const embedder = queueImageEmbedder(url, coordinator, { root, batch, log });
      const start = performance.now();
      const result = await embedder.embed(timed);
      const { jobs, completed, duplicate_results, busy_ms } = embedder.stats;
      return {
        seconds: (performance.now() - start) / 1000,
        jobs,
        completed,
        duplicates: duplicate_results,
        busyMs: busy_ms,
        identical: equalVectors(result.vectors, reference),
      };
    },
    children,
  });
  return { ...queued, local: timed.length / localSeconds };
}

async function measureNeighbours(
  redis: TestRedis,
  images: number,
  chunk: number,
  seed: number,
  tmp: string,
  children: Deno.ChildProcess[],
): Promise<QueueMeasurement & { local: number; items: number }> {
  const index = join(tmp, "synthetic.index");
  const rng = createRng(seed, "bench-distributed-sources");
  const count = 200, dim = 64;
  const data = projectRows(new Float32Array(count * dim).map(() => rng() - 0.5), dim, dim, 1);
  const synthetic = syntheticCatalog(
    { vectors: { data, count, dim }, groups: Array.from({ length: count }, (_, r) => `g${r % 10}`) },
    { images, seed },
  );
  const input = syntheticIndexInput(synthetic, { seed });
  await buildIndex(input.catalog, index, { embedder: input.embedder, files: input.files, progress: false });
  const search = { k: 10, method: "chamfer" as const };
  const quiet = { progress: false, log: () => {} };
  // Warm-up (the index's pages, the JIT), as each worker gets below.
  await runNeighbours({
    index,
    out: join(tmp, "warm.jsonl"),
    search,
    workers: 0,
    chunkSize: chunk,
    ...quiet,
  });
  const localOut = join(tmp, "local.parquet");
  const localReport = await runNeighbours({
    index,
    out: localOut,
    search,
    workers: 0,
    chunkSize: chunk,
    ...quiet,
  });
  const items = localReport.items;
  log(`neighbours in process: ${(items / localReport.seconds).toFixed(1)} items/s (${items} items)`);
  const reference = await Deno.readFile(localOut);
  const url = parseQueueUrl(redis.url);
  const queued = await measureQueued({
    name: "neighbours",
    unit: "items",
    units: items,
    worker: () => ({ args: ["--queue", redis.url, "--index", index], env: {} }),
    // One single-item job per worker (each opens its index).
    warmUp: async (workers) => {
      await runNeighbours({
        index,
        out: join(tmp, `warm-${workers}.jsonl`),
        search,
        items: synthetic.items.slice(0, workers).map((item) => item.id),
        chunkSize: 1,
        executor: queueExecutor(url, index, { log }),
        ...quiet,
      });
    },
    run: async (workers) => {
      const executor = queueExecutor(url, index, { log });
      const out = join(tmp, `queued-${workers}.parquet`);
      const report = await runNeighbours({ index, out, search, chunkSize: chunk, executor, ...quiet });
      const bytes = await Deno.readFile(out);
      return {
        seconds: report.seconds,
        jobs: report.chunks,
        completed: executor.stats.completed,
        duplicates: executor.stats.duplicate_results,
        busyMs: executor.stats.busy_ms,
        identical: bytes.length === reference.length && bytes.every((b, k) => b === reference[k]),
      };
    },
    children,
  });
  return { ...queued, local: items / localReport.seconds, items };
}

/** The benchmark's flags, help and validation (lib/cli/table.ts). */
export const distributedBench = defineTask({
  name: "bench distributed",
  purpose: "the queue mode (BullMQ on a local Redis, 1 and 2 workers) against the same work in one process",
  usage: [
    "[--images N] [--batch B] [--neighbours-images N] [--chunk C] [--photos DIR] [--seed S] [--quick] [--json]",
  ],
  flags: {
    images: {
      type: "integer",
      min: 8,
      defaultText: "100, 36 with --quick",
      description: "COIL-100 photos embedded (4 of them warm the models up)",
    },
    batch: { type: "integer", min: 1, value: "B", default: 16, description: "images per embedding job" },
    "neighbours-images": {
      type: "integer",
      min: 10,
      defaultText: "6000, 2000 with --quick",
      description: "images of the synthetic index whose lists are computed",
    },
    chunk: { type: "integer", min: 1, value: "C", default: 25, description: "items per neighbours job" },
    photos: {
      type: "string",
      value: "DIR",
      defaultText: "$SETSIM_DATA_DIR/coil100/images",
      description: "the photos to embed",
    },
    seed: {
      type: "integer",
      min: 0,
      value: "S",
      default: 22,
      description: "seed of the sample and the index",
    },
    quick: { type: "boolean", description: "the small configuration" },
    json: { type: "boolean", description: "one JSON object on stdout" },
  },
  example: "deno task bench distributed --quick --json",
});

if (import.meta.main) {
  await runTask(distributedBench, async ({ values }) => {
    const quick = values.quick;
    const images = values.images ?? (quick ? 36 : 100);
    const batch = values.batch;
    const neighbourImages = values["neighbours-images"] ?? (quick ? 2000 : 6000);
    const chunk = values.chunk;
    const seed = values.seed;
    const root = values.photos ?? join(resolveConfig().dataDir, "coil100", "images");
    let names: string[];
    try {
      names = [...Deno.readDirSync(root)].filter((e) => e.isFile && /\.(webp|png|jpe?g)$/i.test(e.name))
        .map((e) => e.name).sort();
    } catch (error) {
      throw new UsageError(
        `photos folder ${root}: ${
          (error as Error).message
        } (set SETSIM_DATA_DIR to the shared data, or give --photos DIR)`,
      );
    }
    if (names.length < images) {
      throw new UsageError(`${root} holds ${names.length} photos, fewer than --images ${images}`);
    }
    const photos = sampleWithoutReplacement(names, images, createRng(seed, "bench-distributed-photos"))
      .map((name) => join(root, name));
    const tmp = await Deno.makeTempDir({ prefix: "setsim-bench-distributed-" });
    const children: Deno.ChildProcess[] = [];
    const redis = await startRedis();
    let embed: QueueMeasurement & { local: number };
    let neighbours: QueueMeasurement & { local: number; items: number };
    try {
      embed = await measureEmbedding(redis, photos, root, batch, tmp, children);
      neighbours = await measureNeighbours(redis, neighbourImages, chunk, seed, tmp, children);
    } finally {
      await stopWorkers(children);
      await redis.stop();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
    const round = (x: number, digits = 1) => Number(x.toFixed(digits));
    const report = {
      benchmark: "distributed",
      quick,
      figures: [
        figure("embedding, 2 workers ÷ 1 worker", round(embed.perWorkers[1] / embed.perWorkers[0], 2), {
          note: "one 2-core machine: workers, Redis and the coordinator share the cores",
        }),
        figure("embedding, 1 worker ÷ in process", round(embed.perWorkers[0] / embed.local, 2)),
        figure(
          "neighbours, 2 workers ÷ 1 worker",
          round(neighbours.perWorkers[1] / neighbours.perWorkers[0], 2),
        ),
        figure("neighbours, 1 worker ÷ in process", round(neighbours.perWorkers[0] / neighbours.local, 2)),
        figure("overhead per neighbours job", round(neighbours.overheadMs), { unit: "ms" }),
        figure("overhead per embedding job", round(embed.overheadMs), { unit: "ms" }),
      ],
      embed_images_per_s_local: round(embed.local),
      embed_images_per_s_1w: round(embed.perWorkers[0]),
      embed_images_per_s_2w: round(embed.perWorkers[1]),
      neighbours_items_per_s_local: round(neighbours.local),
      neighbours_items_per_s_1w: round(neighbours.perWorkers[0]),
      neighbours_items_per_s_2w: round(neighbours.perWorkers[1]),
      identical: embed.identical && neighbours.identical,
      lost_jobs: embed.lost + neighbours.lost,
      duplicate_results: embed.duplicates + neighbours.duplicates,
      embed_overhead_ms_per_job: round(embed.overheadMs),
      neighbours_overhead_ms_per_job: round(neighbours.overheadMs),
      embed_busy_ms_per_job: round(embed.busyMs),
      neighbours_busy_ms_per_job: round(neighbours.busyMs),
      embed_jobs: embed.jobs,
      embed_images_per_job: batch,
      neighbours_jobs: neighbours.jobs,
      neighbours_items_per_job: chunk,
      images: photos.length - 4,
      items: neighbours.items,
      cores: navigator.hardwareConcurrency,
    };
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      for (const f of report.figures) console.log(formatFigure(f));
      const { figures: _, ...fields } = report;
      console.log(JSON.stringify(fields, null, 2));
    }
  });
}
