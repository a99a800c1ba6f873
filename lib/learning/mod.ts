/**
 * Learned set similarity (issue 15): heads trained on frozen image embeddings with a set-level
 * contrastive loss, on protocols whose test items are never seen in training.
 *
 * | module         | what                                                                     |
 * | -------------- | ------------------------------------------------------------------------ |
 * | `protocols.ts` | leakage-free train/validation/test splits (+ `assertNoLeakage`)          |
 * | `heads.ts`     | projection head, attention-pooling (PMA) set encoder, soft Chamfer, InfoNCE |
 * | `train.ts`     | seeded, early-stopped training on TF.js (`wasm` or `cpu`, `backend.ts`)  |
 * | `onnx.ts`      | heads as ONNX (the project's writer) and their onnxruntime sessions      |
 * | `store.ts`     | `models/heads/NAME/` (head.onnx, image.onnx, head.json), written together |
 * | `data.ts`      | dataset → split → embeddings → prepared test protocol                    |
 * | `evaluate.ts`  | heads on a prepared protocol: projected embeddings, attention set scores |
 * | `run.ts`       | one run end to end (`deno task train`, notebook 09)                      |
 * | `report.ts`    | summary rows, comparison with the best hand-made method, backend timings |
 *
 * A saved head is usable as an image model, `--model mobilenet-v2+head:NAME` (per-image vectors;
 * resolved in `lib/embedding/registry.ts`), by eval, sweep, search and every set method.
 *
 * @example (not run by the doc tests: trains for minutes; tests/learning trains a small head)
 * ```ts ignore
 * import { runTraining } from "./mod.ts";
 * const run = await runTraining({ protocol: "coil100-unseen-objects", head: "attention", out: "coil-attn" });
 * ```
 * @module
 */

export * from "./backend.ts";
export * from "./data.ts";
export * from "./evaluate.ts";
export * from "./heads.ts";
export * from "./onnx.ts";
export * from "./protocols.ts";
export * from "./run.ts";
export * from "./store.ts";
export * from "./train.ts";
export * from "./report.ts";
