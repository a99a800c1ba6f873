/**
 * Helper process for the cache concurrency test (not a test itself):
 * `deno run -A cache_writer.ts <db> <worker id> <rows> <batch>` writes `rows` vectors whose
 * values encode (key, element) so the reader can verify every one, reading back as it goes.
 */
import { EmbeddingCache } from "../../lib/embedding/cache.ts";

const [path, worker, rows, batch] = [Deno.args[0], Deno.args[1], Number(Deno.args[2]), Number(Deno.args[3])];
const vectorFor = (key: number, dim = 64) => Float32Array.from({ length: dim }, (_, j) => key * 1000 + j);

const cache = EmbeddingCache.open(path);
for (let start = 0; start < rows; start += batch) {
  const entries = [];
  for (let k = start; k < Math.min(rows, start + batch); k++) {
    // Half of the keys are shared by both workers (same content → same vector), half are own.
    const key = k % 2 === 0 ? k : k + 100_000 * Number(worker);
    entries.push({ hash: `h${key}`, vector: vectorFor(key) });
  }
  cache.put("model", "prep", entries);
  const back = cache.get("model", "prep", entries.map((e) => e.hash));
  if (back.size !== entries.length) {
    throw new Error(`worker ${worker}: read back ${back.size}/${entries.length}`);
  }
}
cache.close();
