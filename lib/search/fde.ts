/**
 * MUVERA fixed-dimensional encodings: the math lives in `lib/index/fde.ts`, since the index build
 * stores every item's encoding (`lib/index/shortlist_parts.ts`); re-exported here for the search side.
 * @module
 */

export * from "../index/fde.ts";
