/**
 * Integration on real photographs (COIL-100): two disjoint sets of turntable views of the same object
 * must score higher than views of other objects, for every method. Embeddings here are deliberately
 * simple (16 × 16 RGB thumbnails, mean-centred) so the test exercises matching, not a network.
 *
 * Needs the shared data (`SETSIM_DATA_DIR`); ignored, visibly, when it is not configured at all.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { resolveConfig } from "../../lib/config/mod.ts";
import { cosineSimilarityMatrix, MATCH_METHODS, matchSets, scoreSetPairs } from "../../lib/matching/mod.ts";
import { embeddingsFromRows } from "../../lib/types.ts";

const dataDir = resolveConfig().dataDir;
const coilDir = join(dataDir, "coil100");
const configured = Deno.env.get("SETSIM_DATA_DIR") !== undefined ||
  (await Deno.stat(join(coilDir, "labels.csv")).then(() => true, () => false));

async function thumbnail(object: number, angle: number): Promise<Float32Array> {
  const path = join(coilDir, "images", `obj${object}__${angle}.webp`);
  const pixels = await sharp(path).resize(16, 16, { fit: "fill" }).removeAlpha().raw().toBuffer();
  const v = Float32Array.from(pixels, (x) => x / 255);
  const mean = v.reduce((t, x) => t + x, 0) / v.length;
  return v.map((x) => x - mean);
}

const OBJECTS = [3, 14, 27, 52, 85];
const ANGLES_A = [0, 10, 20, 30];
const ANGLES_B = [5, 15, 25];

Deno.test({
  name: "real COIL-100 views: the same object's other views rank first for every method",
  ignore: !configured,
  async fn() {
    const setsA = await Promise.all(
      OBJECTS.map(async (o) => embeddingsFromRows(await Promise.all(ANGLES_A.map((a) => thumbnail(o, a))))),
    );
    const setsB = await Promise.all(
      OBJECTS.map(async (o) => embeddingsFromRows(await Promise.all(ANGLES_B.map((a) => thumbnail(o, a))))),
    );
    for (const method of MATCH_METHODS) {
      if (method === "ordered") continue; // sets of different sizes
      OBJECTS.forEach((object, q) => {
        const scores = setsB.map((B) => matchSets(setsA[q], B, { method }).score ?? -Infinity);
        const best = scores.indexOf(Math.max(...scores));
        assert.equal(
          OBJECTS[best],
          object,
          `${method}: object ${object} scores ${scores.map((s) => s.toFixed(3))}`,
        );
      });
    }
    // The batch path on one matrix over all images gives the same scores.
    const allA = embeddingsFromRows(
      setsA.flatMap((e) =>
        Array.from({ length: e.count }, (_, i) => e.data.subarray(i * e.dim, (i + 1) * e.dim))
      ),
    );
    const allB = embeddingsFromRows(
      setsB.flatMap((e) =>
        Array.from({ length: e.count }, (_, i) => e.data.subarray(i * e.dim, (i + 1) * e.dim))
      ),
    );
    const similarity = cosineSimilarityMatrix(allA, allB);
    const querySets = OBJECTS.map((_, q) => ANGLES_A.map((_, i) => q * ANGLES_A.length + i));
    const gallerySets = OBJECTS.map((_, g) => ANGLES_B.map((_, j) => g * ANGLES_B.length + j));
    const batch = scoreSetPairs({ similarity, querySets, gallerySets }, { method: "optimal", s: 0.5 });
    OBJECTS.forEach((_, q) => {
      const expected = matchSets(setsA[q], setsB[q], { method: "optimal", s: 0.5 }).score;
      assert.ok(Math.abs(batch.get(q, q) - expected!) < 1e-6);
    });
  },
});
