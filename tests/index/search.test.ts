import assert from "node:assert/strict";
import { join } from "node:path";
import { indexShop } from "./shop.ts";
import { runScript, withTempDir } from "./helpers.ts";

const CONTRACT_RESULT_KEYS = ["item_id", "pairs", "rank", "score", "unmatched_item", "unmatched_query"];

Deno.test("search --json: the contract's fields; a query item excludes itself; exact, shortlists, filters, text", async () => {
  await withTempDir("setsim-search-", async (tmp) => {
    const { dir, index, env } = await indexShop(tmp);
    const search = async (...args: string[]) => {
      const out = await runScript("scripts/search.ts", ["--index", index, "--json", ...args], env);
      assert.equal(out.code, 0, out.stderr);
      return JSON.parse(out.stdout);
    };

    const out = await search("--query", "red-boot", "--k", "3");
    for (const key of ["query", "method", "k", "results", "shortlist"]) assert.ok(key in out, key);
    assert.equal(out.method, "chamfer");
    assert.equal(out.k, 3);
    assert.deepEqual(Object.keys(out.shortlist).filter((k) => ["candidates", "exact"].includes(k)).sort(), [
      "candidates",
      "exact",
    ]);
    assert.equal(out.shortlist.exact, false);
    assert.equal(out.results.length, 3);
    for (const [i, r] of out.results.entries()) {
      for (const key of CONTRACT_RESULT_KEYS) assert.ok(key in r, key);
      assert.equal(r.rank, i + 1);
      for (const p of r.pairs) assert.deepEqual(["a", "b", "counted", "similarity"], Object.keys(p).sort());
      assert.ok(!("text_score" in r), "no text_score without text fusion");
    }
    assert.ok(
      out.results.every((r: { item_id: string }) => r.item_id !== "red-boot"),
      "the query item excludes itself",
    );
    assert.equal(out.results[0].item_id, "red-boot-2", "the re-shoot is the nearest item");
    assert.ok(out.results[0].score > out.results[1].score);
    // Chamfer A→B: every query image is paired with its best match.
    assert.equal(out.results[0].pairs.length, 3);

    const exact = await search("--query", "red-boot", "--k", "3", "--exact");
    assert.equal(exact.shortlist.exact, true);
    assert.equal(exact.shortlist.candidates, 4, "every other item is scored");
    assert.deepEqual(
      exact.results.map((r: { item_id: string }) => r.item_id),
      out.results.map((r: { item_id: string }) => r.item_id),
    );
    const centroid = await search("--query", "red-boot", "--k", "3", "--shortlist", "centroid");
    assert.deepEqual(
      centroid.results.map((r: { score: number }) => r.score),
      exact.results.map((r: { score: number }) => r.score),
    );

    const filtered = await search("--query", "red-boot", "--where", "category = 'Sports Shoes'");
    assert.deepEqual(filtered.results.map((r: { item_id: string }) => r.item_id).sort(), [
      "green-shoe",
      "yellow-sneaker",
    ]);
    const brand = await search(
      "--query",
      "red-boot",
      "--where",
      "brand = 'Bolt'",
      "--exact",
      "--method",
      "optimal",
    );
    assert.equal(brand.method, "optimal");
    assert.deepEqual(brand.results.map((r: { item_id: string }) => r.item_id).sort(), [
      "blue-sandal",
      "green-shoe",
    ]);

    const files = await search(
      "--query",
      join(dir, "photos", "green-shoe"),
      "--text",
      "green running shoe",
      "--k",
      "2",
    );
    assert.equal(files.query.item_id, undefined);
    assert.equal(files.query.images.length, 2);
    assert.equal(files.results[0].item_id, "green-shoe", "a folder query is not excluded: it is not an item");
    assert.ok(files.results[0].text_score > files.results[1].text_score);
    const single = await search(
      "--query",
      join(dir, "photos", "green-shoe", "1.png"),
      "--k",
      "1",
      "--s",
      "0.99",
      "--method",
      "greedy",
    );
    assert.equal(single.results[0].pairs[0].counted, true);

    // fde works on any index (item encodings computed from the image vectors); with every other
    // item a candidate, its re-rank is the exact answer.
    const fde = await search("--query", "red-boot", "--k", "3", "--shortlist", "fde", "--candidates", "4");
    assert.deepEqual(
      fde.results.map((r: { item_id: string; score: number }) => [r.item_id, r.score]),
      exact.results.map((r: { item_id: string; score: number }) => [r.item_id, r.score]),
    );
    const fdeFiltered = await search(
      "--query",
      "red-boot",
      "--shortlist",
      "fde",
      "--where",
      "category = 'Sports Shoes'",
    );
    assert.deepEqual(fdeFiltered.results.map((r: { item_id: string }) => r.item_id).sort(), [
      "green-shoe",
      "yellow-sneaker",
    ]);
    const unknown = await runScript("scripts/search.ts", ["--index", index, "--query", "no-such-item"], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no-such-item: neither an item of the index/);
    const badWhere = await runScript("scripts/search.ts", [
      "--index",
      index,
      "--query",
      "red-boot",
      "--where",
      "nope = (",
    ], env);
    assert.equal(badWhere.code, 2, badWhere.stderr);
    assert.match(badWhere.stderr, /--where/);
  });
});
