/**
 * The real-data sweep backend (real datasets, protocols, matching and metrics) with a small
 * deterministic embedder in place of the network, so tests and the sweep benchmark need no model
 * files. Use it through the CLI's test hook: `SETSIM_SWEEP_BACKEND=<this file>`.
 * @module
 */

import type { ImageEmbedder } from "../../lib/evaluation/mod.ts";
import { createSetsimBackend } from "../../lib/sweep/setsim_backend.ts";

const DIM = 16;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Fake embeddings: a class direction (COIL object or grocery folder) plus per-image noise, L2-normalised. */
export const embed: ImageEmbedder = (inputs) => {
  const data = new Float32Array(inputs.length * DIM);
  inputs.forEach((input, row) => {
    const path = String(input);
    const label = path.match(/obj(\d+)__/)?.[1] ?? path.split("/").slice(-2, -1)[0];
    const v = data.subarray(row * DIM, (row + 1) * DIM);
    v[hash(label) % DIM] += 1;
    let state = hash(path);
    for (let k = 0; k < DIM; k++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      v[k] += 0.8 * (state / 2 ** 32 - 0.5);
    }
    const norm = Math.hypot(...v);
    for (let k = 0; k < DIM; k++) v[k] /= norm;
  });
  return Promise.resolve({
    embeddings: { data, count: inputs.length, dim: DIM },
    index: inputs.map((_, i) => i),
    failures: [],
    model: "fake",
    fingerprint: "fake-16",
  });
};

/** The backend the sweep engine and its workers import. */
export const backend = createSetsimBackend({ embed });
