/**
 * Serve an index: the JSON API (see /openapi.json) and the web app at `/`.
 *
 *   deno task serve --index DIR [--host 127.0.0.1] [--port 8080] [--token T] [limits]
 *
 * Flags, defaults and validation: the `serve` entry of the command table (scripts/tasks.ts;
 * `deno task serve --help`). Binds 127.0.0.1 by default; another address needs --token (bearer
 * auth on every route but /health). A new version committed by `deno task index` is picked up
 * between requests. Stops on Ctrl-C.
 * @module
 */

import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { serve } from "../lib/server/mod.ts";
import { serve as serveTask } from "./tasks.ts";

await runTask(serveTask, async ({ values }) => {
  const config = applyConfigFlags(values);
  let server;
  try {
    server = await serve({
      index: values.index,
      host: values.host,
      port: values.port,
      token: values.token ?? Deno.env.get("SETSIM_TOKEN") ?? undefined,
      config,
      reloadIntervalMs: values["reload-ms"],
      limits: {
        maxBodyBytes: values["max-body-mb"] * 2 ** 20,
        maxPhotos: values["max-photos"],
        maxPixels: values["max-pixels"],
        timeoutMs: values["timeout-ms"],
        maxConcurrent: values["max-concurrent"],
      },
    });
  } catch (error) {
    // A missing or unreadable index, a short token, a public address without one: the user's input.
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
