/**
 * The `--queue redis://HOST:PORT/N` flag: where the Redis server of a distributed run is (N is
 * the Redis database number, 0–15 on a default server).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseQueueUrl } from "./url.ts";
 * assert.deepEqual(parseQueueUrl("redis://127.0.0.1:6390/2"), { host: "127.0.0.1", port: 6390, db: 2, url: "redis://127.0.0.1:6390/2" });
 * assert.equal(parseQueueUrl("redis://cache.lan").port, 6379);
 * assert.throws(() => parseQueueUrl("http://x:1/0"), /redis:\/\/HOST:PORT\/N/);
 * ```
 * @module
 */

/** A parsed queue address. */
export interface QueueUrl {
  host: string;
  port: number;
  db: number;
  /** The address as text (normalised), for messages and for workers. */
  url: string;
}

/** Parse `redis://HOST[:PORT][/N]` (port 6379 and database 0 by default); a clear error otherwise. */
export function parseQueueUrl(text: string): QueueUrl {
  const m = /^redis:\/\/([^:/\s]+)(?::(\d+))?(?:\/(\d+))?\/?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a queue address of the form redis://HOST:PORT/N`);
  const port = m[2] === undefined ? 6379 : Number(m[2]);
  const db = m[3] === undefined ? 0 : Number(m[3]);
  if (port < 1 || port > 65535) throw new RangeError(`"${text}": port ${port} is not in 1–65535`);
  return { host: m[1], port, db, url: `redis://${m[1]}:${port}/${db}` };
}

/** BullMQ/ioredis connection options for `url`: commands wait through a Redis restart instead of failing. */
export function connectionOptions(url: QueueUrl) {
  return {
    host: url.host,
    port: url.port,
    db: url.db,
    // null: a command waits for the reconnection (BullMQ's requirement for workers; for the
    // coordinator it is what lets a run ride out a Redis restart).
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

/** The BullMQ queue names (one per kind of job). */
export const QUEUE_NAMES = { neighbours: "setsim-neighbours", embed: "setsim-embed" } as const;
