/**
 * Take jobs of a distributed run from Redis, on this or any other machine.
 *
 *   deno task worker --queue redis://HOST:PORT/N [--index DIR] [--photos DIR] [--concurrency N] [--lock-ms MS]
 *
 * With `--index DIR` it takes `neighbours --queue` chunks (answered from DIR, which must hold the
 * same index version as the run's: a shared folder or a fresh copy); it takes `index --queue`
 * embedding batches always, reading the photos from `--photos DIR` (default: the paths the run
 * sent, i.e. a shared filesystem mounted at the same place). At start it checks that it can read
 * the index folder and the photos (the index's catalog root when no `--photos` is given) and
 * stops with a clear error otherwise. Runs until Ctrl-C / SIGTERM, finishing the running job.
 * A worker killed outright loses nothing: its job runs again elsewhere after `--lock-ms`.
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
import { loadImageEmbedder, openIndex } from "../lib/index/mod.ts";
import { neighboursJobHandler } from "../lib/neighbours/queue.ts";
import {
  checkReadableFolder,
  embedJobHandler,
  type JobHandler,
  parseQueueUrl,
  QUEUE_NAMES,
  serveJobs,
} from "../lib/queue/mod.ts";

const USAGE = `usage: deno task worker --queue redis://HOST:PORT/N [--index DIR] [--photos DIR] ` +
  `[--concurrency N] [--lock-ms MS]

  --queue URL      the Redis of the run (the one given to index/neighbours --queue)
  --index DIR      take neighbours jobs, answered from this index folder (shared, or a copy of the same version)
  --photos DIR     this machine's copy of the catalog's photos (default: the run's own paths, shared filesystem)
  --concurrency N  jobs at once per queue (default 1)
  --lock-ms MS     how long a killed worker's job waits before running elsewhere (default 30000)`;

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    ...CONFIG_FLAGS,
    queue: { type: "string" },
    index: { type: "string" },
    photos: { type: "string" },
    concurrency: { type: "string" },
    "lock-ms": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  if (!values.queue) throw new UsageError(`--queue redis://HOST:PORT/N is required\n${USAGE}`);
  let url;
  try {
    url = parseQueueUrl(values.queue);
  } catch (error) {
    throw new UsageError(`--queue: ${(error as Error).message}`);
  }
  if (values.index === undefined && values.photos === undefined) {
    throw new UsageError(`give --index DIR (neighbours jobs) and/or --photos DIR (embedding jobs)\n${USAGE}`);
  }
  const config = applyConfigFlags(values);
  // The start-up check: the folders this worker will read, before it takes any job.
  if (values.index !== undefined) {
    try {
      const reader = await openIndex(values.index);
      const root = reader.manifest.catalog.root;
      reader.close();
      if (values.photos === undefined && !/^[a-z]+:\/\//.test(root)) {
        await checkReadableFolder(root, "photos");
      }
    } catch (error) {
      throw new UsageError(
        `--index ${values.index}: ${
          (error as Error).message
        }\nA worker needs the index folder and the photos of the run: a shared filesystem or a copied folder.`,
      );
    }
  }
  if (values.photos !== undefined) {
    try {
      await checkReadableFolder(values.photos, "photos");
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const handlers: Record<string, JobHandler> = {
    [QUEUE_NAMES.embed]: embedJobHandler({
      photos: values.photos,
      load: (model) => loadImageEmbedder({ model, config }),
    }),
  };
  const neighbours = values.index !== undefined ? neighboursJobHandler(values.index) : undefined;
  if (neighbours !== undefined) handlers[QUEUE_NAMES.neighbours] = neighbours.handle;
  const server = serveJobs({
    url,
    handlers,
    concurrency: parseIntegerFlag("concurrency", values.concurrency, 1),
    lockMs: parseIntegerFlag("lock-ms", values["lock-ms"], 100),
  });
  console.error(
    `worker ${Deno.pid}: taking ${Object.keys(handlers).join(", ")} jobs from ${url.url}${
      values.index ? ` (index ${values.index})` : ""
    }`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
  console.error(`worker ${Deno.pid}: stopping after the running job`);
  await server.close();
  await neighbours?.close();
  Deno.exit(0);
});
