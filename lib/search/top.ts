/** Top-k selection shared by the shortlists. @module */

/** Indices of the `k` largest values (ties: lower index first), best first. */
export function topIndices(scores: Float32Array, k: number): number[] {
  if (k <= 0) return [];
  const threshold = scores.length <= k ? -Infinity : Float32Array.from(scores).sort()[scores.length - k];
  const picked: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] >= threshold) picked.push(i);
  picked.sort((a, b) => scores[b] - scores[a] || a - b);
  return picked.slice(0, k);
}
