/**
 * A synthetic sweep backend for tests (no images, no models): each group draws, from a seeded
 * generator, the best-first match similarities of 16 query × 16 gallery set pairs (the diagonal
 * pairs are the relevant ones and score higher), then a cell averages the first min(m, #≥ s) of
 * them and computes Recall@1/5 and AP with a seeded bootstrap.
 *
 * Used through the CLI's test hook: `SETSIM_SWEEP_BACKEND=<this file's URL>`.
 * `SETSIM_SWEEP_FAKE_DELAY_MS` adds a delay per cell, so a test can kill a sweep midway.
 * @module
 */

import type { CellMetrics, SweepBackend } from "../../lib/sweep/backend.ts";
import type { GroupSpec, SweepCell } from "../../lib/sweep/cell.ts";

const N = 16;
const K = 4;

interface FakeShared {
  /** N × N × K best-first similarities, over a SharedArrayBuffer. */
  profiles: Float64Array;
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function stringSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function delayMs(): number {
  const value = Number(Deno.env.get("SETSIM_SWEEP_FAKE_DELAY_MS") ?? "0");
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function queryMetrics(scores: Float64Array, q: number): [number, number, number] {
  // Relevant gallery item is g = q; ties rank pessimistically (stable, enough for a fake).
  const own = scores[q];
  let above = 0;
  for (let g = 0; g < N; g++) if (g !== q && scores[g] >= own) above++;
  const rank = above + 1;
  return [rank <= 1 ? 1 : 0, rank <= 5 ? 1 : 0, 1 / rank];
}

/** The synthetic backend. */
export const backend: SweepBackend<FakeShared, undefined> = {
  datasets: ["alpha", "beta"],
  methods: ["greedy", "optimal"],
  metrics: ["recall_at_1", "recall_at_5", "map"],
  protocols: (dataset) => (dataset === "alpha" ? ["p1", "p2"] : ["p1"]),
  defaultProtocol: () => "p1",
  identify: (model) => ({ fingerprint: `fake-${model}` }),
  prepare(group: GroupSpec): Promise<FakeShared> {
    const rng = lcg(stringSeed(`${group.dataset}/${group.protocol}/${group.seed}/${group.model}`));
    const profiles = new Float64Array(new SharedArrayBuffer(N * N * K * 8));
    for (let q = 0; q < N; q++) {
      for (let g = 0; g < N; g++) {
        const base = (q * N + g) * K;
        let top = q === g ? 0.7 + 0.3 * rng() : 0.4 + 0.55 * rng();
        for (let k = 0; k < K; k++) {
          profiles[base + k] = Math.round(top * 1000) / 1000;
          top -= 0.25 * rng();
        }
      }
    }
    return Promise.resolve({ profiles });
  },
  async evaluate(shared: FakeShared, _method: undefined, cell: SweepCell): Promise<CellMetrics> {
    const delay = delayMs();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const bonus = cell.method === "optimal" ? 0.01 : 0;
    const s = cell.s ?? -Infinity;
    const m = cell.m ?? K;
    const perQuery: [number, number, number][] = [];
    for (let q = 0; q < N; q++) {
      const scores = new Float64Array(N);
      for (let g = 0; g < N; g++) {
        let sum = 0, count = 0;
        for (let k = 0; k < Math.min(m, K); k++) {
          const v = shared.profiles[(q * N + g) * K + k] + (g === q ? bonus : 0);
          if (v >= s) {
            sum += v;
            count++;
          }
        }
        scores[g] = count === 0 ? -Infinity : sum / count;
      }
      perQuery.push(queryMetrics(scores, q));
    }
    const names = ["recall_at_1", "recall_at_5", "map"];
    const metrics: Record<string, number> = {};
    const ci95: Record<string, [number, number]> = {};
    names.forEach((name, t) => (metrics[name] = perQuery.reduce((a, p) => a + p[t], 0) / N));
    if (cell.bootstrap > 0) {
      const rng = lcg(cell.seed + 1);
      const draws = names.map(() => new Float64Array(cell.bootstrap));
      for (let b = 0; b < cell.bootstrap; b++) {
        for (let i = 0; i < N; i++) {
          const p = perQuery[Math.floor(rng() * N)];
          for (let t = 0; t < names.length; t++) draws[t][b] += p[t] / N;
        }
      }
      names.forEach((name, t) => {
        const sorted = draws[t].sort();
        ci95[name] = [
          sorted[Math.floor(0.025 * (cell.bootstrap - 1))],
          sorted[Math.ceil(0.975 * (cell.bootstrap - 1))],
        ];
      });
    }
    return { metrics, ci95 };
  },
};
