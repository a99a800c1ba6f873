/**
 * Deno Worker entry point of the sweep's cell pool (see `./pool.ts`). It imports the backend
 * module named in its `init` message, keeps the shared states the pool posts (typed arrays over
 * `SharedArrayBuffer`s arrive without copying), and evaluates one cell per `cell` message.
 *
 * Messages are handled strictly in arrival order, so a state is always installed before the cells
 * that use it.
 * @module
 */
/// <reference lib="deno.worker" />

import type { SweepBackend } from "./backend.ts";
import type { SweepCell } from "./cell.ts";

/** Messages the pool sends. */
export type PoolRequest =
  | { type: "init"; backendUrl: string }
  | { type: "state"; key: string; value: unknown }
  | { type: "drop"; key: string }
  | { type: "cell"; id: number; sharedKey: string; methodKey: string; cell: SweepCell };

/** Messages a worker answers with. */
export type PoolResponse =
  | { type: "ready" }
  | { type: "done"; id: number; result: unknown }
  | { type: "failed"; id: number; message: string; stack?: string };

let backend: SweepBackend | undefined;
const states = new Map<string, unknown>();
let queue: Promise<void> = Promise.resolve();

function reply(message: PoolResponse): void {
  self.postMessage(message);
}

async function handle(message: PoolRequest): Promise<void> {
  switch (message.type) {
    case "init": {
      const module = await import(message.backendUrl);
      backend = module.backend as SweepBackend;
      if (!backend || typeof backend.evaluate !== "function") {
        throw new Error(`${message.backendUrl} does not export a sweep backend named "backend"`);
      }
      reply({ type: "ready" });
      return;
    }
    case "state":
      states.set(message.key, message.value);
      return;
    case "drop":
      states.delete(message.key);
      return;
    case "cell": {
      try {
        if (!backend) throw new Error("sweep worker received a cell before init");
        if (!states.has(message.sharedKey)) throw new Error("sweep worker has no state for the cell's group");
        const result = await backend.evaluate(
          states.get(message.sharedKey),
          states.get(message.methodKey),
          message.cell,
        );
        reply({ type: "done", id: message.id, result });
      } catch (error) {
        const err = error as Error;
        reply({ type: "failed", id: message.id, message: err.message ?? String(error), stack: err.stack });
      }
      return;
    }
  }
}

self.onmessage = (event: MessageEvent<PoolRequest>) => {
  queue = queue.then(() => handle(event.data)).catch((error) => {
    // An init failure has no cell to blame: surface it as an uncaught worker error.
    setTimeout(() => {
      throw error;
    });
  });
};
