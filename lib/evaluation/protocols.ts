/**
 * Evaluation protocols: seeded, deterministic rules that turn a dataset's records into query
 * sets, gallery sets and relevance labels. Pure functions (no I/O), so they are tested on
 * hand-made records and reused by the sweep.
 *
 * | protocol    | dataset          | query set                         | gallery sets                    | relevant        |
 * | ----------- | ---------------- | --------------------------------- | ------------------------------- | --------------- |
 * | `unordered` | coil100          | `a` random views of an object     | `b` other random views per object | same object   |
 * | `ordered`   | coil100          | views 0°, 90°, 180°, 270°         | the same views shifted by δ     | same object     |
 * | `grocery`   | grocery          | `a` photos of a fine class        | `b` disjoint photos per class   | same fine class (also coarse) |
 * | `single`    | myntra_footwear  | one shoe (315 stratified)         | every other sampled shoe        | same articleType |
 * | `items`     | any catalog      | a seeded half of an item's images | the other half of every item    | same item       |
 * | `group`     | any catalog      | an item's images                  | every other item                | same `group`    |
 *
 * The last two live in `catalog_protocols.ts` and apply to user catalogs and bundled datasets alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawUnordered } from "./protocols.ts";
 * const views = [1, 2].flatMap((objectId) =>
 *   Array.from({ length: 72 }, (_, k) => ({ path: `obj${objectId}__${5 * k}.png`, file: "", objectId, angleDeg: 5 * k }))
 * );
 * const draw = drawUnordered(views, { seed: 1 });
 * assert.equal(draw.querySets.length, 2);
 * assert.equal(draw.querySets[0].images.length, 4);
 * ```
 * @module
 */

import type { Coil100Image, FootwearProduct, GroceryImage } from "../data/loaders.ts";
import { createRng, sampleWithoutReplacement, shuffle } from "../random/mod.ts";

/** Protocol names. */
export const PROTOCOL_NAMES = ["unordered", "ordered", "grocery", "single", "items", "group"] as const;
/** A protocol name. */
export type ProtocolName = typeof PROTOCOL_NAMES[number];

/** One set of images on either side of a protocol. */
export interface SetSpec {
  /**
   * Identity of the underlying item. A gallery set with the same `id` as the query is left out
   * of that query's ranking (the `single` protocol ranks each shoe against the *rest*).
   */
  id: string;
  /** Image paths (order matters only for the `ordered` method). */
  images: string[];
  /** Fine label: relevant ⇔ equal labels. */
  label: string;
  /** Coarse label, when the dataset has one (grocery coarse class). */
  coarseLabel?: string;
  /** Category used for per-category reporting (object id, super-category, articleType). */
  category: string;
}

/** The sets a protocol draws, before embedding. */
export interface ProtocolDraw {
  /** The protocol drawn. */
  protocol: ProtocolName;
  /** The query sets. */
  querySets: SetSpec[];
  /** The gallery sets. */
  gallerySets: SetSpec[];
  /** Protocol parameters actually used (defaults filled in) and notes. */
  params: Record<string, unknown>;
}

/** Options of the `unordered` protocol. */
export interface UnorderedOptions {
  /** Seed of the draw. */
  seed: number;
  /** Views per query set (default 4, as in the article). */
  a?: number;
  /** Views per gallery set (default 5). */
  b?: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  }
  return value;
}

/**
 * `unordered` (COIL-100): for every object, draw `a + b` distinct views at random; the first `a`
 * form its query set, the other `b` its gallery set. Each query set is ranked against all
 * gallery sets; exactly one (the same object) is relevant. Objects with fewer than `a + b`
 * views are skipped (listed in `params.skipped`).
 */
export function drawUnordered(views: readonly Coil100Image[], options: UnorderedOptions): ProtocolDraw {
  const a = positiveInteger("a", options.a ?? 4);
  const b = positiveInteger("b", options.b ?? 5);
  const rng = createRng(options.seed, "protocol:unordered");
  const querySets: SetSpec[] = [];
  const gallerySets: SetSpec[] = [];
  const skipped: number[] = [];
  const objects = [...Map.groupBy(views, (v) => v.objectId).entries()].sort((x, y) => x[0] - y[0]);
  for (const [objectId, objectViews] of objects) {
    if (objectViews.length < a + b) {
      skipped.push(objectId);
      continue;
    }
    const sorted = objectViews.slice().sort((x, y) => x.angleDeg - y.angleDeg);
    const drawn = sampleWithoutReplacement(sorted, a + b, rng);
    const label = `obj${objectId}`;
    querySets.push({
      id: `${label}/query`,
      images: drawn.slice(0, a).map((v) => v.path),
      label,
      category: label,
    });
    gallerySets.push({
      id: `${label}/gallery`,
      images: drawn.slice(a).map((v) => v.path),
      label,
      category: label,
    });
  }
  if (querySets.length < 2) {
    throw new RangeError(`unordered protocol needs ≥ 2 objects with ≥ ${a + b} views`);
  }
  return { protocol: "unordered", querySets, gallerySets, params: { a, b, seed: options.seed, skipped } };
}

/** Options of the `ordered` protocol. */
export interface OrderedOptions {
  /** Shift of the gallery views in degrees (default 10; 0 would compare identical images). */
  delta?: number;
  /** Canonical query views in degrees (default 0, 90, 180, 270: right, top, back, front). */
  views?: number[];
  /** Unused (the protocol is deterministic); accepted so every protocol takes a seed. */
  seed?: number;
}

function circularDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

/**
 * `ordered` (COIL-100): the query set of each object is its views at `views` (in that order),
 * its gallery set the views at `views + delta` (mod 360), same order. Every query is ranked
 * against every object's gallery set; the same object is relevant. A missing view is replaced
 * by the object's nearest available angle so positions stay aligned; replacements are listed
 * in `params.substitutions`.
 */
export function drawOrdered(views: readonly Coil100Image[], options: OrderedOptions = {}): ProtocolDraw {
  const delta = options.delta ?? 10;
  const canonical = options.views ?? [0, 90, 180, 270];
  if (!Number.isFinite(delta)) throw new RangeError(`delta must be a finite number of degrees, got ${delta}`);
  if (canonical.length === 0) throw new RangeError("ordered protocol needs at least one view");
  const substitutions: string[] = [];
  const querySets: SetSpec[] = [];
  const gallerySets: SetSpec[] = [];
  const objects = [...Map.groupBy(views, (v) => v.objectId).entries()].sort((x, y) => x[0] - y[0]);
  for (const [objectId, objectViews] of objects) {
    const pick = (angle: number): string => {
      const want = ((angle % 360) + 360) % 360;
      let best = objectViews[0];
      for (const v of objectViews) {
        const d = circularDistance(v.angleDeg, want);
        const bestD = circularDistance(best.angleDeg, want);
        // Ties go to the later angle, i.e. the same direction of rotation as the shift.
        if (
          d < bestD ||
          (d === bestD && ((v.angleDeg - want + 360) % 360) < ((best.angleDeg - want + 360) % 360))
        ) {
          best = v;
        }
      }
      if (best.angleDeg !== want) substitutions.push(`obj${objectId}: ${want}° → ${best.angleDeg}°`);
      return best.path;
    };
    const label = `obj${objectId}`;
    querySets.push({ id: `${label}/query`, images: canonical.map(pick), label, category: label });
    gallerySets.push({
      id: `${label}/gallery`,
      images: canonical.map((angle) => pick(angle + delta)),
      label,
      category: label,
    });
  }
  if (querySets.length < 2) throw new RangeError("ordered protocol needs ≥ 2 objects");
  return { protocol: "ordered", querySets, gallerySets, params: { delta, views: canonical, substitutions } };
}

/** Options of the `grocery` protocol. */
export interface GroceryOptions {
  /** Seed of the draw. */
  seed: number;
  /** Photos per query set (default 4). */
  a?: number;
  /** Photos per gallery set (default 5). */
  b?: number;
  /** Query/gallery set pairs drawn per fine class, at most (default 2). */
  setsPerClass?: number;
  /** Splits to draw from (default all present: the shared copy has `val` and `test`). */
  splits?: string[];
}

/**
 * `grocery`: per fine class, shuffle its photos and cut them into up to `setsPerClass` pairs of
 * a query set (`a` photos) and a gallery set (`b` photos); all sets are disjoint. Each query is
 * ranked against all gallery sets. Fine relevance: same fine class; coarse relevance: same
 * coarse class (e.g. any apple). Categories are the super-categories (Fruit, Vegetables,
 * Packages). Classes with fewer than `a + b` photos are skipped.
 */
export function drawGrocery(photos: readonly GroceryImage[], options: GroceryOptions): ProtocolDraw {
  const a = positiveInteger("a", options.a ?? 4);
  const b = positiveInteger("b", options.b ?? 5);
  const setsPerClass = positiveInteger("setsPerClass", options.setsPerClass ?? 2);
  const splits = options.splits;
  const rng = createRng(options.seed, "protocol:grocery");
  const pool = splits ? photos.filter((p) => splits.includes(p.split)) : photos;
  const querySets: SetSpec[] = [];
  const gallerySets: SetSpec[] = [];
  const skipped: string[] = [];
  const classes = [...Map.groupBy(pool, (p) => p.fineClassId).entries()].sort((x, y) => x[0] - y[0]);
  for (const [, classPhotos] of classes) {
    const first = classPhotos[0];
    const pairs = Math.min(setsPerClass, Math.floor(classPhotos.length / (a + b)));
    if (pairs === 0) {
      skipped.push(first.fineClass);
      continue;
    }
    const order = shuffle(classPhotos.slice().sort((x, y) => (x.file < y.file ? -1 : 1)), rng);
    for (let k = 0; k < pairs; k++) {
      const chunk = order.slice(k * (a + b), (k + 1) * (a + b)).map((p) => p.path);
      const base = {
        label: first.fineClass,
        coarseLabel: first.coarseClass,
        category: first.superCategory,
      };
      querySets.push({ id: `${first.fineClass}/${k}/query`, images: chunk.slice(0, a), ...base });
      gallerySets.push({ id: `${first.fineClass}/${k}/gallery`, images: chunk.slice(a), ...base });
    }
  }
  if (querySets.length < 2) throw new RangeError(`grocery protocol needs ≥ 2 classes with ≥ ${a + b} photos`);
  return {
    protocol: "grocery",
    querySets,
    gallerySets,
    params: { a, b, setsPerClass, splits: splits ?? "all", seed: options.seed, skipped },
  };
}

/** Options of the `single` protocol. */
export interface SingleOptions {
  /** Seed of the draw. */
  seed: number;
  /** articleTypes to sample (default Casual, Formal and Sports Shoes, as in the article). */
  categories?: string[];
  /** Shoes per category (default 105, i.e. 315 in all). */
  perCategory?: number;
}

/**
 * `single` (myntra_footwear), the article's setup: a seeded sample of `perCategory` shoes from
 * each of `categories`; every shoe is a one-image query ranked against all the *other* sampled
 * shoes; relevant = same articleType.
 */
export function drawSingle(products: readonly FootwearProduct[], options: SingleOptions): ProtocolDraw {
  const categories = options.categories ?? ["Casual Shoes", "Formal Shoes", "Sports Shoes"];
  const perCategory = positiveInteger("perCategory", options.perCategory ?? 105);
  const rng = createRng(options.seed, "protocol:single");
  const sets: SetSpec[] = [];
  for (const category of categories) {
    const pool = products.filter((p) => p.articleType === category).sort((x, y) => x.id - y.id);
    if (pool.length < perCategory) {
      throw new RangeError(
        `single protocol: articleType "${category}" has ${pool.length} shoes, need ${perCategory}`,
      );
    }
    for (const p of sampleWithoutReplacement(pool, perCategory, rng)) {
      sets.push({ id: `product/${p.id}`, images: [p.path], label: category, category });
    }
  }
  return {
    protocol: "single",
    querySets: sets,
    gallerySets: sets,
    params: { categories, perCategory, seed: options.seed },
  };
}
