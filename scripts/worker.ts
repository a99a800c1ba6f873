/**
 * Take jobs of a distributed run from Redis, on this or any other machine.
 *
 *   deno task worker --queue redis://HOST:PORT/N [--index DIR] [--photos DIR] [--concurrency N] [--lock-ms MS]
 *
 * Flags, defaults and validation: the `worker` entry of the command table (scripts/tasks.ts;
 * `deno task worker --help`). With `--index DIR` it takes `neighbours --queue` chunks (answered
 * from DIR, which must hold the same index version as the run's: a shared folder or a fresh copy);
 * it takes `index --queue` embedding batches always, reading the photos from `--photos DIR`
 * (default: the paths the run sent, i.e. a shared filesystem mounted at the same place). At start
 * it checks that it can read the index folder and the photos (the index's catalog root when no
 * `--photos` is given) and stops with a clear error otherwise. Runs until Ctrl-C / SIGTERM,
 * finishing the running job. A worker killed outright loses nothing: its job runs again elsewhere
 * after `--lock-ms`.
 * @module
 */

import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { formatUsage, runTask } from "../lib/cli/table.ts";
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
import { worker } from "./tasks.ts";

await runTask(worker, async ({ values }) => {
  if (values.index === undefined && values.photos === undefined) {
    throw new UsageError(
      `give --index DIR (neighbours jobs) and/or --photos DIR (embedding jobs)\n${formatUsage(worker)}`,
    );
  }
  const url = parseQueueUrl(values.queue);
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
  const server = serveJobs({ url, handlers, concurrency: values.concurrency, lockMs: values["lock-ms"] });
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
