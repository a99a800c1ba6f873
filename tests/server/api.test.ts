import assert from "node:assert/strict";
import { SearchSession } from "../../lib/search/mod.ts";
import { openApiDocument, SERVER_ROUTES } from "../../lib/server/mod.ts";
import { buildShopIndex, errorOf, form, removeShop, serveShop, shopPhoto } from "./helpers.ts";

/** A search result without its timing (the only field two runs of one search may differ in). */
function stable(result: Record<string, unknown>) {
  const { elapsed_ms: _elapsed, index_version: _version, ...rest } = result;
  return rest;
}

Deno.test({
  name: "serve API: every endpoint answers from one index version, with the search --json schema",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const shop = await buildShopIndex({ text: true });
    const server = await serveShop(shop);
    const session = await SearchSession.open(shop.index);
    const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
    try {
      const version = server.holder.version;

      await t.step("GET /health, /metrics, /openapi.json", async () => {
        const health = await get("/health");
        assert.equal(health.status, 200);
        assert.equal(health.headers.get("x-index-version"), version);
        assert.deepEqual(await health.json(), { status: "ok", items: 5, images: 11, index_version: version });
        const metrics = await (await get("/metrics")).text();
        assert.match(metrics, /setsim_requests_total\{method="GET",route="\/health",status="200"\} 1/);
        assert.match(metrics, /setsim_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
        assert.ok(metrics.includes(`setsim_index_info{version="${version}"} 1`));
        const doc = await (await get("/openapi.json")).json();
        assert.equal(doc.openapi, "3.1.0");
        assert.deepEqual(doc, JSON.parse(JSON.stringify(openApiDocument())));
      });

      await t.step("the OpenAPI document describes every route, and every route it describes exists", () => {
        const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
        const described = Object.entries(paths).flatMap(([path, ops]) =>
          Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)
        ).sort();
        const served = SERVER_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
        assert.deepEqual(described, served);
        for (const path of ["/items/{id}/similar", "/search", "/compare", "/duplicates", "/items/{id}"]) {
          assert.ok(path in paths, path);
        }
      });

      await t.step("GET /items/{id}/similar is the library's search result, plus index_version", async () => {
        const response = await get("/items/red-boot/similar?k=3&method=greedy&s=0.5");
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("x-index-version"), version);
        const body = await response.json();
        assert.equal(body.index_version, version);
        const expected = await session.search(await session.itemQuery("red-boot"), {
          k: 3,
          match: { method: "greedy", s: 0.5 },
        });
        assert.deepEqual(stable(body), stable(JSON.parse(JSON.stringify(expected))));
        assert.equal(body.results[0].item_id, "red-boot-2");
        const filtered = await (await get(
          `/items/red-boot/similar?exact=true&where=${encodeURIComponent("category = 'Sports Shoes'")}`,
        )).json();
        assert.deepEqual(filtered.results.map((r: { item_id: string }) => r.item_id).sort(), [
          "green-shoe",
          "yellow-sneaker",
        ]);
        assert.equal(filtered.shortlist.exact, true);
        const text = await (await get("/items/red-boot/similar?text=green%20running%20shoe&text_weight=0.9"))
          .json();
        assert.equal(text.query.text, "green running shoe");
        assert.equal(text.results[0].item_id, "green-shoe", "a heavy text weight lets the title decide");
        assert.ok("text_score" in text.results[0]);
      });

      await t.step("GET /items, /items/{id}, /images/{image_id}", async () => {
        const page = await (await get("/items?limit=2&offset=1")).json();
        assert.equal(page.total, 5);
        assert.deepEqual(page.items.map((i: { item_id: string }) => i.item_id), ["green-shoe", "red-boot"]);
        assert.deepEqual(page.items[1].image_ids, ["red-boot:0", "red-boot:1", "red-boot:2"]);
        const item = await (await get("/items/red-boot")).json();
        assert.equal(item.title, "Red leather boot");
        assert.deepEqual(item.images[2], { image_id: "red-boot:2", position: 2, name: "3.png" });
        const thumb = await get("/images/red-boot%3A0");
        assert.equal(thumb.status, 200);
        assert.equal(thumb.headers.get("content-type"), "image/webp");
        assert.equal(thumb.headers.get("x-index-version"), version);
        assert.ok((await thumb.arrayBuffer()).byteLength > 0);
        const full = await get("/images/red-boot:0?size=full");
        assert.equal(full.headers.get("content-type"), "image/png");
        const original = await Deno.readFile(`${shop.shop}/photos/red-boot/1.png`);
        assert.deepEqual(new Uint8Array(await full.arrayBuffer()), original);
      });

      await t.step("POST /search with several photos, text and a filter", async () => {
        const photos = [await shopPhoto(shop, "red-boot", 1), await shopPhoto(shop, "red-boot", 3)];
        const response = await get("/search", {
          method: "POST",
          body: form({ photos, k: "2", method: "optimal", where: "brand = 'Acme'" }),
        });
        assert.equal(response.status, 200);
        const body = await response.json();
        assert.equal(body.index_version, version);
        assert.deepEqual(
          body.query.images,
          ["red-boot-1.png", "red-boot-3.png"],
          "the uploads' names, not paths",
        );
        assert.equal(body.method, "optimal");
        assert.equal(body.results[0].item_id, "red-boot", "its own photos find the item");
        assert.equal(body.results[0].pairs.length, 2);
        assert.ok(
          body.results.every((r: { item_id: string }) => r.item_id !== "blue-sandal"),
          "brand filter",
        );
        for (const key of ["query", "method", "k", "results", "shortlist", "elapsed_ms"]) {
          assert.ok(key in body, key);
        }
      });

      await t.step("POST /compare: item ids (JSON) and uploaded sets (multipart)", async () => {
        const ids = await (await get("/compare", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ a: "red-boot", b: "blue-sandal" }),
        })).json();
        assert.equal(ids.index_version, version);
        assert.equal(ids.methods.length, 8, "every method");
        const ordered = ids.methods.find((m: { method: string }) => m.method === "ordered");
        assert.match(ordered.reason, /equal size/);
        assert.deepEqual(ids.image_ids.a, ["red-boot:0", "red-boot:1", "red-boot:2"]);
        const uploads = await (await get("/compare", {
          method: "POST",
          body: form({
            photos_a: [await shopPhoto(shop, "red-boot", 1), await shopPhoto(shop, "red-boot", 2)],
            b: "red-boot-2",
            method: "greedy",
          }),
        })).json();
        assert.deepEqual(uploads.methods.map((m: { method: string }) => m.method), ["greedy"]);
        assert.equal(uploads.methods[0].pairs.length, 2);
        assert.equal(uploads.methods[0].unmatched_b.length, 1);
        assert.ok(uploads.methods[0].score > 0.9);
        assert.deepEqual(uploads.image_ids.a, [null, null]);
      });

      await t.step("POST /duplicates: a re-listing of red-boot is a duplicate, explained", async () => {
        const photos = [1, 2, 3].map((k) => shopPhoto(shop, "red-boot-2", k));
        const body = await (await get("/duplicates", {
          method: "POST",
          body: form({ photos: await Promise.all(photos), threshold: "0.8", title: "Red leather boot" }),
        })).json();
        assert.equal(body.threshold, 0.8);
        assert.deepEqual(
          body.results.slice(0, 2).map((r: { item_id: string }) => r.item_id).sort(),
          ["red-boot", "red-boot-2"],
          "its own listing and the original are the best candidates",
        );
        assert.ok(body.duplicates.includes("red-boot-2"));
        assert.deepEqual(
          body.duplicates,
          body.results.filter((r: { score: number }) => r.score >= 0.8).map((r: { item_id: string }) =>
            r.item_id
          ),
        );
        assert.ok(!body.duplicates.includes("blue-sandal"));
        const scores = body.results.map((r: { score: number }) => r.score);
        assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
        assert.ok(body.results[0].pairs.length > 0, "explained by pairs");
        assert.ok("text_score" in body.results[0], "the title was fused");
      });

      await t.step("every 4xx is JSON naming the field", async () => {
        const cases: [string, RequestInit | undefined, number, string | undefined][] = [
          ["/items/red-boot/similar?k=0", undefined, 400, "k"],
          ["/items/red-boot/similar?k=abc", undefined, 400, "k"],
          ["/items/red-boot/similar?method=nope", undefined, 400, "method"],
          ["/items/red-boot/similar?s=2", undefined, 400, "s"],
          ["/items/red-boot/similar?m=0", undefined, 400, "m"],
          ["/items/red-boot/similar?method=centroid&s=0.5", undefined, 400, "s"],
          ["/items/red-boot/similar?text_weight=1.5", undefined, 400, "text_weight"],
          ["/items/red-boot/similar?shortlist=magic", undefined, 400, "shortlist"],
          ["/items/red-boot/similar?exact=true&shortlist=images", undefined, 400, "shortlist"],
          ["/items/red-boot/similar?exact=maybe", undefined, 400, "exact"],
          ["/items/red-boot/similar?candidates=0", undefined, 400, "candidates"],
          ["/items/red-boot/similar?nprobes=-1", undefined, 400, "nprobes"],
          ["/items/red-boot/similar?where=nonsense%20%3D%3D", undefined, 400, "where"],
          ["/items/red-boot/similar?where=no_column%20%3D%201", undefined, 400, "where"],
          ["/items?offset=-1", undefined, 400, "offset"],
          ["/items?limit=100000", undefined, 400, "limit"],
          ["/items?where=%3D%3D", undefined, 400, "where"],
          ["/images/no-colon", undefined, 400, "image_id"],
          ["/images/red-boot:0?size=huge", undefined, 400, "size"],
          ["/items/%E0%A4%A", undefined, 400, "path"],
          ["/items/nope", undefined, 404, "id"],
          ["/items/nope/similar", undefined, 404, "id"],
          ["/images/nope:0", undefined, 404, "image_id"],
          ["/images/red-boot:7", undefined, 404, "image_id"],
          ["/no/such/route", undefined, 404, "path"],
          ["/items/red-boot", { method: "DELETE" }, 405, "method"],
          ["/search", { method: "GET" }, 405, "method"],
          ["/search", { method: "POST", body: form({ k: "3" }) }, 400, "photos"],
          [
            "/search",
            {
              method: "POST",
              body: form({ photos: new File([new TextEncoder().encode("not an image")], "x.png") }),
            },
            400,
            "photos",
          ],
          ["/search", { method: "POST", body: form({ photos: "text, not a file" }) }, 400, "photos"],
          [
            "/search",
            {
              method: "POST",
              body: form({ photos: new File([new Uint8Array(0)], "empty.png") }),
            },
            400,
            "photos",
          ],
          [
            "/search",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "{}",
            },
            415,
            "body",
          ],
          [
            "/search",
            {
              method: "POST",
              headers: { "content-type": "multipart/form-data; boundary=x" },
              body: "garbage",
            },
            400,
            "body",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "{not json",
            },
            400,
            "body",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "[1]",
            },
            400,
            "body",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ a: "red-boot" }),
            },
            400,
            "b",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ a: "red-boot", b: "nope" }),
            },
            404,
            "b",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ a: "red-boot", b: "blue-sandal", method: "greedy,nope" }),
            },
            400,
            "method",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ a: { x: 1 }, b: "blue-sandal" }),
            },
            400,
            "a",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ a: "red-boot", b: "blue-sandal", method: " , " }),
            },
            400,
            "method",
          ],
          [
            "/compare",
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ a: "red-boot", b: "blue-sandal", method: "greedy", s: 3 }),
            },
            400,
            "s",
          ],
          ["/duplicates", { method: "POST", body: form({ threshold: "0.9" }) }, 400, "photos"],
          ["/duplicates", { method: "POST", body: form({ threshold: "high" }) }, 400, "threshold"],
        ];
        for (const [path, init, status, field] of cases) {
          const response = await get(path, init);
          const error = await errorOf(response);
          assert.equal(error.status, status, `${init?.method ?? "GET"} ${path}: ${error.message}`);
          assert.equal(error.field, field, `${path}: field of "${error.message}"`);
          assert.ok(error.message.length > 10, path);
          assert.match(response.headers.get("content-type") ?? "", /application\/json/);
        }
        const both = await get("/compare", {
          method: "POST",
          body: form({ a: "red-boot", photos_a: await shopPhoto(shop, "red-boot", 1), b: "blue-sandal" }),
        });
        assert.deepEqual((await errorOf(both)).field, "a");
        const noText = await get("/search", {
          method: "POST",
          body: form({ photos: await shopPhoto(shop, "red-boot", 1), text_weight: "0.5" }),
        });
        assert.deepEqual(await errorOf(noText), {
          status: 400,
          field: "text_weight",
          message: "text_weight needs a query text: give text, or query an item with a title",
        });
        const health = await get("/health");
        assert.equal(health.status, 200, "still serving after every bad request");
        await health.body?.cancel();
      });
    } finally {
      await session.close();
      await server.close();
      await removeShop(shop);
    }
  },
});
