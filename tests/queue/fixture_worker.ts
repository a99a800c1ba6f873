/**
 * A queue worker for the fault tests of `lib/queue`: squares numbers slowly (so SIGKILLs land
 * mid-job) and always fails on 13 (the job that must be reported, not retried forever).
 *
 *   deno run -A tests/queue/fixture_worker.ts redis://127.0.0.1:PORT/0 LOCK_MS
 * @module
 */

import { parseQueueUrl, serveJobs } from "../../lib/queue/mod.ts";

export const FIXTURE_QUEUE = "setsim-test-squares";

if (import.meta.main) {
  const server = serveJobs({
    url: parseQueueUrl(Deno.args[0]),
    lockMs: Number(Deno.args[1]),
    log: () => {},
    handlers: {
      [FIXTURE_QUEUE]: async (data) => {
        const { x } = data as { x: number };
        await new Promise((resolve) => setTimeout(resolve, 40 + (x % 5) * 20));
        if (x === 13) throw new Error("13 is refused by this worker");
        return { square: x * x };
      },
    },
  });
  Deno.addSignalListener("SIGTERM", async () => {
    await server.close();
    Deno.exit(0);
  });
}
