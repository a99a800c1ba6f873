/**
 * The `--queue redis://HOST:PORT/N` flag: where the Redis server of a distributed run is (N is
 * the Redis database number, 0–15 on a default server). A server with a password is
 * `redis://:PASSWORD@HOST:PORT/N` (or `redis://USER:PASSWORD@…` with Redis ACL users), and
 * `rediss://…` connects over TLS.
 *
 * The password is a secret: it goes to Redis and nowhere else. The address as text (`url`, used in
 * every message, report and error) shows it as `***`, the parsed address keeps it in a
 * non-enumerable field (so `JSON.stringify` and `console.log` of a {@link QueueUrl} leave it out),
 * and a malformed address is never echoed back whole ({@link redactQueueUrl}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionOptions, parseQueueUrl } from "./url.ts";
 * assert.deepEqual(parseQueueUrl("redis://127.0.0.1:6390/2"), {
 *   host: "127.0.0.1", port: 6390, db: 2, tls: false, url: "redis://127.0.0.1:6390/2",
 * });
 * assert.equal(parseQueueUrl("redis://cache.lan").port, 6379);
 * const secret = parseQueueUrl("rediss://:s3cr%40t@cache.lan:6380/1");
 * assert.equal(secret.url, "rediss://:***@cache.lan:6380/1");
 * assert.equal(connectionOptions(secret).password, "s3cr@t");
 * assert.ok(!JSON.stringify(secret).includes("s3cr"));
 * assert.throws(() => parseQueueUrl("http://x:1/0"), /redis:\/\/HOST:PORT\/N/);
 * assert.throws(() => parseQueueUrl("redis://:hunter22@x:99999/0"), (e: Error) => !e.message.includes("hunter22"));
 * ```
 * @module
 */

/** A parsed queue address. */
export interface QueueUrl {
  host: string;
  port: number;
  db: number;
  /** `rediss://`: the connection uses TLS. */
  tls: boolean;
  /** A Redis ACL user name (`redis://USER:PASSWORD@…`); absent for the default user. */
  username?: string;
  /**
   * The password (`redis://:PASSWORD@…`); non-enumerable, so that printing or serialising the
   * address leaves it out. Only {@link connectionOptions} reads it.
   */
  readonly password?: string;
  /** The address as text (normalised, the password shown as `***`), for messages and reports. */
  url: string;
}

const FORM = "redis://HOST:PORT/N (redis://:PASSWORD@HOST:PORT/N with a password, rediss:// for TLS)";

/** `text` with the password of a `scheme://user:password@host` address replaced by `***`. */
export function redactQueueUrl(text: string): string {
  // Greedy up to the last "@": a password with an unencoded "@" is hidden whole.
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:).*@/i, "$1***@");
}

/**
 * Parse `redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/N]` (port 6379 and database 0 by default);
 * a clear error otherwise (which never repeats the password).
 */
export function parseQueueUrl(text: string): QueueUrl {
  const parsed = parse(text.trim());
  if (typeof parsed === "string") throw new RangeError(`"${redactQueueUrl(text.trim())}": ${parsed}`);
  return parsed;
}

/** What is wrong with a queue address (without repeating it), or undefined when it parses. */
export function queueUrlProblem(text: string): string | undefined {
  const parsed = parse(text.trim());
  return typeof parsed === "string" ? parsed : undefined;
}

/** The parsed address, or what is wrong with it. */
function parse(text: string): QueueUrl | string {
  const m = /^(rediss?):\/\/(?:([^:@/\s]*):([^@\s]*)@)?([^:@/\s]+)(?::(\d+))?(?:\/(\d+))?\/?$/.exec(text);
  if (!m) return `not a queue address of the form ${FORM}`;
  const [, scheme, user, secret, host] = m;
  const port = m[5] === undefined ? 6379 : Number(m[5]);
  const db = m[6] === undefined ? 0 : Number(m[6]);
  if (port < 1 || port > 65535) return `port ${port} is not in 1–65535`;
  let username: string | undefined, password: string | undefined;
  try {
    username = user ? decodeURIComponent(user) : undefined;
    password = secret ? decodeURIComponent(secret) : undefined;
  } catch {
    return "the user or password is not valid percent-encoding (write @ as %40, % as %25)";
  }
  const auth = username === undefined && password === undefined
    ? ""
    : `${username === undefined ? "" : encodeURIComponent(username)}:${password === undefined ? "" : "***"}@`;
  const url: QueueUrl = {
    host,
    port,
    db,
    tls: scheme === "rediss",
    ...(username === undefined ? {} : { username }),
    url: `${scheme}://${auth}${host}:${port}/${db}`,
  };
  if (password !== undefined) Object.defineProperty(url, "password", { value: password, enumerable: false });
  return url;
}

/** BullMQ/ioredis connection options for `url`: commands wait through a Redis restart instead of failing. */
export function connectionOptions(url: QueueUrl) {
  return {
    host: url.host,
    port: url.port,
    db: url.db,
    ...(url.username === undefined ? {} : { username: url.username }),
    ...(url.password === undefined ? {} : { password: url.password }),
    // rediss://: TLS with the system's certificate authorities, checked against the host name.
    ...(url.tls ? { tls: { servername: url.host } } : {}),
    // null: a command waits for the reconnection (BullMQ's requirement for workers; for the
    // coordinator it is what lets a run ride out a Redis restart).
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

/** The BullMQ queue names (one per kind of job). */
export const QUEUE_NAMES = { neighbours: "setsim-neighbours", embed: "setsim-embed" } as const;
