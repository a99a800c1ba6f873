import assert from "node:assert/strict";
import { charNgrams, fitTfidf } from "../../lib/embedding/text/tfidf.ts";

// idf for a corpus of N = 2 texts: ln(3/2) + 1 when df = 1, ln(3/3) + 1 = 1 when df = 2.
const IDF_DF1_OF2 = 1.4054651081081644;

function row(data: Float32Array, dim: number, i: number): number[] {
  return Array.from(data.subarray(i * dim, (i + 1) * dim));
}

function assertClose(actual: number[], expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  actual.forEach((value, i) => {
    assert.ok(Math.abs(value - expected[i]) <= tolerance, `[${i}] ${value} vs ${expected[i]}`);
  });
}

Deno.test("charNgrams char_wb pads each word and never spans words", () => {
  assert.deepEqual(charNgrams("ab", { ngram: [2, 3] }), [" a", "ab", "b ", " ab", "ab "]);
  assert.deepEqual(charNgrams("A  b", { ngram: [2, 2] }), [" a", "a ", " b", "b "]);
  assert.deepEqual(charNgrams("   ", { ngram: [2, 2] }), []);
});

Deno.test("charNgrams char analyzer cuts the normalised whole text", () => {
  assert.deepEqual(charNgrams("Hi \t THERE", { ngram: [2, 2], analyzer: "char" }), [
    "hi",
    "i ",
    " t",
    "th",
    "he",
    "er",
    "re",
  ]);
  assert.deepEqual(charNgrams("AB", { ngram: [1, 1], analyzer: "char", lowercase: false }), ["A", "B"]);
  // Code points, not UTF-16 units: the emoji is one character.
  assert.deepEqual(charNgrams("a😀", { ngram: [2, 2], analyzer: "char" }), ["a😀"]);
});

Deno.test("fitTfidf: vocabulary, idf and vectors match a hand computation", async () => {
  const model = fitTfidf(["ab", "b"], { ngram: [2, 2] });
  assert.deepEqual(model.vocabulary, [" a", " b", "ab", "b "]);
  assertClose(Array.from(model.idf), [IDF_DF1_OF2, IDF_DF1_OF2, IDF_DF1_OF2, 1], 1e-12);
  assert.equal(model.dim, 4);
  assert.equal(model.corpusSize, 2);

  const vectors = await model.embedTexts(["ab", "b", "abab", "zz", ""]);
  const normAb = Math.sqrt(2 * IDF_DF1_OF2 ** 2 + 1); // 2.2250…
  assertClose(row(vectors, 4, 0), [IDF_DF1_OF2 / normAb, 0, IDF_DF1_OF2 / normAb, 1 / normAb]);
  const normB = Math.sqrt(IDF_DF1_OF2 ** 2 + 1);
  assertClose(row(vectors, 4, 1), [0, IDF_DF1_OF2 / normB, 0, 1 / normB]);
  // " abab " has " a", "ab" twice, "ba" (not in the vocabulary, ignored) and "b ".
  const normAbab = Math.sqrt(IDF_DF1_OF2 ** 2 + (2 * IDF_DF1_OF2) ** 2 + 1);
  assertClose(row(vectors, 4, 2), [IDF_DF1_OF2 / normAbab, 0, (2 * IDF_DF1_OF2) / normAbab, 1 / normAbab]);
  // No known n-gram: the zero vector, not NaN.
  assertClose(row(vectors, 4, 3), [0, 0, 0, 0], 0);
  assertClose(row(vectors, 4, 4), [0, 0, 0, 0], 0);

  // cosine("ab", "b") = (1·1) / (‖ab‖ ‖b‖) = 0.26055…
  const cosine = row(vectors, 4, 0).reduce((s, v, j) => s + v * row(vectors, 4, 1)[j], 0);
  assert.ok(Math.abs(cosine - 0.260553) < 1e-5, `cosine ${cosine}`);
});

Deno.test("fitTfidf sublinearTf uses 1 + ln(count)", () => {
  const model = fitTfidf(["ab", "b"], { ngram: [2, 2], sublinearTf: true });
  const weightAb = (1 + Math.log(2)) * IDF_DF1_OF2;
  const norm = Math.sqrt(IDF_DF1_OF2 ** 2 + weightAb ** 2 + 1);
  assertClose(row(model.transform(["abab"]), 4, 0), [IDF_DF1_OF2 / norm, 0, weightAb / norm, 1 / norm]);
});

Deno.test("fitTfidf maxFeatures keeps the most frequent n-grams, ties by n-gram order", () => {
  // " aaa " → " a", "aa", "aa", "a "; " ab " → " a", "ab", "b ". Totals: " a" 2, "aa" 2, others 1.
  assert.deepEqual(fitTfidf(["aaa", "ab"], { ngram: [2, 2], maxFeatures: 2 }).vocabulary, [" a", "aa"]);
  assert.deepEqual(fitTfidf(["aaa", "ab"], { ngram: [2, 2], maxFeatures: 3 }).vocabulary, [" a", "a ", "aa"]);
  assert.equal(fitTfidf(["aaa", "ab"], { ngram: [2, 2], maxFeatures: Infinity }).dim, 5);
});

Deno.test("fitTfidf minDf drops rare n-grams", () => {
  assert.deepEqual(fitTfidf(["ab", "b"], { ngram: [2, 2], minDf: 2 }).vocabulary, ["b "]);
});

Deno.test("fitTfidf rows are unit length and rank shared substrings first", async () => {
  const corpus = [
    "Puma Men Black Sneaker",
    "Nike Women Heels",
    "Puma Men White Sneaker",
    "Catwalk Women Heels",
  ];
  const model = fitTfidf(corpus);
  const vectors = await model.embedTexts([...corpus, "puma sneakers, black"]);
  for (let i = 0; i < 5; i++) {
    const norm = Math.hypot(...row(vectors, model.dim, i));
    assert.ok(Math.abs(norm - 1) < 1e-6, `row ${i} norm ${norm}`);
  }
  const query = row(vectors, model.dim, 4);
  const cosines = [0, 1, 2, 3].map((i) =>
    row(vectors, model.dim, i).reduce((s, v, j) => s + v * query[j], 0)
  );
  assert.ok(cosines[0] > cosines[2] && cosines[2] > cosines[1], `cosines ${cosines}`);
  assert.ok(cosines[2] > cosines[3]);
});

Deno.test("fitTfidf fingerprint depends on corpus and weighting, not on the name", () => {
  const a = fitTfidf(["ab", "b"], { ngram: [2, 2] });
  // Pinned: cached text vectors are keyed by it, so a change of formula would orphan them all.
  assert.equal(a.fingerprint, "tfidf-1d273c7b3406e76135e89d73820860f5");
  assert.equal(a.fingerprint, fitTfidf(["ab", "b"], { ngram: [2, 2], name: "other" }).fingerprint);
  assert.notEqual(a.fingerprint, fitTfidf(["ab", "bb"], { ngram: [2, 2] }).fingerprint);
  assert.notEqual(a.fingerprint, fitTfidf(["ab", "b"], { ngram: [2, 2], sublinearTf: true }).fingerprint);
  assert.notEqual(a.fingerprint, fitTfidf(["ab", "b"], { ngram: [2, 3] }).fingerprint);
});

Deno.test("fitTfidf rejects bad input with errors that name it", async () => {
  assert.throws(() => fitTfidf("ab" as unknown as string[]), /corpus must be an array of strings/);
  assert.throws(() => fitTfidf(["ab", 3 as unknown as string]), /corpus\[1\] must be a string/);
  assert.throws(() => fitTfidf(["ab"], { ngram: [0, 2] }), /options\.ngram/);
  assert.throws(() => fitTfidf(["ab"], { ngram: [3, 2] }), /options\.ngram/);
  assert.throws(() => fitTfidf(["ab"], { minDf: 0 }), /options\.minDf/);
  assert.throws(() => fitTfidf(["ab"], { maxFeatures: 0 }), /options\.maxFeatures/);
  assert.throws(() => fitTfidf(["ab"], { analyzer: "word" as "char" }), /options\.analyzer/);
  assert.throws(() => fitTfidf(["", "  "]), /no n-gram/);
  assert.throws(() => fitTfidf([]), /no n-gram/);
  const model = fitTfidf(["ab"]);
  await assert.rejects(model.embedTexts(["ok", null as unknown as string]), /texts\[1\] must be a string/);
  assert.equal((await model.embedTexts([])).length, 0);
});
