/**
 * A guard against a silent exit while native work is pending.
 *
 * Deno ends a process when its event loop has nothing left to do. A LanceDB call is a promise
 * settled from a Rust thread through a Node-API threadsafe function, and that function is what
 * keeps the loop alive. If the native side drops it without settling the promise (a panic in the
 * Rust task, for instance), nothing keeps the loop alive: a script whose main promise is not
 * awaited at the top level then exits with code 0 and prints nothing after the call — the symptom
 * one trial saw after a 100,000-row `createIndex` under heavy load. (With top-level await Deno says
 * "Top-level await promise never resolved" and exits 1.) The guard turns that into a clear error
 * and a non-zero exit code: code run inside {@link whilePending} that has not finished when the
 * process unloads sets exit code 70 and names what was pending.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { whilePending } from "./pending.ts";
 * // Settled work passes its result (or its error) through unchanged.
 * assert.equal(await whilePending("counting", () => Promise.resolve(1 + 1)), 2);
 * await assert.rejects(whilePending("failing", () => Promise.reject(new Error("boom"))), /boom/);
 * ```
 * @module
 */

const pending = new Map<number, string>();
let nextId = 0;
let installed = false;

/** Exit code set when the process exits with guarded work still pending. */
export const PENDING_EXIT_CODE = 70;

function install(): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener("unload", () => {
    if (pending.size === 0) return;
    const what = [...pending.values()].join(", ");
    console.error(
      `error: the process is exiting while "${what}" is still waiting on native work that will never ` +
        `finish (the event loop emptied: a native promise was dropped, e.g. after a panic); nothing was committed`,
    );
    Deno.exitCode = PENDING_EXIT_CODE;
  });
}

/** Run `work`; if the process exits before it settles, report `label` and exit with {@link PENDING_EXIT_CODE}. */
export async function whilePending<T>(label: string, work: () => Promise<T>): Promise<T> {
  install();
  const id = nextId++;
  pending.set(id, label);
  try {
    return await work();
  } finally {
    pending.delete(id);
  }
}
