/**
 * Worker side of `scoreSetPairsParallel` / `matchSequencesParallel` (a `lib/workers` pool): scores
 * one contiguous range of query sets against every gallery set, reading the similarity matrix from
 * shared memory. Scores go straight into the shared output; match sequences are moved back.
 * @module
 */
/// <reference lib="deno.worker" />

import { serveTasks } from "../workers/serve.ts";
import { type BatchJob, type MatchSequences, matchSequences, scoreSetPairs } from "./batch.ts";

type BatchReply = { unconverged: number } | { sequences: MatchSequences };

serveTasks<BatchJob, BatchReply>({
  task(job) {
    const input = { similarity: job.similarity, querySets: job.querySets, gallerySets: job.gallerySets };
    if (job.kind === "score") {
      const scores = scoreSetPairs(input, job.options);
      job.output!.set(scores.data, job.outputOffset!);
      return { unconverged: scores.unconverged };
    }
    return { sequences: matchSequences(input, job.options) };
  },
  transfer: (reply) =>
    "sequences" in reply ? [reply.sequences.offsets.buffer, reply.sequences.values.buffer] : [],
});
