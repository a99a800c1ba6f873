/**
 * `deno task bench serve`: `setsim serve` under load over 127.0.0.1, and a rebuild hot-reloaded under load.
 *
 *   deno task bench serve [--images N] [--source myntra|random] [--dim D] [--seed S] [--queries Q]
 *                         [--requests R] [--seconds T] [--work DIR] [--quick] [--json]
 *
 * 1. A synthetic catalog of N images (default 100,000; bench/support/synthetic.ts, as `bench catalog`)
 *    from the Myntra footwear embeddings (`--source myntra`, the default: the Myntra index is built
 *    first, embedding 9,197 images unless `--work DIR` already holds `myntra.index`) or from seeded
 *    random clustered vectors (`--source random`: no embedding, for quick runs), indexed.
 * 2. The server runs as its own process (`scripts/serve.ts`, as users run it) on a free loopback
 *    port. A bounded in-process load generator asks `GET /items/{id}/similar?k=10` for random items
 *    at concurrency 1, 8 and 32: a fixed number of requests per level (`--requests`, ×4 at 8 and 32)
 *    or `--seconds` per level, whichever ends first. QPS and p50/p95/p99 latency per level.
 * 3. Recall: recall@10 against `--exact` of the served results and of an in-process
 *    `SearchSession.search` with the same options (they must be equal: one code path), and the share
 *    of queries whose served top 10 is identical to the in-process one.
 * 4. Reload under load: concurrency 8 while 1 % of the items get new images and the index is rebuilt
 *    (incrementally, in this process) and committed; the server switches between requests.
 *    `reload_errors`: failed requests in this phase plus failed reloads the server counts;
 *    `mixed_version_responses`: responses whose header and body name different versions, a client
 *    that sees an older version after a newer one, or a probe query (a changed item) whose answer
 *    differs from that version's answer measured alone before and after.
 * `peak_rss_mb` is the server process's peak resident memory (VmHWM).
 *
 * With --json stdout is one object: { benchmark, quick, figures, images, items, source, qps_c1,
 * qps_c8, qps_c32, p50_ms_c1, p95_ms_c1, p99_ms_c1, … p99_ms_c32, errors, reload_errors,
 * mixed_version_responses, peak_rss_mb, recall_at_10_served, recall_at_10_search,
 * served_equals_search, reload: { requests, versions, seconds }, cores }.
 * Targets (issue 21): p95 ≤ 30 ms at concurrency 1, ≥ 100 QPS at 8 on 2 cores, 0 errors, 0 mixed.
 * @module
 */

import { join } from "node:path";
import { figure, formatFigure, percentile } from "../lib/bench/mod.ts";
import { loadCatalog } from "../lib/catalog/mod.ts";
import { parseFlags, parseIntegerFlag, runCli, UsageError } from "../lib/cli/mod.ts";
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import {
  buildIndex,
  loadImageEmbedder,
  openIndex,
  readColumn,
  readVectorColumn,
  whilePending,
} from "../lib/index/mod.ts";
import { createRng, sampleWithoutReplacement } from "../lib/random/mod.ts";
import { SearchSession } from "../lib/search/mod.ts";
import { syntheticCatalog, syntheticIndexInput, type SyntheticSources } from "./support/synthetic.ts";
import type { Embeddings } from "../lib/types.ts";

const log = (text: string) => console.error(`bench serve: ${text}`);

/** One answered request of the load generator. */
interface Sample {
  ms: number;
  ok: boolean;
  /** X-Index-Version and the body's index_version. */
  header?: string;
  body?: string;
  query: string;
  /** The top results as "id score" lines (for probe checks). */
  answer?: string;
  ids?: string[];
}

/** Seeded clustered unit vectors: `groups` centres, rows = centre + noise (a stand-in for real embeddings). */
function randomSources(dim: number, seed: number, rows = 6000, groups = 40): SyntheticSources {
  const rng = createRng(seed, "bench-serve-sources");
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: groups }, () => Float32Array.from({ length: dim }, gauss));
  const data = new Float32Array(rows * dim);
  const labels: string[] = [];
  for (let r = 0; r < rows; r++) {
    const g = r % groups;
    labels.push(`group-${g}`);
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = centres[g][d] + 0.8 * gauss();
      data[r * dim + d] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) data[r * dim + d] *= inv;
  }
  const vectors: Embeddings = { data, count: rows, dim };
  return { vectors, groups: labels };
}

/** The Myntra footwear embeddings grouped by article type (building their index when it is missing). */
async function myntraSources(work: string, json: boolean): Promise<SyntheticSources> {
  const dir = join(work, "myntra.index");
  const exists = await Deno.stat(join(dir, "setsim-index.json")).then(() => true, () => false);
  if (!exists) {
    log("building the Myntra index (embeds 9,197 images once; reuse it with --work DIR)");
    const { catalog } = await loadCatalog("myntra_footwear");
    const embedder = await loadImageEmbedder();
    try {
      await whilePending("myntra index", () => buildIndex(catalog, dir, { embedder, progress: !json }));
    } finally {
      await embedder.dispose?.();
    }
  }
  const reader = await openIndex(dir);
  try {
    const rows = await reader.images.query().select(["vector", "group"]).toArrow();
    const { data, dim } = readVectorColumn(rows, "vector");
    const groups = readColumn<string | null>(rows, "group").map((g) => g ?? "");
    return { vectors: { data, count: rows.numRows, dim }, groups };
  } finally {
    reader.close();
  }
}

/** A free loopback port (bound and released; the server binds it next). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The server as its own process, as users run it; resolves once /health answers. */
async function startServer(index: string, port: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(PROJECT_ROOT, "scripts", "serve.ts"),
      "--index",
      index,
      "--port",
      String(port),
      "--reload-ms",
      "100",
      "--max-concurrent",
      "256",
    ],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr: string[] = [];
  (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr.push(chunk);
  })().catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (true) {
    const ok = await fetch(`${url}/health`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the server did not start in 120 s:\n${stderr.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    peakRssMb(): number {
      try {
        const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
        return Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;
      } catch {
        return NaN;
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 5000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

/** One request: latency, status, versions, the top ids and the answer text. */
async function similar(url: string, id: string): Promise<Sample> {
  const start = performance.now();
  try {
    const response = await fetch(`${url}/items/${encodeURIComponent(id)}/similar?k=10`);
    const body = await response.json();
    const ms = performance.now() - start;
    if (!response.ok) return { ms, ok: false, query: id };
    const results = body.results as { item_id: string; score: number | null }[];
    return {
      ms,
      ok: true,
      query: id,
      header: response.headers.get("x-index-version") ?? undefined,
      body: body.index_version,
      ids: results.map((r) => r.item_id),
      answer: results.map((r) => `${r.item_id} ${r.score}`).join("\n"),
    };
  } catch {
    return { ms: performance.now() - start, ok: false, query: id };
  }
}

/**
 * Bounded load: `concurrency` clients take the next query until `requests` were sent or `seconds`
 * passed (or `until()` says stop), each waiting for its answer before the next.
 */
async function load(
  url: string,
  queries: readonly string[],
  options: { concurrency: number; requests: number; seconds: number; until?: () => boolean },
): Promise<{ samples: Sample[][]; seconds: number }> {
  let next = 0;
  const end = performance.now() + options.seconds * 1000;
  const start = performance.now();
  const client = async () => {
    const samples: Sample[] = [];
    while (next < options.requests && performance.now() < end && !(options.until?.() ?? false)) {
      const id = queries[next++ % queries.length];
      samples.push(await similar(url, id));
    }
    return samples;
  };
  const samples = await Promise.all(Array.from({ length: options.concurrency }, client));
  return { samples, seconds: (performance.now() - start) / 1000 };
}

function recallAt10(found: readonly string[], truth: readonly string[]): number {
  const set = new Set(truth.slice(0, 10));
  return truth.length === 0
    ? 1
    : found.slice(0, 10).filter((id) => set.has(id)).length / Math.min(10, set.size);
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    images: { type: "string" },
    source: { type: "string", default: "myntra" },
    dim: { type: "string" },
    seed: { type: "string", default: "0" },
    queries: { type: "string" },
    requests: { type: "string" },
    seconds: { type: "string" },
    work: { type: "string" },
    quick: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const usage = "usage: deno task bench serve [--images N] [--source myntra|random] [--dim D] [--seed S] " +
    "[--queries Q] [--requests R] [--seconds T] [--work DIR] [--quick] [--json]";
  if (values.help) return console.log(usage);
  if (!["myntra", "random"].includes(values.source!)) {
    throw new UsageError(`--source must be myntra or random, got "${values.source}"`);
  }
  const quick = values.quick === true;
  const images = parseIntegerFlag("images", values.images, 100) ?? (quick ? 10_000 : 100_000);
  const seed = parseIntegerFlag("seed", values.seed, 0)!;
  const queryCount = parseIntegerFlag("queries", values.queries, 1) ?? (quick ? 100 : 300);
  const requests = parseIntegerFlag("requests", values.requests, 1) ?? (quick ? 200 : 500);
  const seconds = parseIntegerFlag("seconds", values.seconds, 1) ?? (quick ? 15 : 30);
  const work = values.work ?? await Deno.makeTempDir({ prefix: "setsim-bench-serve-" });
  await Deno.mkdir(work, { recursive: true });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    // 1. The catalog and its index.
    const sources = values.source === "random"
      ? randomSources(parseIntegerFlag("dim", values.dim, 1) ?? 256, seed)
      : await myntraSources(work, values.json === true);
    const dim = parseIntegerFlag("dim", values.dim, 1) ?? sources.vectors.dim;
    log(`generating ${images} synthetic images (source ${values.source}, dim ${dim}, seed ${seed})`);
    const synthetic = syntheticCatalog(sources, { images, dim, seed });
    const index = join(work, `serve-${values.source}-${images}.index`);
    await Deno.remove(index, { recursive: true }).catch(() => {});
    const full = syntheticIndexInput(synthetic, { seed });
    const buildStart = performance.now();
    await buildIndex(full.catalog, index, { ...full, progress: false });
    log(
      `indexed ${synthetic.items.length} items in ${((performance.now() - buildStart) / 1000).toFixed(1)} s`,
    );
    const rng = createRng(seed, "bench-serve-queries");
    const queries = sampleWithoutReplacement(synthetic.items.map((item) => item.id), queryCount, rng);

    // 2. The server, and load at concurrency 1, 8, 32.
    server = await startServer(index, freePort());
    log(`server at ${server.url}`);
    await load(server.url, queries, { concurrency: 4, requests: 40, seconds: 10 }); // warm-up
    const levels: Record<string, number | boolean | string> = {};
    let errors = 0;
    for (const c of [1, 8, 32]) {
      const run = await load(server.url, queries, {
        concurrency: c,
        requests: c === 1 ? requests : requests * 4,
        seconds,
      });
      const flat = run.samples.flat();
      errors += flat.filter((s) => !s.ok).length;
      const ms = flat.filter((s) => s.ok).map((s) => s.ms);
      levels[`qps_c${c}`] = flat.length / run.seconds;
      levels[`p50_ms_c${c}`] = percentile(ms, 0.5);
      levels[`p95_ms_c${c}`] = percentile(ms, 0.95);
      levels[`p99_ms_c${c}`] = percentile(ms, 0.99);
      log(
        `c=${c}: ${flat.length} requests in ${run.seconds.toFixed(1)} s, ${
          (flat.length / run.seconds).toFixed(1)
        } QPS, p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms, p99 ${
          percentile(ms, 0.99).toFixed(1)
        } ms`,
      );
    }

    // 3. Recall@10 against exact, served and in process.
    const session = await SearchSession.open(index);
    let servedRecall = 0, searchRecall = 0, identical = 0;
    const recallQueries = queries.slice(0, Math.min(queries.length, quick ? 50 : 100));
    try {
      for (const id of recallQueries) {
        const query = await session.itemQuery(id);
        const exact = (await session.search(query, { k: 10, exact: true })).results.map((r) => r.item_id);
        const local = (await session.search(query, { k: 10 })).results.map((r) => r.item_id);
        const served = (await similar(server.url, id)).ids ?? [];
        servedRecall += recallAt10(served, exact);
        searchRecall += recallAt10(local, exact);
        if (served.join() === local.join()) identical++;
      }
    } finally {
      await session.close();
    }
    const recall = {
      recall_at_10_served: servedRecall / recallQueries.length,
      recall_at_10_search: searchRecall / recallQueries.length,
      served_equals_search: identical / recallQueries.length,
    };
    log(
      `recall@10 served ${recall.recall_at_10_served.toFixed(4)}, search ${
        recall.recall_at_10_search.toFixed(4)
      }`,
    );

    // 4. Rebuild (1 % of items changed) and hot reload under load at concurrency 8.
    const changed = sampleWithoutReplacement(
      synthetic.items.map((_, k) => k),
      Math.max(1, Math.round(synthetic.items.length / 100)),
      createRng(seed, "bench-serve-changes"),
    );
    const probes = changed.slice(0, 5).map((k) => synthetic.items[k].id);
    const before = new Map<string, Sample>();
    for (const id of probes) before.set(id, await similar(server.url, id));
    const oldVersion = before.get(probes[0])!.body!;
    const mixedQueries = [...probes, ...queries];
    let rebuilt = false;
    const next = syntheticIndexInput(synthetic, { seed, versions: new Map(changed.map((k) => [k, 1])) });
    const reloadStart = performance.now();
    const loaded = load(server.url, mixedQueries, {
      concurrency: 8,
      requests: 1_000_000,
      seconds: Math.max(60, seconds * 4),
      until: () => rebuilt,
    });
    // Let the load run a moment on the old version before the rebuild starts.
    await new Promise((r) => setTimeout(r, 500));
    await buildIndex(next.catalog, index, { ...next, progress: false });
    // Keep the load on until the server answers from the new version, then a little longer.
    const newVersionSeen = async () => (await similar(server!.url, probes[0])).body !== oldVersion;
    const waitEnd = Date.now() + 30_000;
    while (!(await newVersionSeen()) && Date.now() < waitEnd) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    rebuilt = true;
    const reloadRun = await loaded;
    const after = new Map<string, Sample>();
    for (const id of probes) after.set(id, await similar(server.url, id));
    const newVersion = after.get(probes[0])!.body!;
    const reloadSamples = reloadRun.samples.flat();
    let mixed = 0;
    for (const client of reloadRun.samples) {
      let sawNew = false;
      for (const s of client) {
        if (!s.ok) continue;
        if (s.header !== s.body) mixed++;
        else if (s.body === newVersion) sawNew = true;
        else if (sawNew) mixed++; // back to the old version after the new one
        const expected = (s.body === oldVersion ? before : s.body === newVersion ? after : undefined)?.get(
          s.query,
        );
        if (probes.includes(s.query) && expected !== undefined && expected.answer !== s.answer) mixed++;
        if (s.body !== oldVersion && s.body !== newVersion) mixed++;
      }
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const serverReloadErrors = Number(metrics.match(/setsim_index_reload_errors_total (\d+)/)?.[1] ?? NaN);
    const reloadErrors = reloadSamples.filter((s) => !s.ok).length + serverReloadErrors;
    const versions = new Set(reloadSamples.filter((s) => s.ok).map((s) => s.body));
    log(
      `reload: ${reloadSamples.length} requests over ${reloadRun.seconds.toFixed(1)} s, versions ${
        [...versions].join(" → ")
      }, ${reloadErrors} errors, ${mixed} mixed`,
    );
    if (newVersion === oldVersion) throw new Error("the server never switched to the rebuilt index");
    const peak = server.peakRssMb();

    const report = {
      benchmark: "serve",
      quick,
      images: synthetic.images,
      items: synthetic.items.length,
      source: values.source,
      dim,
      cores: navigator.hardwareConcurrency,
      ...levels,
      errors,
      reload_errors: reloadErrors,
      mixed_version_responses: mixed,
      peak_rss_mb: peak,
      ...recall,
      reload: {
        requests: reloadSamples.length,
        versions: versions.size,
        seconds: (performance.now() - reloadStart) / 1000,
        qps: reloadSamples.length / reloadRun.seconds,
      },
      figures: [
        figure("p95 at concurrency 1", levels.p95_ms_c1 as number, {
          unit: "ms",
          target: 30,
          atLeast: false,
        }),
        figure("QPS at concurrency 8", levels.qps_c8 as number, { unit: "QPS", target: 100 }),
        figure("QPS at concurrency 32", levels.qps_c32 as number, { unit: "QPS" }),
        figure("errors", errors, { unit: "", target: 0, atLeast: false }),
        figure("mixed-version responses during a reload", mixed, { unit: "", target: 0, atLeast: false }),
        figure("reload errors", reloadErrors, { unit: "", target: 0, atLeast: false }),
        figure("recall@10 served − search", recall.recall_at_10_served - recall.recall_at_10_search, {
          unit: "",
          target: 0,
          atLeast: true,
        }),
        figure("server peak RSS", peak, { unit: "MB" }),
      ],
    };
    if (values.json) console.log(JSON.stringify(report));
    else for (const f of report.figures) console.log(formatFigure(f));
  } finally {
    await server?.stop();
    if (values.work === undefined) await Deno.remove(work, { recursive: true }).catch(() => {});
  }
});
