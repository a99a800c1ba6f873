import assert from "node:assert/strict";
import { join } from "node:path";
import { Queue } from "bullmq";
import {
  connectionOptions,
  type EmbedJob,
  embedJobHandler,
  JobsFailedError,
  parseQueueUrl,
  runJobs,
} from "../../lib/queue/mod.ts";
import { createRng } from "../../lib/random/mod.ts";
import { SearchSession } from "../../lib/search/mod.ts";
import { makeShopCatalog } from "../index/shop.ts";
import { runScript, withTempDir } from "../index/helpers.ts";
import { decodeRows, partialDir } from "../../lib/neighbours/mod.ts";
import { buildSyntheticIndex, chunkFiles, spawnScript, waitFor } from "../neighbours/helpers.ts";
import { FIXTURE_QUEUE } from "./fixture_worker.ts";
import { canRun, startRedis } from "../../lib/queue/local_redis.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Worker processes that can be killed and replaced; `stopAll` in `finally`. */
function workerGroup(start: () => Deno.ChildProcess) {
  const running: Deno.ChildProcess[] = [];
  const all: Deno.ChildProcess[] = [];
  return {
    running,
    add() {
      const child = start();
      running.push(child);
      all.push(child);
    },
    /** SIGKILL the worker at `k` (mod the count) and start a replacement. */
    killAndReplace(k: number) {
      const [victim] = running.splice(k % running.length, 1);
      victim.kill("SIGKILL");
      this.add();
    },
    async stopAll() {
      for (const child of all) {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      await Promise.all(all.map((child) => child.status));
      await Promise.all(
        all.map((c) => Promise.all([c.stdout.cancel().catch(() => {}), c.stderr.cancel().catch(() => {})])),
      );
    },
  };
}

/**
 * Faults at seeded moments of a run's progress (fractions in [0, 1], so they land mid-run however
 * fast the machine is): each step waits until `progress()` reaches its moment, then acts. Returns
 * the steps taken before the run finished.
 */
async function injectFaults(
  steps: { at: number; act: () => void | Promise<void> }[],
  progress: () => number,
  finished: () => boolean,
): Promise<number> {
  let taken = 0;
  for (const step of steps) {
    await waitFor(`progress ${step.at.toFixed(2)}`, () => finished() || progress() >= step.at, 60_000);
    if (finished()) break;
    await step.act();
    taken++;
  }
  return taken;
}

/**
 * A synthetic index in `tmp` and the local (no queue) neighbours run the queued runs are compared
 * with, written to `tmp/<out>`; `args(out)` are the neighbours flags both runs share.
 */
async function synthesiseAndRunLocally(
  tmp: string,
  o: { images: number; k: number; chunk: number; out: string; workers: number },
): Promise<{ index: string; args: (out: string) => string[] }> {
  const index = join(tmp, "synthetic.index");
  await buildSyntheticIndex(index, { images: o.images });
  const args = (out: string) => [
    "--index",
    index,
    "--k",
    String(o.k),
    "--out",
    out,
    "--chunk",
    String(o.chunk),
    "--quiet",
  ];
  const local = await runScript("scripts/neighbours.ts", [
    ...args(join(tmp, o.out)),
    "--workers",
    String(o.workers),
  ]);
  assert.equal(local.code, 0, local.stderr);
  return { index, args };
}

Deno.test("runJobs: 3 workers SIGKILLed at seeded moments and Redis restarted mid-run: every result once, the failing job reported with its input", async () => {
  const redis = await startRedis();
  const workers = workerGroup(() => spawnScript("tests/queue/fixture_worker.ts", [redis.url, "800"]));
  try {
    for (let w = 0; w < 3; w++) workers.add();
    const rng = createRng(22, "queue-chaos");
    const results = new Map<string, number>();
    let handedTwice = 0;
    let finished = false;
    // Kills at seeded moments, Redis restarted after the second one.
    const moments = [0.05, 0.25, 0.45, 0.6].map((start) => start + 0.1 * rng());
    const chaos = injectFaults(
      moments.map((at, k) => ({
        at,
        act: async () => {
          workers.killAndReplace(Math.floor(rng() * 3));
          if (k === 1) await redis.restart();
        },
      })),
      () => results.size / 59,
      () => finished,
    );
    const jobs = Array.from({ length: 60 }, (_, x) => ({ id: `square-${x}`, data: { x } }));
    const outcome = await runJobs<{ x: number }, { square: number }>({
      url: parseQueueUrl(redis.url),
      queue: FIXTURE_QUEUE,
      jobs,
      attempts: 2,
      backoffMs: 100,
      log: () => {},
      onResult(id, result) {
        if (results.has(id)) handedTwice++;
        results.set(id, result.square);
        return Promise.resolve();
      },
    }).then(() => undefined, (error) => error);
    finished = true;
    assert.equal(await chaos, 4, "every fault hit the run while it ran");
    assert.ok(outcome instanceof JobsFailedError, `the failing job is reported (${outcome})`);
    assert.deepEqual(outcome.failures.map((f) => [f.id, f.data, f.attempts]), [["square-13", { x: 13 }, 2]]);
    assert.match(outcome.message, /square-13 \(2 attempts\): 13 is refused[\s\S]*input: \{"x":13\}/);
    assert.equal(outcome.report.duplicate_results, 0);
    assert.equal(handedTwice, 0, "no result handed over twice");
    assert.equal(results.size, 59, "no lost jobs");
    for (const [id, square] of results) assert.equal(square, Number(id.slice(7)) ** 2);
  } finally {
    await workers.stopAll();
    await redis.stop();
  }
});

Deno.test("runJobs: a job Redis lost (deleted under the run) is found by the sweep and queued again", async () => {
  const redis = await startRedis();
  const url = parseQueueUrl(redis.url);
  const workers = workerGroup(() => spawnScript("tests/queue/fixture_worker.ts", [redis.url, "800"]));
  const other = new Queue(FIXTURE_QUEUE, { connection: connectionOptions(url) });
  try {
    const results = new Map<string, number>();
    const jobs = Array.from({ length: 6 }, (_, x) => ({ id: `lost-${x}`, data: { x: x + 20 } }));
    const run = runJobs<{ x: number }, { square: number }>({
      url,
      queue: FIXTURE_QUEUE,
      jobs,
      sweepMs: 200,
      log: () => {},
      onResult(id, result) {
        results.set(id, result.square);
        return Promise.resolve();
      },
    });
    // No worker yet: wait until the jobs wait in Redis, then lose one of them.
    await waitFor("the queued jobs", async () => (await other.getJobCounts("wait")).wait === 6, 10_000);
    assert.equal(await other.remove("lost-3"), 1);
    workers.add();
    const report = await run;
    assert.equal(report.readded, 1);
    assert.equal(report.completed, 6);
    assert.deepEqual([...results.keys()].sort(), jobs.map((j) => j.id));
    assert.equal(results.get("lost-3"), 23 ** 2);
  } finally {
    await other.close();
    await workers.stopAll();
    await redis.stop();
  }
});

Deno.test("neighbours --queue with 2 workers killed at seeded moments and a Redis restart: the same bytes as the local run", async () => {
  await withTempDir("setsim-queue-neighbours-", async (tmp) => {
    const { index, args } = await synthesiseAndRunLocally(tmp, {
      images: 1500,
      k: 5,
      chunk: 8,
      out: "local.parquet",
      workers: 1,
    });

    // A worker that cannot read the index stops at start with a clear error.
    const missing = await runScript("scripts/worker.ts", [
      "--queue",
      "redis://127.0.0.1:1/0",
      "--index",
      join(tmp, "nope"),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not a setsim index[\s\S]*shared filesystem or a copied folder/);

    const redis = await startRedis();
    const workers = workerGroup(() =>
      spawnScript("scripts/worker.ts", ["--queue", redis.url, "--index", index, "--lock-ms", "800"])
    );
    const out = join(tmp, "queued.parquet");
    const run = spawnScript("scripts/neighbours.ts", [...args(out), "--queue", redis.url, "--json"]);
    try {
      workers.add();
      workers.add();
      const rng = createRng(22, "neighbours-chaos");
      let finished = false;
      const status = run.output().finally(() => finished = true);
      // Kills at seeded moments of the run's progress, Redis restarted after the second one.
      const moments = [0.05, 0.25, 0.45, 0.6].map((start) => start + 0.1 * rng());
      const chunks = Math.ceil(
        decodeRows(await Deno.readFile(join(tmp, "local.parquet")), "parquet").length / 5 / 8,
      );
      const faults = injectFaults(
        moments.map((at, k) => ({
          at,
          act: async () => {
            workers.killAndReplace(Math.floor(rng() * 2));
            if (k === 1) await redis.restart();
          },
        })),
        () => chunkFiles(partialDir(out)) / chunks,
        () => finished,
      );
      const result = await Promise.race([status, sleep(45_000).then(() => undefined)]);
      assert.ok(result !== undefined, "the queued run finished in 45 s");
      assert.equal(await faults, 4, "every fault hit the run while it ran");
      const stderr = new TextDecoder().decode(result.stderr);
      assert.equal(result.code, 0, stderr);
      const report = JSON.parse(new TextDecoder().decode(result.stdout));
      assert.match(report.executor, /^queue redis:\/\/127\.0\.0\.1/);
      assert.deepEqual(
        await Deno.readFile(out),
        await Deno.readFile(join(tmp, "local.parquet")),
        "byte-identical",
      );
    } finally {
      try {
        run.kill("SIGKILL");
      } catch {
        // finished
      }
      await run.status;
      await workers.stopAll();
      await redis.stop();
    }
  });
});

Deno.test("index --queue: a worker embeds the batches; the index holds the same vectors as a local build", async () => {
  await withTempDir("setsim-queue-index-", async (tmp) => {
    const { manifest, dir: shop } = await makeShopCatalog(join(tmp, "shop"));
    const localIndex = join(tmp, "local.index"), queuedIndex = join(tmp, "queued.index");
    const built = await runScript("scripts/index.ts", [
      manifest,
      "--index",
      localIndex,
      "--quiet",
      "--text-model",
      "none",
    ], {
      SETSIM_CACHE_DIR: join(tmp, "cache-local"),
    });
    assert.equal(built.code, 0, built.stderr);
    const redis = await startRedis();
    // Its own cache, and the photos given as a folder of its own (a copy would do as well).
    const worker = spawnScript("scripts/worker.ts", ["--queue", redis.url, "--photos", shop], {
      SETSIM_CACHE_DIR: join(tmp, "cache-worker"),
    });
    try {
      const queued = await runScript(
        "scripts/index.ts",
        [manifest, "--index", queuedIndex, "--quiet", "--text-model", "none", "--queue", redis.url, "--json"],
        { SETSIM_CACHE_DIR: join(tmp, "cache-coordinator") },
      );
      assert.equal(queued.code, 0, queued.stderr);
      assert.equal(JSON.parse(queued.stdout).embedded, 11);
      const a = await SearchSession.open(localIndex), b = await SearchSession.open(queuedIndex);
      try {
        const ids = await a.itemIds();
        assert.deepEqual(await b.itemIds(), ids);
        const va = await a.itemVectors(ids), vb = await b.itemVectors(ids);
        for (const id of ids) assert.deepEqual(vb.get(id)!.vectors.data, va.get(id)!.vectors.data, id);
      } finally {
        await a.close();
        await b.close();
      }
      // The worker's own cache got the vectors (they were embedded there, not on the coordinator).
      assert.ok((await Deno.stat(join(tmp, "cache-worker"))).isDirectory);
    } finally {
      worker.kill("SIGKILL");
      await worker.status;
      await worker.stdout.cancel().catch(() => {});
      await worker.stderr.cancel().catch(() => {});
      await redis.stop();
    }
  });
});

Deno.test("a Redis with a password: jobs run through a restart, and the password is never printed", async () => {
  const password = "pw@1:/x%secret";
  const redis = await startRedis({ password });
  const url = parseQueueUrl(redis.url);
  const workers = workerGroup(() => spawnScript("tests/queue/fixture_worker.ts", [redis.url, "800"]));
  const lines: string[] = [];
  try {
    assert.equal(redis.url, `redis://:${encodeURIComponent(password)}@127.0.0.1:${redis.port}/0`);
    assert.equal(url.url, `redis://:***@127.0.0.1:${redis.port}/0`);
    workers.add();
    const results = new Map<string, number>();
    const jobs = Array.from({ length: 8 }, (_, x) => ({ id: `secret-${x}`, data: { x } }));
    let restarted: Promise<void> | undefined;
    const report = await runJobs<{ x: number }, { square: number }>({
      url,
      queue: FIXTURE_QUEUE,
      jobs,
      log: (line) => lines.push(line),
      onResult(id, result) {
        results.set(id, result.square);
        // A restart mid-run makes the coordinator log its (redacted) address.
        if (results.size === 3) restarted = redis.restart();
        return Promise.resolve();
      },
    });
    await restarted;
    assert.equal(report.completed, 8);
    assert.deepEqual([...results.keys()].sort(), jobs.map((j) => j.id));
    assert.ok(lines.some((line) => line.includes(url.url)), `the address was logged: ${lines.join("\n")}`);

    // A wrong password, through the real coordinator (neighbours --queue): it stops with an error
    // naming the address without either password.
    const index = join(redis.dir, "synthetic.index");
    await buildSyntheticIndex(index, { images: 60 });
    const wrong = `redis://:not-the-${encodeURIComponent(password)}@127.0.0.1:${redis.port}/0`;
    const refused = await runScript("scripts/neighbours.ts", [
      ...["--index", index, "--k", "2", "--out", join(redis.dir, "x.csv"), "--quiet", "--queue", wrong],
    ]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: Redis does not answer \(WRONGPASS/);
    lines.push(refused.stderr, refused.stdout);

    // The real worker script: its start line names the address without the password.
    const worker = spawnScript("scripts/worker.ts", ["--queue", redis.url, "--photos", redis.dir]);
    let stderr = "";
    const decoder = new TextDecoder();
    for await (const chunk of worker.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      if (stderr.includes("taking")) break;
    }
    worker.kill("SIGTERM");
    await worker.status;
    await worker.stdout.cancel().catch(() => {});
    assert.match(stderr, /taking setsim-embed jobs from redis:\/\/:\*\*\*@127\.0\.0\.1/);
    lines.push(stderr);
    for (const line of lines) {
      assert.ok(!line.includes(password) && !line.includes(encodeURIComponent(password)), line);
    }
  } finally {
    await workers.stopAll();
    await redis.stop();
  }
});

Deno.test("embedding jobs: a worker whose --photos holds none of a job's photos fails the try, saying where it looked", async () => {
  await withTempDir("setsim-queue-photos-", async (tmp) => {
    await Deno.mkdir(join(tmp, "shop", "photos", "a"), { recursive: true });
    await Deno.writeFile(join(tmp, "shop", "photos", "a", "1.png"), new Uint8Array([1]));
    const embedded: string[][] = [];
    const handler = (photos: string) =>
      embedJobHandler({
        photos,
        load: (model) =>
          Promise.resolve({
            model,
            fingerprint: "fp",
            dim: 1,
            embed(paths: string[]) {
              embedded.push(paths);
              return Promise.resolve({
                vectors: paths.map(() => new Float32Array([1])),
                failures: [],
                cacheHits: 0,
              });
            },
          }),
      });
    const job: EmbedJob = {
      model: "m",
      fingerprint: "fp",
      root: "/elsewhere/shop",
      paths: ["photos/a/1.png", "photos/a/2.png"],
    };
    // --photos pointing at the photos folder instead of the catalog folder: nothing is found.
    await assert.rejects(
      handler(join(tmp, "shop", "photos"))(job),
      /none of the job's 2 photos is under --photos .*shop\/photos \(looked for .*shop\/photos\/photos\/a\/1\.png\): --photos must be this machine's copy of the catalog folder \(\/elsewhere\/shop/,
    );
    assert.deepEqual(embedded, [], "nothing embedded by a misconfigured worker");
    // The catalog folder's copy: one photo there is enough (a missing one is the embedder's per-photo failure).
    const result = await handler(join(tmp, "shop"))(job);
    assert.equal(result.vectors.length, 2);
    assert.deepEqual(embedded, [[join(tmp, "shop", "photos/a/1.png"), join(tmp, "shop", "photos/a/2.png")]]);
  });
});

const tlsTools = await canRun("openssl", ["version"]);
if (!tlsTools) console.warn("skipping the rediss:// test: openssl is not installed");

Deno.test({
  name:
    "rediss:// with a password: neighbours --queue over TLS gives the local run's bytes; an unknown CA is refused",
  ignore: !tlsTools,
  async fn() {
    await withTempDir("setsim-queue-tls-", async (tmp) => {
      const { index, args } = await synthesiseAndRunLocally(tmp, {
        images: 200,
        k: 3,
        chunk: 10,
        out: "local.csv",
        workers: 0,
      });
      const password = "tls:pw/1";
      const redis = await startRedis({ password, tls: true });
      assert.match(redis.url, /^rediss:\/\/:tls%3Apw%2F1@localhost:\d+\/0$/);
      // The test authority is trusted through DENO_CERT, as an operator's private CA would be.
      const trust = { DENO_CERT: redis.caFile! };
      const worker = spawnScript("scripts/worker.ts", ["--queue", redis.url, "--index", index], trust);
      try {
        // Without the authority the certificate is refused: the connection really is TLS, and checked.
        const untrusted = await runScript("scripts/neighbours.ts", [
          ...args(join(tmp, "untrusted.csv")),
          "--queue",
          redis.url,
        ]);
        assert.equal(untrusted.code, 1, untrusted.stderr);
        assert.match(
          untrusted.stderr,
          /rediss:\/\/:\*\*\*@localhost:\d+\/0: Redis does not answer \(.*certificate/,
        );
        const out = join(tmp, "queued.csv");
        const queued = await runScript("scripts/neighbours.ts", [
          ...args(out),
          "--queue",
          redis.url,
          "--json",
        ], trust);
        assert.equal(queued.code, 0, queued.stderr);
        assert.match(JSON.parse(queued.stdout).executor, /^queue rediss:\/\/:\*\*\*@localhost:/);
        assert.deepEqual(await Deno.readFile(out), await Deno.readFile(join(tmp, "local.csv")));
        for (const text of [untrusted.stderr, queued.stdout, queued.stderr]) {
          assert.ok(!text.includes(password) && !text.includes(encodeURIComponent(password)), text);
        }
      } finally {
        worker.kill("SIGKILL");
        await worker.status;
        await worker.stdout.cancel().catch(() => {});
        await worker.stderr.cancel().catch(() => {});
        await redis.stop();
      }
    });
  },
});
