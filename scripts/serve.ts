/**
 * Serve an index: the JSON API (see /openapi.json) and the web app at `/`.
 *
 *   deno task serve --index DIR [--host 127.0.0.1] [--port 8080] [--token T] [--max-body-mb 32]
 *                   [--max-photos 16] [--max-pixels 40000000] [--timeout-ms 30000]
 *                   [--max-concurrent 64] [--reload-ms 250]
 *
 * Binds 127.0.0.1 by default; another address needs --token (bearer auth on every route but /health).
 * A new version committed by `deno task index` is picked up between requests. Stops on Ctrl-C.
 * @module
 */

import {
  applyConfigFlags,
  CONFIG_FLAGS,
  parseFlags,
  parseIntegerFlag,
  runCli,
  UsageError,
} from "../lib/cli/mod.ts";
import { DEFAULT_LIMITS, serve } from "../lib/server/mod.ts";

const USAGE = `usage: deno task serve --index DIR [--host 127.0.0.1] [--port 8080] [--token T]
  [--max-body-mb ${DEFAULT_LIMITS.maxBodyBytes / 2 ** 20}] [--max-photos ${DEFAULT_LIMITS.maxPhotos}] ` +
  `[--max-pixels ${DEFAULT_LIMITS.maxPixels}]
  [--timeout-ms ${DEFAULT_LIMITS.timeoutMs}] [--max-concurrent ${DEFAULT_LIMITS.maxConcurrent}] [--reload-ms 250]

Serves the JSON API (GET /openapi.json describes it) and the web app at http://HOST:PORT/.
--host other than loopback requires --token (also read from SETSIM_TOKEN); the token is a bearer
token on every route except /health and the page's files. A newly committed index version is
picked up between requests (checked at most every --reload-ms).`;

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    ...CONFIG_FLAGS,
    index: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8080" },
    token: { type: "string" },
    "max-body-mb": { type: "string" },
    "max-photos": { type: "string" },
    "max-pixels": { type: "string" },
    "timeout-ms": { type: "string" },
    "max-concurrent": { type: "string" },
    "reload-ms": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  if (!values.index) throw new UsageError(`--index DIR is required\n${USAGE}`);
  const port = parseIntegerFlag("port", values.port, 0)!;
  if (port > 65535) throw new UsageError(`--port must be ≤ 65535, got ${port}`);
  const maxBodyMb = parseIntegerFlag("max-body-mb", values["max-body-mb"], 1);
  const config = applyConfigFlags(values);
  const token = values.token ?? Deno.env.get("SETSIM_TOKEN") ?? undefined;
  let server;
  try {
    server = await serve({
      index: values.index,
      host: values.host,
      port,
      token,
      config,
      reloadIntervalMs: parseIntegerFlag("reload-ms", values["reload-ms"], 0),
      limits: {
        ...(maxBodyMb !== undefined ? { maxBodyBytes: maxBodyMb * 2 ** 20 } : {}),
        ...optional("maxPhotos", parseIntegerFlag("max-photos", values["max-photos"], 1)),
        ...optional("maxPixels", parseIntegerFlag("max-pixels", values["max-pixels"], 1)),
        ...optional("timeoutMs", parseIntegerFlag("timeout-ms", values["timeout-ms"], 1)),
        ...optional("maxConcurrent", parseIntegerFlag("max-concurrent", values["max-concurrent"], 1)),
      },
    });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  console.error(
    `serve: ${values.index} (version ${server.holder.version}) at ${server.url}/ — API: ${server.url}/openapi.json`,
  );
  const stop = () => server.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
});

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : { [key]: value } as Record<K, number>;
}
