import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { EmbeddingCache, fnv1a32 } from "../../lib/embedding/cache.ts";

const tempDb = async () => join(await Deno.makeTempDir({ prefix: "setsim-cache-" }), "embeddings.sqlite");
const vectorFor = (key: number, dim = 64) => Float32Array.from({ length: dim }, (_, j) => key * 1000 + j);

Deno.test("cache: round trip, keyed by model, preprocessing and content", async () => {
  const path = await tempDb();
  const cache = EmbeddingCache.open(path);
  cache.put("m1", "p1", [{ hash: "a", vector: new Float32Array([0.6, 0.8]) }, {
    hash: "b",
    vector: vectorFor(3),
  }]);
  const got = cache.get("m1", "p1", ["a", "b", "missing"]);
  assert.deepEqual(Array.from(got.get("a")!), [Math.fround(0.6), Math.fround(0.8)]);
  assert.deepEqual(got.get("b"), vectorFor(3));
  assert.equal(got.has("missing"), false);
  assert.equal(cache.get("m2", "p1", ["a"]).size, 0, "other model");
  assert.equal(cache.get("m1", "p2", ["a"]).size, 0, "other preprocessing");
  assert.equal(cache.count(), 2);
  cache.close();
  const again = EmbeddingCache.open(path);
  assert.equal(again.rebuiltFrom, undefined);
  assert.equal(again.get("m1", "p1", ["a"]).size, 1, "persists across opens");
  again.close();
});

Deno.test("cache: fnv1a32 matches the reference values", () => {
  const e = new TextEncoder();
  assert.equal(fnv1a32(e.encode("")), 0x811c9dc5);
  assert.equal(fnv1a32(e.encode("a")), 0xe40c292c);
  assert.equal(fnv1a32(e.encode("foobar")), 0xbf9cf968);
  assert.equal(fnv1a32(e.encode("foo"), e.encode("bar")), 0xbf9cf968);
});

Deno.test("cache: a file that is not SQLite is moved aside and rebuilt", async () => {
  const path = await tempDb();
  await Deno.writeTextFile(
    path,
    "this is not a database, just some text that happens to be here ".repeat(100),
  );
  const cache = EmbeddingCache.open(path);
  assert.ok(cache.rebuiltFrom?.includes(".damaged-"), "reports where the damaged file went");
  assert.ok((await Deno.stat(cache.rebuiltFrom!)).isFile);
  assert.equal(cache.count(), 0);
  cache.put("m", "p", [{ hash: "x", vector: vectorFor(1) }]);
  assert.deepEqual(cache.get("m", "p", ["x"]).get("x"), vectorFor(1));
  cache.close();
});

Deno.test("cache: a damaged page is detected on open and the cache rebuilt, never read", async () => {
  const path = await tempDb();
  const cache = EmbeddingCache.open(path);
  for (let b = 0; b < 20; b++) {
    cache.put(
      "m",
      "p",
      Array.from({ length: 50 }, (_, i) => ({ hash: `h${b * 50 + i}`, vector: vectorFor(b * 50 + i) })),
    );
  }
  cache.close();
  // Checkpoint the WAL into the main file, then scribble over its b-tree pages.
  const db = new DatabaseSync(path);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const bytes = await Deno.readFile(path);
  assert.ok(bytes.length > 8 * 4096);
  for (let i = 2 * 4096; i < 6 * 4096; i++) bytes[i] = (i * 31) & 0xff;
  await Deno.writeFile(path, bytes);
  const reopened = EmbeddingCache.open(path);
  assert.ok(reopened.rebuiltFrom !== undefined, "damage detected");
  assert.equal(reopened.count(), 0);
  reopened.close();
});

Deno.test("cache: a row whose vector bytes changed is dropped, not returned", async () => {
  const path = await tempDb();
  const cache = EmbeddingCache.open(path);
  cache.put("m", "p", [{ hash: "good", vector: vectorFor(1) }, { hash: "bad", vector: vectorFor(2) }]);
  cache.close();
  const db = new DatabaseSync(path);
  const tampered = new Uint8Array(vectorFor(9).buffer);
  db.prepare("UPDATE embeddings SET vector = ? WHERE content = 'bad'").run(tampered);
  db.prepare("UPDATE embeddings SET dim = 3 WHERE content = 'good'").run();
  db.close();
  const reopened = EmbeddingCache.open(path);
  assert.equal(reopened.get("m", "p", ["good", "bad"]).size, 0);
  assert.equal(reopened.corruptRowsDropped, 2);
  assert.equal(reopened.count(), 0, "damaged rows are deleted");
  reopened.close();
});

Deno.test("cache: two processes writing at once leave every row intact", async () => {
  const path = await tempDb();
  EmbeddingCache.open(path).close();
  const writer = new URL("./cache_writer.ts", import.meta.url).pathname;
  const rows = 1000, batch = 10;
  const run = (worker: number) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", writer, path, String(worker), String(rows), String(batch)],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const results = await Promise.all([run(1), run(2)]);
  for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const cache = EmbeddingCache.open(path);
  assert.equal(cache.rebuiltFrom, undefined);
  const keys: number[] = [];
  for (let k = 0; k < rows; k++) {
    if (k % 2 === 0) keys.push(k);
    else keys.push(k + 100_000, k + 200_000);
  }
  const got = cache.get("model", "prep", keys.map((k) => `h${k}`));
  assert.equal(got.size, keys.length);
  for (const k of keys) assert.deepEqual(got.get(`h${k}`), vectorFor(k), `row h${k}`);
  assert.equal(cache.count(), keys.length);
  assert.equal(cache.corruptRowsDropped, 0);
  cache.close();
});
