/**
 * Worker side of `scoreSetPairsParallel` / `matchSequencesParallel`: scores one contiguous range of
 * query sets against every gallery set, reading the similarity matrix from shared memory.
 * @module
 */

import { matchSequences, scoreSetPairs } from "./batch.ts";
import type { MatchOptions, SimilarityMatrix } from "./types.ts";

/** A job for one worker. */
export interface BatchJob {
  kind: "score" | "sequences";
  similarity: SimilarityMatrix;
  querySets: number[][];
  gallerySets: number[][];
  options: MatchOptions;
  /** `score`: shared output, this job's scores go at `outputOffset`. */
  output?: Float64Array;
  outputOffset?: number;
}

// The DOM lib types `self` as a Window; in a worker it is a worker scope.
const scope = self as unknown as {
  onmessage: (event: MessageEvent<BatchJob>) => void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = (event: MessageEvent<BatchJob>) => {
  const job = event.data;
  try {
    const input = { similarity: job.similarity, querySets: job.querySets, gallerySets: job.gallerySets };
    if (job.kind === "score") {
      const scores = scoreSetPairs(input, job.options);
      job.output!.set(scores.data, job.outputOffset!);
      scope.postMessage({ ok: true, unconverged: scores.unconverged });
    } else {
      const sequences = matchSequences(input, job.options);
      scope.postMessage({ ok: true, sequences }, [sequences.offsets.buffer, sequences.values.buffer]);
    }
  } catch (error) {
    scope.postMessage({ ok: false, message: (error as Error).message });
  }
};
