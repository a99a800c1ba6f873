/**
 * A throw-away `redis-server` for the queue tests and the distributed benchmark (not for
 * production: there Redis is the operator's, docs/distributed.md): 127.0.0.1 only, a
 * free port, its own temporary folder, the append-only file on (fsync on every write, so a
 * restart keeps every acknowledged write), no RDB snapshots. `restart()` stops it the way an
 * operator would (SIGTERM: it flushes and exits) and starts it again on the same port and folder.
 * @module
 */

/** A running test Redis. */
export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  /** Stop and start again on the same port and folder (the queue survives in the AOF). */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stop it and remove its folder (idempotent; call in `finally`). */
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function ping(port: number, password?: string): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      // With a password, AUTH first (a server that requires one answers PING with -NOAUTH).
      const auth = password === undefined ? "" : `AUTH ${JSON.stringify(password)}\r\n`;
      await conn.write(new TextEncoder().encode(`${auth}PING\r\n`));
      const buffer = new Uint8Array(64);
      let text = "";
      while (!text.includes("\r\n") || (auth && text.split("\r\n").length < 3)) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
      }
      return text.split("\r\n").includes("+PONG");
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

/**
 * Start redis-server (fails with a clear error when it is not installed or does not answer in 10 s).
 * With `password` it requires one (`requirepass`), and `url` carries it (`redis://:PASSWORD@…`).
 */
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const dir = await Deno.makeTempDir({ prefix: "setsim-redis-" });
  const port = freePort();
  let child: Deno.ChildProcess | undefined;
  const launch = async () => {
    try {
      child = new Deno.Command("redis-server", {
        args: [
          "--bind",
          "127.0.0.1",
          "--port",
          String(port),
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          "yes",
          "--appendfsync",
          "always",
          "--protected-mode",
          "yes",
          ...(options.password === undefined ? [] : ["--requirepass", options.password]),
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch (error) {
      throw new Error(
        `cannot start redis-server (${(error as Error).message}); install it: apt-get install redis-server`,
      );
    }
    const deadline = performance.now() + 10_000;
    while (!(await ping(port, options.password))) {
      if (performance.now() > deadline) {
        throw new Error(`redis-server on 127.0.0.1:${port} did not answer in 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };
  const halt = async () => {
    if (child === undefined) return;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const status = child.status;
    const timer = setTimeout(() => {
      try {
        child?.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await status;
    clearTimeout(timer);
    child = undefined;
  };
  await launch();
  return {
    port,
    url: `redis://${
      options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`
    }127.0.0.1:${port}/0`,
    dir,
    async restart(options = {}) {
      await halt();
      await new Promise((resolve) => setTimeout(resolve, options.downMs ?? 300));
      await launch();
    },
    async stop() {
      await halt();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
