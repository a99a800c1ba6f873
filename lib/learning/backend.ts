/**
 * The TF.js backend used for training: `wasm` (XNNPACK kernels in WebAssembly; the binaries ship in
 * `@tensorflow/tfjs-backend-wasm/dist/`) or `cpu` (plain JavaScript kernels).
 *
 * Determinism: both backends are deterministic for a fixed thread count — the JavaScript kernels run
 * on one thread, and the WebAssembly backend is pinned to one thread here (a multithreaded XNNPACK
 * reduction could change the float summation order). What differs is *between* backends: their matmul
 * kernels sum in different orders, so a head trained on `wasm` is not bit-identical to one trained on
 * `cpu` with the same seed. The backend is therefore recorded with every trained head. TF.js's own
 * random ops (`tf.randomNormal` without a seed, dropout) are never used: initial weights and batches
 * come from setsim's seeded generator (`lib/evaluation/random.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { useBackend } from "./backend.ts";
 * const tf = await useBackend("cpu");
 * assert.equal(tf.getBackend(), "cpu");
 * ```
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { join } from "node:path";
import { PROJECT_ROOT } from "../config/mod.ts";

/** Training backends. */
export const TRAINING_BACKENDS = ["wasm", "cpu"] as const;
/** A training backend name. */
export type TrainingBackend = typeof TRAINING_BACKENDS[number];

let wasmConfigured = false;

/** Check a backend name from a flag or option, naming the valid ones. */
export function checkBackend(name: string): TrainingBackend {
  if (!(TRAINING_BACKENDS as readonly string[]).includes(name)) {
    throw new RangeError(`unknown training backend "${name}"; choose from ${TRAINING_BACKENDS.join(", ")}`);
  }
  return name as TrainingBackend;
}

/**
 * Select (and on first use initialise) a TF.js backend; returns the `tf` namespace.
 * Production mode is switched on so TF.js does not print its "install tfjs-node" banner.
 */
export async function useBackend(name: TrainingBackend = "wasm"): Promise<typeof tf> {
  checkBackend(name);
  tf.enableProdMode();
  if (name === "wasm" && !wasmConfigured) {
    setWasmPaths(join(PROJECT_ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + "/");
    setThreadsCount(1);
    wasmConfigured = true;
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`TF.js backend "${name}" failed to initialise`);
  }
  await tf.ready();
  return tf;
}

export { tf };
