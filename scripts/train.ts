/**
 * Train a learned set-similarity head on frozen image embeddings (issue 15).
 *
 *   deno task train --dataset coil100|grocery --protocol P --head projection|attention --out NAME
 *                   [--epochs N] [--seed S] [--backend wasm|cpu] [--dim K] [--hidden H] [--heads H]
 *                   [--batch B] [--passes N] [--patience N] [--lr X] [--temperature T]
 *                   [--bootstrap N] [--json] [--model NAME] [--data-dir DIR] [--models-dir DIR]
 *
 * Protocols: coil100-unseen-objects, grocery-unseen-classes, grocery-new-photos (also accepted
 * without the dataset prefix: `--dataset grocery --protocol unseen-classes`), and catalog-items for
 * any catalog with group labels (`--dataset PATH --protocol catalog-items`: a seeded half of the
 * groups is the test set, never trained on). The head is saved
 * in `<models>/heads/NAME/` and can then be used as `--model mobilenet-v2+head:NAME` by eval,
 * sweep, search and every set method. Progress (loss, validation mAP per epoch) goes to stderr;
 * with --json stdout is one JSON object (protocol, head, seed, backend, epochs, best_epoch,
 * training_seconds, test metrics with 95% intervals, saved folder).
 * Exit code 2 on bad flags, 1 on failures while working.
 * @module
 */

import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { formatUsage, runTask } from "../lib/cli/table.ts";
import {
  checkBackend,
  checkLearningProtocol,
  HEAD_KINDS,
  type HeadKind,
  runTraining,
} from "../lib/learning/mod.ts";
import { formatMetricInterval } from "../lib/evaluation/format.ts";
import { train } from "./tasks.ts";

await runTask(train, async ({ values }) => {
  const USAGE = formatUsage(train);
  if (values.protocol === undefined) throw new UsageError(`--protocol is required\n${USAGE}`);
  if (values.head === undefined) throw new UsageError(`--head must be ${HEAD_KINDS.join(" or ")}\n${USAGE}`);
  if (values.out === undefined) {
    throw new UsageError(`--out NAME is required (the head is saved as models/heads/NAME)\n${USAGE}`);
  }
  let protocol: string;
  try {
    protocol = checkLearningProtocol(values.protocol, values.dataset);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (protocol === "catalog-items") {
    if (values.dataset === undefined) {
      throw new UsageError("catalog-items needs --dataset PATH (a catalog folder or manifest)");
    }
  } else if (
    values.dataset !== undefined && !protocol.startsWith(values.dataset.replace("grocery_store", "grocery"))
  ) {
    throw new UsageError(`protocol "${protocol}" does not apply to dataset "${values.dataset}"`);
  }
  let backend;
  try {
    backend = checkBackend(values.backend);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const config = applyConfigFlags(values);
  const run = await runTraining({
    protocol,
    catalog: protocol === "catalog-items" ? values.dataset : undefined,
    head: values.head as HeadKind,
    out: values.out,
    config,
    backend,
    epochs: values.epochs,
    seed: values.seed,
    outputDim: values.dim,
    hidden: values.hidden,
    heads: values.heads,
    batchItems: values.batch,
    passes: values.passes,
    patience: values.patience,
    learningRate: values.lr,
    temperature: values.temperature,
    bootstrap: values.bootstrap,
  });
  const { head, test, saved } = run;
  const summary = {
    protocol,
    head: head.config.kind,
    name: values.out,
    seed: head.options.seed,
    backend: head.backend,
    config: head.config,
    epochs: head.history.length,
    best_epoch: head.bestEpoch,
    stopped_early: head.stoppedEarly,
    initial_validation_map: head.initialValidationMap,
    best_validation_map: head.bestEpoch === 0
      ? head.initialValidationMap
      : head.history[head.bestEpoch - 1].validationMap,
    training_seconds: head.seconds,
    train_items: run.data.train.length,
    validation_items: run.data.validation.length,
    test: test ?? null,
    saved: saved?.dir ?? null,
    model: `${run.data.model}+head:${values.out}`,
  };
  if (values.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(
    `${protocol} ${summary.head} head "${values.out}" (seed ${summary.seed}, ${summary.backend}): ` +
      `${summary.epochs} epochs, kept epoch ${summary.best_epoch}, ${head.seconds.toFixed(1)} s`,
  );
  if (test) {
    console.log(
      // The value alone when there is no interval (--bootstrap 0).
      `  test: Recall@1 ${formatMetricInterval({ ...test }, "recall_at_1")}  ` +
        `mAP ${formatMetricInterval({ ...test }, "map")}  (${test.n_queries} queries)`,
    );
  }
  console.log(`  saved ${saved?.dir}; use it as --model ${summary.model}`);
});
