import assert from "node:assert/strict";
import { createWorkerPool, type WorkerPool } from "../../lib/workers/pool.ts";
import type { FixtureResult, FixtureTask } from "./fixture_worker.ts";

const url = new URL("./fixture_worker.ts", import.meta.url);
type Pool = WorkerPool<FixtureTask, FixtureResult, { offset: number }>;

async function withPool(
  size: number,
  body: (pool: Pool) => Promise<void>,
  init?: unknown,
): Promise<void> {
  const pool: Pool = await createWorkerPool({ url, size, name: "fixture", init });
  try {
    await body(pool);
  } finally {
    pool.close();
  }
}

Deno.test("worker pool: results come back to their own task, whichever worker finishes first", async () => {
  await withPool(2, async (pool) => {
    assert.equal(pool.size, 2);
    // The first task is the slowest: the others finish before it on the second worker.
    const delays = [60, 0, 5, 0, 10, 0];
    const results = await Promise.all(
      delays.map((delayMs, value) => pool.run({ kind: "add", value, delayMs })),
    );
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
  });
});

Deno.test("worker pool: at most `size` tasks run at once (two 80 ms tasks on one worker take ≥ 160 ms)", async () => {
  await withPool(1, async (pool) => {
    const start = performance.now();
    await Promise.all([
      pool.run({ kind: "add", value: 1, delayMs: 80 }),
      pool.run({ kind: "add", value: 2, delayMs: 80 }),
    ]);
    assert.ok(performance.now() - start >= 155, `${performance.now() - start} ms`);
  });
});

Deno.test("worker pool: init runs first in every worker; a broadcast reaches every worker before later tasks", async () => {
  await withPool(3, async (pool) => {
    assert.deepEqual(await Promise.all([1, 2, 3].map((value) => pool.run({ kind: "add", value }))), [
      6,
      7,
      8,
    ]);
    pool.broadcast({ offset: 100 });
    const after = await Promise.all(
      Array.from({ length: 9 }, (_, value) => pool.run({ kind: "add", value })),
    );
    assert.deepEqual(after, Array.from({ length: 9 }, (_, value) => value + 105));
  }, { label: "abcde" });
});

Deno.test("worker pool: a failing task rejects alone with the worker's message; the pool keeps working", async () => {
  await withPool(2, async (pool) => {
    const failed = pool.run({ kind: "throw", error: "RangeError", message: "bad option s = 2" });
    const fine = pool.run({ kind: "add", value: 4 });
    await assert.rejects(failed, (error: Error) => {
      assert.equal(error.constructor, Error);
      assert.equal(error.message, "bad option s = 2");
      assert.match(error.stack ?? "", /RangeError: bad option s = 2/, "the worker's stack");
      return true;
    });
    assert.equal(await fine, 4);
    await assert.rejects(pool.run({ kind: "throw", error: "string", message: "plain" }), /^Error: plain$/m);
    assert.equal(await pool.run({ kind: "add", value: 5 }), 5);
  });
});

Deno.test("worker pool: taskError chooses the class a failed task rejects with", async () => {
  const pool = await createWorkerPool<FixtureTask, FixtureResult>({
    url,
    size: 1,
    name: "fixture",
    taskError: (message) => new RangeError(message),
  });
  try {
    await assert.rejects(pool.run({ kind: "throw", error: "RangeError", message: "m" }), RangeError);
  } finally {
    pool.close();
  }
});

Deno.test("worker pool: a dead worker rejects every pending and later task, naming the pool", async () => {
  await withPool(2, async (pool) => {
    const slow = pool.run({ kind: "add", value: 1, delayMs: 2000 });
    const crash = pool.run({ kind: "crash", message: "out of cheese" });
    const queued = pool.run({ kind: "add", value: 2 });
    for (const task of [crash, slow, queued]) {
      await assert.rejects(task, /^Error: fixture worker failed: .*out of cheese/);
    }
    await assert.rejects(pool.run({ kind: "add", value: 3 }), /fixture worker failed: .*out of cheese/);
  });
});

Deno.test("worker pool: close rejects pending tasks with its reason and later ones too; it is idempotent", async () => {
  const pool: Pool = await createWorkerPool({ url, size: 1, name: "fixture" });
  const running = pool.run({ kind: "add", value: 1, delayMs: 2000 });
  const queued = pool.run({ kind: "add", value: 2 });
  pool.close(new Error("stopped by the caller"));
  await assert.rejects(running, /^Error: stopped by the caller$/);
  await assert.rejects(queued, /stopped by the caller/);
  await assert.rejects(pool.run({ kind: "add", value: 3 }), /stopped by the caller/);
  pool.close();
  const other: Pool = await createWorkerPool({ url, size: 1, name: "fixture" });
  other.close();
  await assert.rejects(other.run({ kind: "add", value: 1 }), /^Error: fixture worker pool is closed$/);
});

Deno.test("worker pool: a failing init rejects the start (no worker is left running)", async () => {
  await assert.rejects(
    createWorkerPool({ url, size: 2, name: "fixture", init: { failInit: true } }),
    /^Error: fixture worker failed: .*init refused/,
  );
  await assert.rejects(
    createWorkerPool({ url, size: 0, name: "fixture" }),
    /size must be an integer ≥ 1, got 0/,
  );
  await assert.rejects(createWorkerPool({ url, size: 1.5, name: "fixture" }), RangeError);
});

Deno.test("worker pool: shared memory is shared, transferred results are moved", async () => {
  await withPool(2, async (pool) => {
    const data = new Int32Array(new SharedArrayBuffer(4 * 4));
    assert.deepEqual(await Promise.all([1, 2, 3].map((index) => pool.run({ kind: "shared", data, index }))), [
      1,
      2,
      3,
    ]);
    assert.deepEqual(Array.from(data), [0, 10, 20, 30]);
    const bytes = await pool.run({ kind: "bytes", length: 3 });
    assert.deepEqual(bytes, new Uint8Array([7, 7, 7]));
  });
});
