/**
 * The command table: one declarative entry per task (`deno task NAME`, and the two helper scripts
 * run with `deno run`), from which each task's `--help`, its parsing and its flag validation come
 * (`lib/cli/table.ts`). Each `scripts/NAME.ts` runs its entry with `runTask(TASKS.NAME, main)`; the
 * README's task table and the help tests read this table.
 *
 * It lives in `scripts/` rather than `lib/cli/` because its choices come from registries in higher
 * layers (set methods in lib/matching, shortlists in lib/search, heads in lib/learning, the sweep's
 * defaults in lib/sweep, which itself imports lib/cli; the server's limits in lib/server, the
 * neighbours' and the queue's defaults in lib/neighbours and lib/queue).
 *
 * To adopt the table in a new task: add an entry here (`defineTask({...})`) and replace
 * `runCli((argv) => { parseFlags(argv, {...}) ... })` by `runTask(TASKS.NAME, ({ values }) => ...)`.
 * @module
 */

import { CONFIG_FLAG_DEFS } from "../lib/cli/config_flags.ts";
import { defineTask, type FlagDef, type TaskSpec } from "../lib/cli/table.ts";
import { DATASET_NAMES } from "../lib/data/datasets.ts";
import { AUGMENT_KINDS } from "../lib/embedding/augment.ts";
import { HEAD_KINDS } from "../lib/learning/heads.ts";
import { MATCH_METHODS } from "../lib/matching/types.ts";
import { DEFAULT_CHUNK_SIZE } from "../lib/neighbours/run.ts";
import { formatOfPath, NEIGHBOUR_FORMATS } from "../lib/neighbours/rows.ts";
// The queue's address and defaults come from modules without bullmq (lib/queue/mod.ts loads it).
import { DEFAULT_ATTEMPTS, DEFAULT_CONCURRENCY, DEFAULT_LOCK_MS } from "../lib/queue/defaults.ts";
import { queueUrlProblem, redactQueueUrl } from "../lib/queue/url.ts";
import { SHORTLISTS } from "../lib/search/shortlist.ts";
import { DEFAULT_LIMITS } from "../lib/server/limits.ts";
import { SWEEP_DEFAULTS } from "../lib/sweep/grid.ts";

/** The similarity threshold `s` of the set methods (cosine similarities). */
const S_FLAG = {
  type: "number",
  min: -1,
  max: 1,
  value: "X",
  description: "count only matches with similarity ≥ X (methods that take s)",
} as const satisfies FlagDef;

/** The match cap `m`. */
const M_FLAG = {
  type: "integer",
  min: 1,
  value: "N",
  description: "average only the first N matches (methods that take m)",
} as const satisfies FlagDef;

const METHOD_FLAG = {
  type: "string",
  choices: MATCH_METHODS,
  value: "M",
  default: "chamfer",
  description: "set-similarity method",
} as const satisfies FlagDef;

const JSON_FLAG = { type: "boolean", description: "one JSON object on stdout" } as const satisfies FlagDef;
const QUIET_FLAG = { type: "boolean", description: "no progress output" } as const satisfies FlagDef;

/** `--index DIR` of the tasks that read an index. */
const INDEX_FLAG = {
  type: "string",
  value: "DIR",
  required: true,
  description: "the index folder",
} as const satisfies FlagDef;

/** How candidates are proposed and re-ranked: search's flags, shared by neighbours. */
const CANDIDATE_FLAGS = {
  where: {
    type: "string",
    value: "FILTER",
    description: "metadata filter on the candidates, e.g. \"category = 'Sports Shoes'\"",
  },
  exact: { type: "boolean", description: "score every item (no shortlist)" },
  shortlist: {
    type: "string",
    choices: Object.keys(SHORTLISTS),
    defaultText: "images",
    description: "how candidates are proposed",
  },
  candidates: { type: "integer", min: 1, value: "C", description: "items re-ranked exactly" },
  nprobes: { type: "integer", min: 1, description: "inverted lists probed" },
} as const satisfies Record<string, FlagDef>;

/** `--queue redis://HOST:PORT/N`: the address is checked before any work, its password never echoed. */
const QUEUE_FLAG = {
  type: "string",
  value: "redis://HOST:PORT/N",
  check: queueUrlProblem,
  display: redactQueueUrl,
  description: "the Redis of a distributed run (redis://:PASSWORD@HOST:PORT/N with a password, rediss:// " +
    "for TLS; docs/distributed.md)",
} as const satisfies FlagDef;
const REPORT_FLAG = {
  type: "string",
  value: "FILE.html",
  description: "also write a self-contained HTML report",
} as const satisfies FlagDef;

export const setup = defineTask({
  name: "setup",
  purpose: "convert the offline models into models/ (idempotent)",
  usage: ["[--quiet] [--force] [--only NAME,...] [--calibrate]"],
  flags: {
    quiet: QUIET_FLAG,
    force: { type: "boolean", description: "rebuild models whose stamp says they are up to date" },
    only: { type: "list", value: "NAME,...", description: "build only these models" },
    calibrate: {
      type: "boolean",
      description: "re-measure the int8 variants' activation ranges on the datasets first (writes " +
        "lib/embedding/model_build/calibration/*.json)",
    },
  },
  example: "deno task setup --quiet",
});

export const data = defineTask({
  name: "data",
  purpose: "download a dataset from its original source and lay it out for the loaders",
  usage: [`<${DATASET_NAMES.join("|")}|all> [--url URL] [--file ZIP] [--force] [--source kaggle|hf]`, "list"],
  positionals: {
    name: "DATASET",
    description: `${DATASET_NAMES.join(", ")}, all, or list (what is known and what is installed)`,
    min: 1,
    max: 1,
  },
  flags: {
    url: { type: "string", value: "URL", description: "download from this address instead" },
    file: { type: "string", value: "ZIP", description: "install from an archive you downloaded" },
    force: { type: "boolean", description: "replace an installed copy" },
    "keep-archive": { type: "boolean", description: "keep the downloaded archive" },
    "data-dir": CONFIG_FLAG_DEFS["data-dir"],
    source: {
      type: "string",
      choices: ["kaggle", "hf"],
      description: "myntra_footwear: Kaggle (needs a token) or the Hugging Face mirror (no account)",
    },
  },
  example: "deno task data coil100",
});

export const embed = defineTask({
  name: "embed",
  purpose: "embed images into L2-normalised vectors, with a manifest",
  usage: ["<dir|files...> [--model NAME] [--out embeddings.npy] [options]", "--list-models"],
  positionals: {
    name: "dir|files",
    description: "folders (searched recursively for images) or image files",
  },
  flags: {
    ...CONFIG_FLAG_DEFS,
    out: {
      type: "string",
      value: "FILE",
      default: "embeddings.npy",
      description: "x.npy (float32 [count, dim]) plus x.manifest.json, or x.json (manifest and vectors)",
    },
    "batch-size": { type: "integer", min: 1, description: "images per forward pass" },
    size: { type: "string", value: "WxH", description: "input size, e.g. 240x180" },
    fit: { type: "string", choices: ["pad", "crop", "stretch"], description: "how images fit the size" },
    "pad-color": { type: "string", value: "R,G,B", description: "letterbox colour, e.g. 255,255,255" },
    augment: { type: "string", choices: AUGMENT_KINDS, description: "embed a rotated or mirrored copy" },
    "no-cache": { type: "boolean", description: "do not read or write the embedding cache" },
    quiet: QUIET_FLAG,
    "list-models": { type: "boolean", description: "list the image models and exit" },
  },
  example: "deno task embed photos/ --out photos.npy",
});

export const evaluate = defineTask({
  name: "eval",
  purpose: "set-level retrieval metrics (Recall@k, mAP with bootstrap intervals) on a dataset or catalog",
  usage: [
    "--dataset coil100|grocery|myntra_footwear|PATH --method M[,M...] [--protocol P] [--s X] [--m N] [--json]",
    "--table [--model NAME] [--seed N] [--results FILE] [--out PREFIX]",
  ],
  flags: {
    dataset: {
      type: "string",
      value: "D",
      description: "a bundled dataset or a catalog PATH (folder of item folders, CSV/JSONL manifest)",
    },
    protocol: {
      type: "string",
      value: "P",
      defaultText: "the dataset's own",
      description: "unordered, ordered, grocery, single, items or group",
    },
    method: { type: "list", choices: MATCH_METHODS, value: "M[,M...]", description: "set methods" },
    s: S_FLAG,
    m: M_FLAG,
    seed: { type: "integer", min: 0, default: 0, description: "seed of the set draws and the bootstrap" },
    json: { ...JSON_FLAG, description: "one JSON object on stdout (one method)" },
    a: { type: "integer", min: 1, description: "query set size" },
    b: { type: "integer", min: 1, description: "gallery set size" },
    delta: { type: "number", value: "DEG", description: "ordered protocol: view shift in degrees" },
    "sets-per-class": { type: "integer", min: 1, description: "query sets per class" },
    "per-category": { type: "integer", min: 1, description: "group protocol: query items per group" },
    augment: {
      type: "string",
      value: "LIST",
      description: "add augmented copies: all, or rot90,rot180,rot270,flop,flip,mirror",
    },
    bootstrap: {
      type: "integer",
      min: 0,
      description: "bootstrap resamples for the 95% intervals, 0 = none",
    },
    epsilon: { type: "number", min: 0, minExclusive: true, value: "E", description: "sinkhorn's ε" },
    symmetric: { type: "boolean", description: "chamfer both ways" },
    "no-compare": { type: "boolean", description: "skip the greedy-vs-optimal comparison" },
    "no-record": { type: "boolean", description: "do not append the run to the runs log" },
    results: {
      type: "string",
      value: "FILE",
      defaultText: "results/eval/runs.jsonl",
      description: "the runs log",
    },
    table: { type: "boolean", description: "write the latest default runs as summary.md and .csv" },
    out: {
      type: "string",
      value: "PREFIX",
      defaultText: "results/eval/summary",
      description: "--table: where the summary goes",
    },
    ...CONFIG_FLAG_DEFS,
  },
  example: "deno task eval --dataset coil100 --method greedy,chamfer",
});

export const sweep = defineTask({
  name: "sweep",
  purpose: "evaluate every (s, m) cell of a grid per dataset, protocol and method; resumable",
  usage: ["[options]"],
  flags: {
    dataset: {
      type: "string",
      value: "LIST",
      default: SWEEP_DEFAULTS.dataset,
      description: "datasets or catalog paths",
      group: "Grid",
    },
    protocol: {
      type: "string",
      value: "LIST",
      defaultText: "each dataset's own",
      description: "protocols; each applies to the datasets that define it",
      group: "Grid",
    },
    method: {
      type: "string",
      value: "LIST",
      default: SWEEP_DEFAULTS.method,
      description: "matching methods that take s and m",
      group: "Grid",
    },
    s: {
      type: "string",
      value: "LIST",
      default: SWEEP_DEFAULTS.s,
      description: 'thresholds in [-1, 1]: numbers, inclusive ranges start:end:step, "none"',
      group: "Grid",
    },
    m: {
      type: "string",
      value: "LIST",
      default: SWEEP_DEFAULTS.m,
      description: 'matches averaged: integers ≥ 1, ranges 1:5, "all"',
      group: "Grid",
    },
    seed: {
      type: "integer",
      min: 0,
      default: SWEEP_DEFAULTS.seed,
      description: "seed of the set draws and the bootstrap",
      group: "Evaluation",
    },
    bootstrap: {
      type: "integer",
      min: 0,
      default: SWEEP_DEFAULTS.bootstrap,
      description: "bootstrap resamples for the 95% intervals, 0 = none",
      group: "Evaluation",
    },
    metric: {
      type: "string",
      value: "NAME",
      default: SWEEP_DEFAULTS.metric,
      description: "metric the best cell maximises and the heatmaps show",
      group: "Evaluation",
    },
    out: {
      type: "string",
      value: "DIR",
      defaultText: "results/sweep",
      description: "output folder",
      group: "Running",
    },
    workers: {
      type: "integer",
      min: 1,
      defaultText: "the number of cores, at most one per cell",
      description: "evaluation threads",
      group: "Running",
    },
    "no-figures": { type: "boolean", description: "skip the heatmaps", group: "Running" },
    json: {
      ...JSON_FLAG,
      description: "one JSON summary on stdout (progress stays on stderr)",
      group: "Running",
    },
    quiet: { type: "boolean", description: "no progress output", group: "Running" },
    ...CONFIG_FLAG_DEFS,
    // The sweep's backend is pluggable (SETSIM_SWEEP_BACKEND) and checks the model itself
    // (`identify`) before any cell runs.
    model: { ...CONFIG_FLAG_DEFS.model, check: undefined },
  },
  notes: `Writes DIR/sweep.csv and DIR/sweep.json (one row per cell, grid order), DIR/heatmap-*.svg/.png,
and the journal DIR/cells.jsonl. Interrupt at any time; rerunning the same command reuses every
finished cell and produces the same files as an uninterrupted run.`,
  example: "deno task sweep --dataset grocery --method greedy --s none,0.8 --m 1:3,all --bootstrap 0",
});

export const match = defineTask({
  name: "match",
  purpose: "score one similarity matrix with a set-matching method",
  usage: ["--matrix FILE [--method M] [--s X] [--m N] [--json]"],
  flags: {
    matrix: {
      type: "string",
      value: "FILE",
      required: true,
      description:
        "CSV (rows = set A, columns = set B; optional header row and label column) or JSON (2-D array)",
    },
    method: {
      type: "string",
      value: "M",
      default: "greedy",
      description:
        "a method that scores a matrix (greedy, optimal, lp, ordered, chamfer, hausdorff, sinkhorn)",
    },
    s: S_FLAG,
    m: M_FLAG,
    symmetric: { type: "boolean", description: "chamfer both ways" },
    epsilon: { type: "number", min: 0, minExclusive: true, value: "E", description: "sinkhorn's ε" },
    "max-iterations": { type: "integer", min: 1, description: "sinkhorn's iteration limit" },
    tolerance: {
      type: "number",
      min: 0,
      minExclusive: true,
      value: "T",
      description: "sinkhorn's tolerance",
    },
    "any-range": { type: "boolean", description: "accept values outside [-1, 1]" },
    json: JSON_FLAG,
  },
  example: "deno task match --matrix S.csv --method greedy --s 0.8 --m 3 --json",
});

export const train = defineTask({
  name: "train",
  purpose: "learn a set-similarity head on frozen image embeddings",
  usage: ["--dataset D --protocol P --head projection|attention --out NAME [options]"],
  flags: {
    dataset: {
      type: "string",
      value: "D",
      description: "coil100, grocery, or a catalog PATH (catalog-items)",
    },
    protocol: {
      type: "string",
      value: "P",
      description:
        "(required) coil100-unseen-objects, grocery-unseen-classes, grocery-new-photos or catalog-items",
    },
    head: { type: "string", choices: HEAD_KINDS, description: "(required) the head to train" },
    out: {
      type: "string",
      value: "NAME",
      description: "(required) saved as <models>/heads/NAME; use it as --model BASE+head:NAME",
    },
    epochs: { type: "integer", min: 1, description: "training epochs (early stopping may end sooner)" },
    seed: { type: "integer", min: 0, description: "seed (same seed and backend → identical weights)" },
    backend: { type: "string", value: "wasm|cpu", default: "wasm", description: "TF.js backend" },
    dim: { type: "integer", min: 1, value: "K", description: "output dimension" },
    hidden: { type: "integer", min: 0, value: "H", description: "hidden units (0 = linear)" },
    heads: { type: "integer", min: 1, value: "H", description: "attention heads" },
    batch: { type: "integer", min: 2, value: "B", description: "items per batch" },
    passes: { type: "integer", min: 1, description: "passes over the training items per epoch" },
    patience: { type: "integer", min: 1, description: "epochs without improvement before stopping" },
    lr: { type: "number", min: 0, minExclusive: true, value: "X", description: "learning rate" },
    temperature: {
      type: "number",
      min: 0,
      minExclusive: true,
      value: "T",
      description: "InfoNCE temperature",
    },
    bootstrap: { type: "integer", min: 0, description: "bootstrap resamples for the test intervals" },
    json: JSON_FLAG,
    ...CONFIG_FLAG_DEFS,
  },
  example: "deno task train --dataset grocery --protocol unseen-classes --head projection --out grocery-proj",
});

export const index = defineTask({
  name: "index",
  purpose: "embed and store a catalog (LanceDB), incrementally; check or export an index",
  usage: [
    "CATALOG --index DIR [--model NAME] [--text-model use|none] [--rebuild] [--allow-shrink] [--json]",
    "CATALOG --index DIR --check [--deep] [--json]",
    "--index DIR --export parquet OUT.parquet",
  ],
  positionals: {
    name: "CATALOG",
    description: "a folder of item folders, a CSV/JSONL manifest, or a bundled dataset name " +
      "(with --export: the OUT file)",
    max: 1,
  },
  flags: {
    index: { type: "string", value: "DIR", required: true, description: "the index folder" },
    "text-model": {
      type: "string",
      value: "use|none",
      default: "use",
      description: "text model for titles, or none",
    },
    "vector-index-min": {
      type: "integer",
      min: 0,
      description: "build an ANN index on the image vectors from this many images",
    },
    check: {
      type: "boolean",
      description: "verify the committed index against the catalog; exit 1 when they disagree",
    },
    deep: { type: "boolean", description: "with --check: hash every image" },
    rebuild: { type: "boolean", description: "build fresh from the catalog, ignoring the committed index" },
    "allow-shrink": { type: "boolean", description: "let a build drop more than half of the items" },
    "allow-outside-root": {
      type: "boolean",
      description: "let manifest paths point outside the catalog folder",
    },
    export: { type: "string", choices: ["parquet"], description: "write the image rows as one file" },
    queue: {
      ...QUEUE_FLAG,
      description: "embed through BullMQ jobs taken by `deno task worker` processes (docs/distributed.md)",
    },
    json: JSON_FLAG,
    quiet: { type: "boolean", description: "no progress output or catalog problems" },
    ...CONFIG_FLAG_DEFS,
  },
  example: "deno task index shop/catalog.csv --index shop.index",
});

export const search = defineTask({
  name: "search",
  purpose: "the items most similar to a query set of images (shortlist + exact set re-rank)",
  usage: ["--index DIR --query ITEM_ID|FOLDER|FILE... [--k N] [--method M] [--where FILTER] [--json]"],
  positionals: { name: "QUERY", description: "more query inputs, as for --query" },
  flags: {
    index: INDEX_FLAG,
    query: {
      type: "string",
      value: "Q",
      multiple: true,
      description: "an item id of the index, a folder of images, or image files",
    },
    k: { type: "integer", min: 1, default: 10, description: "results to return" },
    method: METHOD_FLAG,
    s: S_FLAG,
    m: M_FLAG,
    text: { type: "string", value: '"…"', description: "query text fused with the image score" },
    "text-weight": {
      type: "number",
      min: 0,
      max: 1,
      value: "W",
      description: "weight of the text score (default: the query item's title when > 0)",
    },
    ...CANDIDATE_FLAGS,
    json: JSON_FLAG,
    report: REPORT_FLAG,
    ...CONFIG_FLAG_DEFS,
  },
  example: "deno task search --index shop.index --query red-boot --k 3",
});

export const compare = defineTask({
  name: "compare",
  purpose: "explain the match of two image sets with one or every set method",
  usage: ["A B [--method M[,M...]|all] [--s X] [--m N] [--index DIR] [--json] [--figure FILE.svg|FILE.png]"],
  positionals: {
    name: "A B",
    description: "a folder, comma-separated image files, or an item id (with --index)",
    min: 2,
    max: 2,
  },
  flags: {
    method: {
      type: "list",
      choices: [...MATCH_METHODS, "all"],
      value: "M[,M...]|all",
      default: "all",
      description: "set methods",
    },
    s: S_FLAG,
    m: M_FLAG,
    index: { type: "string", value: "DIR", description: "an index whose item ids A and B may name" },
    json: JSON_FLAG,
    figure: {
      type: "string",
      value: "FILE.svg|FILE.png",
      description: "save the explained match matrix; with several methods one file per method " +
        "(FILE-METHOD.svg)",
    },
    report: REPORT_FLAG,
    ...CONFIG_FLAG_DEFS,
  },
  example: "deno task compare red-boot red-boot-2 --index shop.index --method greedy --figure match.png",
});

export const dedup = defineTask({
  name: "dedup",
  purpose: "groups of near-duplicate items (the same product listed twice)",
  usage: ["--index DIR --threshold T [--method M] [--exact] [--json] [--csv FILE] [--report FILE.html]"],
  flags: {
    index: INDEX_FLAG,
    threshold: {
      type: "number",
      min: 0,
      minExclusive: true,
      max: 1,
      value: "T",
      required: true,
      description: "items whose set similarity reaches T are duplicates (a set similarity: in (0, 1])",
    },
    method: METHOD_FLAG,
    s: S_FLAG,
    m: M_FLAG,
    candidates: { type: "integer", min: 1, value: "C", description: "neighbours scored exactly per item" },
    exact: { type: "boolean", description: "score every pair (no shortlist)" },
    where: { type: "string", value: "FILTER", description: "only items matching this metadata filter" },
    json: JSON_FLAG,
    csv: {
      type: "string",
      value: "FILE",
      description: "write the CSV (group, size, item_id, best_match, score)",
    },
    report: REPORT_FLAG,
    quiet: QUIET_FLAG,
    ...CONFIG_FLAG_DEFS,
  },
  notes: "Without --json, prints the CSV on stdout (control characters escaped on a terminal).",
  example: "deno task dedup --index shop.index --threshold 0.95",
});

export const serve = defineTask({
  name: "serve",
  purpose: "the HTTP API and web page over an index (docs/service.md)",
  usage: ["--index DIR [--host H] [--port P] [--token T] [limits]"],
  flags: {
    index: { ...INDEX_FLAG, description: "the index folder (`deno task index … --index DIR`)" },
    host: {
      type: "string",
      value: "H",
      default: "127.0.0.1",
      description: "address to bind; anything but loopback requires --token",
    },
    port: {
      type: "integer",
      min: 0,
      max: 65535,
      value: "P",
      default: 8080,
      description: "0 picks a free one",
    },
    token: {
      type: "string",
      value: "T",
      defaultText: "SETSIM_TOKEN, else none",
      description: "bearer token (at least 8 characters) on every route except /health and the page's files",
    },
    "max-body-mb": {
      type: "integer",
      min: 1,
      value: "MB",
      default: DEFAULT_LIMITS.maxBodyBytes / 2 ** 20,
      description: "largest request body; larger is 413",
      group: "Limits",
    },
    "max-photos": {
      type: "integer",
      min: 1,
      default: DEFAULT_LIMITS.maxPhotos,
      description: "photos per request (per set for compare); more is 413",
      group: "Limits",
    },
    "max-pixels": {
      type: "integer",
      min: 1,
      default: DEFAULT_LIMITS.maxPixels,
      description: "decoded pixels per photo, checked before decoding",
      group: "Limits",
    },
    "timeout-ms": {
      type: "integer",
      min: 1,
      value: "MS",
      default: DEFAULT_LIMITS.timeoutMs,
      description: "a request still running after this is answered 504",
      group: "Limits",
    },
    "max-concurrent": {
      type: "integer",
      min: 1,
      default: DEFAULT_LIMITS.maxConcurrent,
      description: "requests in flight; past it the answer is 503 with Retry-After, not a queue",
      group: "Limits",
    },
    "reload-ms": {
      type: "integer",
      min: 0,
      value: "MS",
      defaultText: "250",
      description: "how often (at most) a request triggers a look for a newly committed index",
      group: "Limits",
    },
    ...CONFIG_FLAG_DEFS,
  },
  notes: `Serves the JSON API (GET /openapi.json describes it) and the web app at http://HOST:PORT/. A new
index version committed by \`deno task index\` is picked up between requests. Stops on Ctrl-C or SIGTERM.`,
  example: "deno task serve --index shop.index --port 8080",
});

export const neighbours = defineTask({
  name: "neighbours",
  purpose: "every item's k most similar items to Parquet/JSONL/CSV, resumable (docs/distributed.md)",
  usage: [
    "--index DIR --k N --out FILE.{parquet,jsonl,csv} [--where FILTER] [--items ID,...] [options]",
    "--index DIR --k N --out FILE --incremental [options]",
    "--index DIR --k N --out FILE --queue redis://HOST:PORT/N [options]",
  ],
  flags: {
    index: INDEX_FLAG,
    k: { type: "integer", min: 1, default: 10, description: "neighbours per item" },
    out: {
      type: "string",
      value: "FILE",
      required: true,
      check: (path) => {
        try {
          formatOfPath(path);
        } catch {
          return `the file name must end in ${NEIGHBOUR_FORMATS.map((f) => `.${f}`).join(", ")}`;
        }
      },
      description:
        ".parquet, .jsonl or .csv: one row per (item_id, rank, neighbour_id, score, pairs, method), " +
        "by item id then rank; its sidecar FILE.setsim.json names the index version",
    },
    method: METHOD_FLAG,
    s: S_FLAG,
    m: M_FLAG,
    ...CANDIDATE_FLAGS,
    items: { type: "list", value: "ID,...", description: "compute the lists of these items only" },
    incremental: {
      type: "boolean",
      description: "recompute only the lists that can have changed since the previous FILE; prints how many",
      group: "Running",
    },
    workers: {
      type: "integer",
      min: 0,
      defaultText: "the number of cores",
      description: "local worker threads (0 = this process)",
      group: "Running",
    },
    chunk: {
      type: "integer",
      min: 1,
      default: DEFAULT_CHUNK_SIZE,
      description: "items per chunk: the unit of resuming and of queue jobs",
      group: "Running",
    },
    queue: {
      ...QUEUE_FLAG,
      description:
        "send the chunks as BullMQ jobs to this Redis, for `deno task worker --queue URL --index DIR` " +
        "on any machine that sees the index folder (redis://:PASSWORD@… with a password, rediss:// for TLS)",
      group: "Running",
    },
    attempts: {
      type: "integer",
      min: 1,
      default: DEFAULT_ATTEMPTS,
      description: "tries of a queue job that fails before it is reported with its items",
      group: "Running",
    },
    quiet: { ...QUIET_FLAG, group: "Running" },
    json: { ...JSON_FLAG, group: "Running" },
  },
  notes:
    `The searches are \`deno task search --query ITEM\`'s (same shortlist, re-rank and ties). A killed run
resumes from FILE.partial/ and writes the same bytes; the output and its sidecar are committed together.`,
  example: "deno task neighbours --index shop.index --k 10 --out similar.parquet",
});

export const worker = defineTask({
  name: "worker",
  purpose: "take BullMQ jobs of `index --queue` / `neighbours --queue` from Redis (docs/distributed.md)",
  usage: ["--queue redis://HOST:PORT/N [--index DIR] [--photos DIR] [--concurrency N] [--lock-ms MS]"],
  flags: {
    queue: {
      ...QUEUE_FLAG,
      required: true,
      description: "the Redis of the run: the address given to index/neighbours --queue",
    },
    index: {
      type: "string",
      value: "DIR",
      description:
        "take neighbours jobs, answered from this index folder (shared, or a copy of the same version)",
    },
    photos: {
      type: "string",
      value: "DIR",
      defaultText: "the paths the run sent",
      description: "this machine's copy of the catalog folder (photos travel as paths relative to it), for " +
        "embedding jobs",
    },
    concurrency: {
      type: "integer",
      min: 1,
      default: DEFAULT_CONCURRENCY,
      description: "jobs at once per queue",
    },
    "lock-ms": {
      type: "integer",
      min: 100,
      value: "MS",
      default: DEFAULT_LOCK_MS,
      description: "how long a killed worker's job waits before it runs elsewhere",
    },
    ...CONFIG_FLAG_DEFS,
  },
  notes: `Give --index (neighbours jobs) and/or --photos (embedding jobs; with --index alone, embedding jobs
read the run's own paths). At start the worker checks that it can read the index folder and the photos:
a worker needs the same data as the machine that queued the work, on a shared filesystem or as a copied
folder. Runs until Ctrl-C or SIGTERM, finishing the running job; a worker killed outright loses nothing
(its job runs elsewhere after --lock-ms).`,
  example: "deno task worker --queue redis://127.0.0.1:6379/0 --index shop.index",
});

export const bench = defineTask({
  name: "bench",
  purpose: "benchmarks, as ratios against a baseline measured in the same run",
  usage: ["", "NAME [FLAGS...]", "--list"],
  positionals: {
    name: "NAME",
    description: "a benchmark (bench/NAME.ts); FLAGS after it go to the benchmark (NAME --help: its own)",
    max: 1,
  },
  passThrough: true,
  flags: { list: { type: "boolean", description: "list the benchmarks and their quick flags" } },
  notes: "With no NAME every benchmark runs in its quick mode, one screen of headline figures (full " +
    "reports in results/bench/NAME.json).",
  example: "deno task bench matching --quick",
});

export const reproduce = defineTask({
  name: "reproduce",
  purpose: "the main job: evaluations, sweep, every notebook (each step a task of its own)",
  usage: ["[--fast] [--all] [--from STEP] [--only STEP[,STEP...]] [--list]"],
  flags: {
    fast: {
      type: "boolean",
      description: "the small configuration CI runs; outputs go to the git-ignored results/fast/",
    },
    all: { type: "boolean", description: "also the nine-variant model study (~40 min cold)" },
    from: { type: "string", value: "STEP", description: "resume at a step" },
    only: { type: "list", value: "STEP,...", description: "run only these steps" },
    list: { type: "boolean", description: "show every step, whether this run includes it, and its commands" },
  },
  example: "deno task reproduce --list",
});

export const figures = defineTask({
  name: "figures",
  purpose: "execute notebooks headless, saving their outputs and figures",
  usage: ["[--fast] [--timeout SECONDS] [NOTEBOOK_OR_PREFIX...]"],
  positionals: {
    name: "NOTEBOOK",
    description: "a prefix such as 04, a notebook name, or the path of an .ipynb inside the project " +
      "(default: every notebook)",
  },
  flags: {
    fast: { type: "boolean", description: "each notebook's small configuration; outputs to results/fast/" },
    timeout: {
      type: "number",
      min: 0,
      minExclusive: true,
      value: "SECONDS",
      default: 3600,
      description: "per cell",
    },
  },
  example: "deno task figures --fast 04",
});

export const catalogScale = defineTask({
  name: "catalog_scale",
  command: "deno run -A scripts/catalog_scale.ts",
  purpose: "plot build time and search latency against catalog size from bench catalog reports",
  usage: ["[--candidates C] --out DIR BENCH.json..."],
  positionals: { name: "BENCH.json", description: "stdout of `deno task bench catalog --json` runs", min: 1 },
  flags: {
    out: { type: "string", value: "DIR", required: true, description: "writes catalog-scale.svg and .csv" },
    candidates: {
      type: "integer",
      min: 1,
      value: "C",
      default: 300,
      description: "the shortlist size shown",
    },
  },
  example: "deno run -A scripts/catalog_scale.ts --out results/catalog-scale 1e4.json 1e5.json",
});

export const exampleCatalog = defineTask({
  name: "example_catalog",
  command: "deno run -A scripts/example_catalog.ts",
  purpose: "build a small example catalog from the grocery photos (products listed twice)",
  usage: ["DIR [--products N] [--photos N] [--with-problems]"],
  positionals: { name: "DIR", description: "the output folder", min: 1, max: 1 },
  flags: {
    products: { type: "integer", min: 1, defaultText: "10", description: "products, each listed twice" },
    photos: { type: "integer", min: 1, defaultText: "4", description: "photos per listing" },
    "with-problems": {
      type: "boolean",
      description: "also write broken.csv (a missing file, a duplicate id, a bad row)",
    },
    ...CONFIG_FLAG_DEFS,
  },
  example: "deno run -A scripts/example_catalog.ts example-shop",
});

/** Every task of the table, by name (`eval` is `evaluate` in code). */
export const TASKS: Readonly<Record<string, TaskSpec>> = Object.fromEntries(
  [
    setup,
    data,
    embed,
    evaluate,
    sweep,
    match,
    train,
    index,
    search,
    compare,
    dedup,
    serve,
    neighbours,
    worker,
    bench,
    reproduce,
    figures,
    catalogScale,
    exampleCatalog,
  ].map((task) => [task.name, task]),
);
