/**
 * A throw-away `redis-server` for the queue tests and the distributed benchmark (not for
 * production: there Redis is the operator's, docs/distributed.md): 127.0.0.1 only, a
 * free port, its own temporary folder, optionally a password and TLS, the append-only file on (fsync on every write, so a
 * restart keeps every acknowledged write), no RDB snapshots. `restart()` stops it the way an
 * operator would (SIGTERM: it flushes and exits) and starts it again on the same port and folder.
 * @module
 */

import { join } from "node:path";

/** A running test Redis. */
export interface TestRedis {
  port: number;
  /** `redis://127.0.0.1:PORT/0`, or `rediss://:PASSWORD@localhost:PORT/0` with a password and TLS. */
  url: string;
  dir: string;
  /** With TLS: the PEM file of the test certificate authority (give it to clients as `DENO_CERT`). */
  caFile?: string;
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

async function ping(port: number, password?: string, caCert?: string): Promise<boolean> {
  try {
    const conn = caCert === undefined
      ? await Deno.connect({ hostname: "127.0.0.1", port })
      : await Deno.connectTls({ hostname: "localhost", port, caCerts: [caCert] });
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

/** A certificate authority and a server certificate for `localhost` / 127.0.0.1, made with openssl in `dir`. */
async function makeTestCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const files = { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output()
      .catch((error) => {
        throw new Error(
          `cannot run openssl (${(error as Error).message}); install it: apt-get install openssl`,
        );
      });
    if (!out.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  };
  const subject = (cn: string) => ["-subj", `/CN=${cn}`];
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    files.ca,
    "-days",
    "2",
    ...subject("setsim test CA"),
  );
  await openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    files.key,
    "-out",
    "server.csr",
    ...subject("localhost"),
  );
  await Deno.writeTextFile(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  await openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    files.ca,
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    files.cert,
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  );
  return files;
}

/** A command-line program can be run (`openssl version`, `redis-server --version`). */
export async function canRun(command: string, args: string[]): Promise<boolean> {
  return await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output()
    .then((r) => r.success, () => false);
}

/**
 * Start redis-server (fails with a clear error when it is not installed or does not answer in 10 s).
 * With `password` it requires one (`requirepass`), and `url` carries it (`redis://:PASSWORD@…`).
 * With `tls` it listens with TLS only, on a certificate of a test authority made with openssl
 * (`caFile`; `url` is `rediss://…@localhost:PORT/0`).
 */
export async function startRedis(options: { password?: string; tls?: boolean } = {}): Promise<TestRedis> {
  const dir = await Deno.makeTempDir({ prefix: "setsim-redis-" });
  const port = freePort();
  const tls = options.tls ? await makeTestCertificates(dir) : undefined;
  const caCert = tls === undefined ? undefined : await Deno.readTextFile(tls.ca);
  let child: Deno.ChildProcess | undefined;
  const launch = async () => {
    try {
      child = new Deno.Command("redis-server", {
        args: [
          "--bind",
          "127.0.0.1",
          ...(tls === undefined ? ["--port", String(port)] : [
            "--port",
            "0",
            "--tls-port",
            String(port),
            "--tls-cert-file",
            tls.cert,
            "--tls-key-file",
            tls.key,
            "--tls-ca-cert-file",
            tls.ca,
            "--tls-auth-clients",
            "no",
          ]),
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
    while (!(await ping(port, options.password, caCert))) {
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
    url: `${tls === undefined ? "redis" : "rediss"}://${
      options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`
    }${tls === undefined ? "127.0.0.1" : "localhost"}:${port}/0`,
    dir,
    ...(tls === undefined ? {} : { caFile: tls.ca }),
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
