/**
 * The worker side of a {@link createWorkerPool} pool (`./pool.ts`): call {@link serveTasks} once at
 * the top of the worker module with the handlers of its messages.
 *
 * Messages are handled strictly one after another in arrival order, even when a handler is
 * async, so a broadcast state is always in place before the tasks posted after it. A task that
 * throws is answered with its message and stack (its promise in the pool rejects); an `init` that
 * throws is rethrown as an uncaught error, which ends the worker and the pool's start.
 *
 * @example (not run by the doc tests: the top of a worker module; the example of `pool.ts` writes one and runs it)
 * ```ts ignore
 * // sum_worker.ts
 * import { serveTasks } from "./serve.ts";
 * serveTasks<{ rows: number[] }, number>({ task: ({ rows }) => rows.reduce((a, b) => a + b, 0) });
 * ```
 * @module
 */
/// <reference lib="deno.worker" />

import type { PoolReply, PoolRequest } from "./pool.ts";

/** What a worker does with each kind of message. */
export interface TaskHandlers<Task, Result, Note = never> {
  /** Once, before any other message (the pool's `init` option); may be async. */
  init?(payload: unknown): void | Promise<void>;
  /** Each broadcast note (e.g. a state to keep for later tasks). */
  broadcast?(note: Note): void | Promise<void>;
  /** One task; its result is posted back (structured clone, or moved: see `transfer`). */
  task(payload: Task): Result | Promise<Result>;
  /** Buffers of a result to move to the pool instead of copying (e.g. large typed arrays). */
  transfer?(result: Result): Transferable[];
}

/** Answer the pool's messages with `handlers` (see the module documentation). */
export function serveTasks<Task, Result, Note = never>(handlers: TaskHandlers<Task, Result, Note>): void {
  const reply = (message: PoolReply, transfer: Transferable[] = []) => self.postMessage(message, transfer);
  const handle = async (message: PoolRequest) => {
    switch (message.type) {
      case "init":
        await handlers.init?.(message.payload);
        reply({ type: "ready" });
        return;
      case "broadcast":
        await handlers.broadcast?.(message.payload as Note);
        return;
      case "task": {
        let result: Result;
        try {
          result = await handlers.task(message.payload as Task);
        } catch (error) {
          const err = error as Error;
          reply({
            type: "failed",
            id: message.id,
            message: err?.message ?? String(error),
            stack: err?.stack,
          });
          return;
        }
        reply({ type: "done", id: message.id, result }, handlers.transfer?.(result));
        return;
      }
    }
  };
  let queue: Promise<void> = Promise.resolve();
  self.onmessage = (event: MessageEvent<PoolRequest>) => {
    queue = queue.then(() => handle(event.data)).catch((error) => {
      // Not a task's error (those are answered above): surface it as an uncaught worker error.
      setTimeout(() => {
        throw error;
      });
    });
  };
}
