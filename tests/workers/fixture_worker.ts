/**
 * A worker for the pool tests: tasks add the broadcast offset to a number after an optional
 * delay, fail with a chosen error, or kill the worker; `init` can fail on request.
 * @module
 */
/// <reference lib="deno.worker" />

import { serveTasks } from "../../lib/workers/serve.ts";

export type FixtureTask =
  | { kind: "add"; value: number; delayMs?: number }
  | { kind: "throw"; error: "RangeError" | "string"; message: string }
  | { kind: "crash"; message: string }
  | { kind: "bytes"; length: number }
  | { kind: "shared"; data: Int32Array; index: number };

export type FixtureResult = number | Uint8Array;

let offset = 0;
let label = "";

serveTasks<FixtureTask, FixtureResult, { offset: number }>({
  async init(payload) {
    const { label: given, failInit } = (payload ?? {}) as { label?: string; failInit?: boolean };
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (failInit) throw new Error("init refused");
    label = given ?? "";
  },
  broadcast(note) {
    offset = note.offset;
  },
  async task(task) {
    switch (task.kind) {
      case "add":
        if (task.delayMs) await new Promise((resolve) => setTimeout(resolve, task.delayMs));
        return task.value + offset + label.length;
      case "throw":
        if (task.error === "string") throw task.message;
        throw new RangeError(task.message);
      case "crash":
        setTimeout(() => {
          throw new Error(task.message);
        });
        return await new Promise<number>(() => {});
      case "bytes":
        return new Uint8Array(task.length).fill(7);
      case "shared":
        // Written through shared memory: the caller sees it without any copy coming back.
        task.data[task.index] = task.index * 10;
        return task.index;
    }
  },
  transfer: (result) => result instanceof Uint8Array ? [result.buffer] : [],
});
