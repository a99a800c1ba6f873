/**
 * Train/test protocols for learned set similarity, built so that no test item is ever seen in
 * training — not as a positive, not as a negative, not for early stopping.
 *
 * | protocol                 | training items (validation held out of them)        | test (an existing protocol)                          |
 * | ------------------------ | --------------------------------------------------- | ---------------------------------------------------- |
 * | `coil100-unseen-objects` | objects 1–50, every view                            | `unordered` on objects 51–100                        |
 * | `grocery-unseen-classes` | 40 seeded fine classes, all their photos (any split) | `grocery` on val + test photos of the other 41 classes |
 * | `grocery-new-photos`     | the `train` split (`labels-train.csv`), 81 classes  | `grocery` on the val + test photos (`labels.csv`)    |
 * | `catalog-items`          | a seeded share of a catalog's groups                | grocery-style set pairs of the other groups          |
 *
 * An *item* is what a positive pair shares: a COIL object, a grocery fine class, a catalog group.
 * Validation items (for early stopping) are a seeded share of the training items — or, for
 * `grocery-new-photos`, whose test classes are the training classes by design, a seeded share of
 * each class's training photos. {@link assertNoLeakage} checks every split before it is used.
 *
 * The split seed (default 0) is separate from the training seed, so heads trained with different
 * seeds are tested on the same sets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertNoLeakage, splitCoilUnseenObjects } from "./protocols.ts";
 * const views = [1, 2, 3, 4, 5, 51, 52].flatMap((objectId) =>
 *   Array.from({ length: 12 }, (_, k) => ({ path: `obj${objectId}__${30 * k}.png`, file: "", objectId, angleDeg: 30 * k }))
 * );
 * const split = splitCoilUnseenObjects(views, { validationFraction: 0.4 });
 * // Objects 1–5 train (2 of them, seeded, held out for early stopping); 51 and 52 are the test.
 * assert.deepEqual(split.train.map((item) => item.id), ["obj2", "obj3", "obj5"]);
 * assert.deepEqual(split.validation.map((item) => item.id), ["obj1", "obj4"]);
 * assert.deepEqual(split.test.querySets.map((set) => set.label), ["obj51", "obj52"]);
 * assertNoLeakage(split); // no test image or object was seen in training
 * ```
 * @module
 */

import type { CatalogItem } from "../catalog/types.ts";
import type { Coil100Image, GroceryImage } from "../data/loaders.ts";
import { drawGrocery, drawUnordered, type ProtocolDraw } from "../evaluation/protocols.ts";
import { createRng, shuffle } from "../random/mod.ts";

/** The learned-similarity protocols. */
export const LEARNING_PROTOCOLS = [
  "coil100-unseen-objects",
  "grocery-unseen-classes",
  "grocery-new-photos",
  "catalog-items",
] as const;
/** A learned-similarity protocol name. */
export type LearningProtocol = typeof LEARNING_PROTOCOLS[number];

/** Which dataset each protocol reads. */
export const LEARNING_PROTOCOL_DATASET: Record<LearningProtocol, string> = {
  "coil100-unseen-objects": "coil100",
  "grocery-unseen-classes": "grocery",
  "grocery-new-photos": "grocery",
  "catalog-items": "catalog",
};

/** One training item: a catalog item's id and the images that show it (lib/catalog's item shape). */
export type TrainingItem = Pick<CatalogItem, "id" | "images">;

/** A protocol's split. */
export interface LearningSplit {
  protocol: LearningProtocol;
  /** Items the head is trained on. */
  train: TrainingItem[];
  /** Items (or photos) held out of training for early stopping; never test data. */
  validation: TrainingItem[];
  /** The test sets, drawn by an existing evaluation protocol. */
  test: ProtocolDraw;
  /**
   * `items`: test items are other items than the training ones (unseen objects/classes/groups);
   * `photos`: the same classes, but other photos.
   */
  unseen: "items" | "photos";
  params: Record<string, unknown>;
}

/** Options shared by the splits. */
export interface SplitOptions {
  /** Seed of the item split and of the test draw (default 0; not the training seed). */
  splitSeed?: number;
  /** Share of the training items (or photos) held out for validation (default 0.2). */
  validationFraction?: number;
  /** Query / gallery set sizes of the test draw (default 4 / 5). */
  a?: number;
  b?: number;
}

function fraction(value: number | undefined): number {
  const f = value ?? 0.2;
  if (!(f >= 0 && f < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${value}`);
  return f;
}

function groupImages<T extends { path: string }>(
  records: readonly T[],
  key: (r: T) => string,
): TrainingItem[] {
  const groups = new Map<string, string[]>();
  for (const r of records) {
    const k = key(r);
    const list = groups.get(k);
    if (list) list.push(r.path);
    else groups.set(k, [r.path]);
  }
  return [...groups.entries()]
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .map(([id, images]) => ({ id, images: images.slice().sort() }));
}

/** Hold out a seeded share of whole items for validation. */
function holdOutItems(
  items: TrainingItem[],
  validationFraction: number,
  seed: number,
): { train: TrainingItem[]; validation: TrainingItem[] } {
  const order = shuffle(items, createRng(seed, "learning:validation-items"));
  const nValidation = items.length >= 4 ? Math.max(2, Math.round(items.length * validationFraction)) : 0;
  const validation = validationFraction === 0 ? [] : order.slice(0, nValidation);
  const held = new Set(validation.map((i) => i.id));
  return { train: items.filter((i) => !held.has(i.id)), validation: items.filter((i) => held.has(i.id)) };
}

/**
 * `coil100-unseen-objects`: train on objects `trainObjects` (default 1–50), test with the
 * `unordered` protocol on the others.
 */
export function splitCoilUnseenObjects(
  views: readonly Coil100Image[],
  options: SplitOptions & { trainObjects?: (id: number) => boolean } = {},
): LearningSplit {
  const seed = options.splitSeed ?? 0;
  const isTrain = options.trainObjects ?? ((id: number) => id >= 1 && id <= 50);
  const trainViews = views.filter((v) => isTrain(v.objectId));
  const testViews = views.filter((v) => !isTrain(v.objectId));
  if (trainViews.length === 0 || testViews.length === 0) {
    throw new RangeError("coil100-unseen-objects needs views of both training and test objects");
  }
  const items = groupImages(trainViews, (v) => `obj${v.objectId}`);
  const { train, validation } = holdOutItems(items, fraction(options.validationFraction), seed);
  const test = drawUnordered(testViews, { seed, a: options.a, b: options.b });
  return {
    protocol: "coil100-unseen-objects",
    train,
    validation,
    test,
    unseen: "items",
    params: { splitSeed: seed, trainObjects: items.length, testObjects: test.querySets.length },
  };
}

/**
 * `grocery-unseen-classes`: a seeded choice of `trainClasses` (default 40) fine classes is the
 * training pool (all their photos, any split); the `grocery` protocol is drawn from the val + test
 * photos of the remaining classes.
 */
export function splitGroceryUnseenClasses(
  photos: readonly GroceryImage[],
  options: SplitOptions & { trainClasses?: number; setsPerClass?: number } = {},
): LearningSplit {
  const seed = options.splitSeed ?? 0;
  const classes = [...new Set(photos.map((p) => p.fineClass))].sort();
  const nTrain = options.trainClasses ?? 40;
  if (!Number.isInteger(nTrain) || nTrain < 1 || nTrain >= classes.length) {
    throw new RangeError(`trainClasses must be an integer in 1..${classes.length - 1}, got ${nTrain}`);
  }
  const trainClasses = new Set(
    shuffle(classes, createRng(seed, "learning:grocery-classes")).slice(0, nTrain),
  );
  const items = groupImages(photos.filter((p) => trainClasses.has(p.fineClass)), (p) => p.fineClass);
  const { train, validation } = holdOutItems(items, fraction(options.validationFraction), seed);
  const testPhotos = photos.filter((p) => !trainClasses.has(p.fineClass) && p.split !== "train");
  const test = drawGrocery(testPhotos, {
    seed,
    a: options.a,
    b: options.b,
    setsPerClass: options.setsPerClass,
  });
  return {
    protocol: "grocery-unseen-classes",
    train,
    validation,
    test,
    unseen: "items",
    params: {
      splitSeed: seed,
      trainClasses: [...trainClasses].sort(),
      testClasses: classes.filter((c) => !trainClasses.has(c)),
    },
  };
}

/**
 * `grocery-new-photos`: train on the `train` split (every class), validate on a seeded share of
 * each class's training photos, test with the `grocery` protocol on the val + test photos.
 */
export function splitGroceryNewPhotos(
  trainPhotos: readonly GroceryImage[],
  testPhotos: readonly GroceryImage[],
  options: SplitOptions & { setsPerClass?: number } = {},
): LearningSplit {
  const seed = options.splitSeed ?? 0;
  const validationFraction = fraction(options.validationFraction);
  if (trainPhotos.some((p) => p.split !== "train")) {
    throw new RangeError("grocery-new-photos: the training photos must all be from the train split");
  }
  const rng = createRng(seed, "learning:grocery-photos");
  const train: TrainingItem[] = [];
  const validation: TrainingItem[] = [];
  for (const item of groupImages(trainPhotos, (p) => p.fineClass)) {
    const order = shuffle(item.images, rng);
    const nValidation = validationFraction === 0
      ? 0
      : Math.max(2, Math.round(order.length * validationFraction));
    validation.push({ id: item.id, images: order.slice(0, nValidation).sort() });
    train.push({ id: item.id, images: order.slice(nValidation).sort() });
  }
  const test = drawGrocery(testPhotos.filter((p) => p.split !== "train"), {
    seed,
    a: options.a,
    b: options.b,
    setsPerClass: options.setsPerClass,
  });
  return {
    protocol: "grocery-new-photos",
    train,
    validation: validationFraction === 0 ? [] : validation,
    test,
    unseen: "photos",
    params: { splitSeed: seed, classes: train.length },
  };
}

/** One catalog image with its group (the item it shows). */
export interface GroupedImage {
  path: string;
  group: string;
}

/**
 * `catalog-items`: a user catalog with group labels. A seeded `testFraction` (default 0.5) of the
 * groups is the test pool — each test group with ≥ 2 images gives a query set (the first half of
 * its shuffled images, at most `a`) and a gallery set (the rest, at most `b`); relevant = same group.
 * The other groups are the training pool.
 */
export function splitCatalogItems(
  images: readonly GroupedImage[],
  options: SplitOptions & { testFraction?: number } = {},
): LearningSplit {
  const seed = options.splitSeed ?? 0;
  const testFraction = options.testFraction ?? 0.5;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  }
  const a = options.a ?? 4, b = options.b ?? 5;
  const items = groupImages(images, (r) => r.group);
  const rng = createRng(seed, "learning:catalog-groups");
  const order = shuffle(items, rng);
  const nTest = Math.round(items.length * testFraction);
  const testItems = order.slice(0, nTest).filter((i) => i.images.length >= 2);
  const testIds = new Set(order.slice(0, nTest).map((i) => i.id));
  if (testItems.length < 2) throw new RangeError("catalog-items: need ≥ 2 test groups with ≥ 2 images each");
  const querySets = [], gallerySets = [];
  for (const item of testItems.sort((x, y) => (x.id < y.id ? -1 : 1))) {
    const shuffled = shuffle(item.images, rng);
    const nq = Math.min(a, Math.floor(shuffled.length / 2));
    const base = { label: item.id, category: item.id };
    querySets.push({ id: `${item.id}/query`, images: shuffled.slice(0, nq), ...base });
    gallerySets.push({ id: `${item.id}/gallery`, images: shuffled.slice(nq, nq + b), ...base });
  }
  const { train, validation } = holdOutItems(
    items.filter((i) => !testIds.has(i.id)),
    fraction(options.validationFraction),
    seed,
  );
  return {
    protocol: "catalog-items",
    train,
    validation,
    test: { protocol: "grocery", querySets, gallerySets, params: { a, b, seed, testFraction } },
    unseen: "items",
    params: { splitSeed: seed, trainGroups: items.length - nTest, testGroups: testItems.length },
  };
}

/** A split that would leak test data into training. */
export class LeakageError extends Error {
  override name = "LeakageError";
}

/**
 * Throw a {@link LeakageError} if any test image is a training or validation image, or (for
 * unseen-item protocols) any test label is a training or validation item.
 */
export function assertNoLeakage(split: LearningSplit): void {
  const seen = new Set([...split.train, ...split.validation].flatMap((i) => i.images));
  const testSets = [...split.test.querySets, ...split.test.gallerySets];
  const leakedImages = testSets.flatMap((s) => s.images).filter((p) => seen.has(p));
  if (leakedImages.length > 0) {
    throw new LeakageError(
      `${split.protocol}: ${leakedImages.length} test image(s) are also training data, e.g. ${
        leakedImages[0]
      }`,
    );
  }
  const trainImages = new Set(split.train.flatMap((i) => i.images));
  const validationLeak = split.validation.flatMap((i) => i.images).find((p) => trainImages.has(p));
  if (validationLeak !== undefined) {
    throw new LeakageError(`${split.protocol}: validation image ${validationLeak} is also a training image`);
  }
  if (split.unseen === "items") {
    const itemIds = new Set([...split.train, ...split.validation].map((i) => i.id));
    const leakedLabels = [...new Set(testSets.map((s) => s.label))].filter((l) => itemIds.has(l));
    if (leakedLabels.length > 0) {
      throw new LeakageError(
        `${split.protocol}: test item(s) ${leakedLabels.slice(0, 3).join(", ")} were seen in training`,
      );
    }
  }
}
