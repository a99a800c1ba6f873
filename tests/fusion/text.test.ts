import { strict as assert } from "node:assert";
import { textSimilarity } from "../../lib/fusion/mod.ts";

Deno.test("textSimilarity (tfidf): square, unit diagonal, lexical neighbours closest", async () => {
  const titles = ["Puma Men Black Sneaker", "Puma Men White Sneaker", "Clarks Women Red Heels"];
  const s = await textSimilarity(titles, { model: "tfidf" });
  assert.equal(s.rows, 3);
  assert.equal(s.cols, 3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(s.data[i * 3 + i] - 1) < 1e-6);
  assert.ok(s.data[1] > s.data[2]);
  assert.ok(Math.abs(s.data[1] - s.data[3]) < 1e-6);
});

Deno.test("textSimilarity with separate candidates is queries × candidates", async () => {
  const s = await textSimilarity(["black sneaker"], {
    model: "tfidf",
    candidates: ["black sneaker", "red heels"],
  });
  assert.equal(s.rows, 1);
  assert.equal(s.cols, 2);
  assert.ok(Math.abs(s.data[0] - 1) < 1e-6 && s.data[1] < 0.5);
});

Deno.test("textSimilarity (use, offline): the sentence encoder puts paraphrases closer", async () => {
  const s = await textSimilarity([
    "men's running shoes",
    "sports shoes for jogging",
    "leather formal shoes for office",
  ], {
    model: "use",
  });
  assert.ok(s.data[1] > s.data[2]);
});

Deno.test("textSimilarity rejects bad input, naming it", async () => {
  await assert.rejects(() => textSimilarity([], { model: "tfidf" }), /texts is empty/);
  await assert.rejects(
    () => textSimilarity(["a", 3 as unknown as string], { model: "tfidf" }),
    /texts\[1\] is not a string/,
  );
});
