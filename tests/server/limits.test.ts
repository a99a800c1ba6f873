import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { runScript } from "../index/helpers.ts";
import { serve } from "../../lib/server/mod.ts";
import { buildShopIndex, errorOf, form, removeShop, serveShop, shopPhoto } from "./helpers.ts";

/** A request body that sends one chunk, then waits for `release` before it ends. */
function heldBody(): { body: ReadableStream<Uint8Array>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode("--x\r\n"));
      await released;
      controller.close();
    },
  });
  return { body, release };
}

const HELD_HEADERS = { "content-type": "multipart/form-data; boundary=x" };

Deno.test({
  name: "serve limits: body, photos and pixels 413; concurrency 503 + Retry-After; timeout 504; token 401",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const shop = await buildShopIndex();
    try {
      await t.step("413 for a body, a photo count or a pixel count over the limit", async () => {
        const server = await serveShop(shop, {
          limits: { maxBodyBytes: 4000, maxPhotos: 2, maxPixels: 5000 },
        });
        try {
          const post = (body: BodyInit, headers: Record<string, string> = {}) =>
            fetch(`${server.url}/search`, { method: "POST", body, headers });
          const big = new File([new Uint8Array(5000)], "big.png");
          assert.deepEqual((await errorOf(await post(form({ photos: big })))).status, 413);
          const streamed = new ReadableStream<Uint8Array>({
            start(controller) {
              for (let k = 0; k < 10; k++) controller.enqueue(new Uint8Array(1000));
              controller.close();
            },
          });
          const chunked = await errorOf(await post(streamed, HELD_HEADERS));
          assert.deepEqual(
            [chunked.status, chunked.field],
            [413, "body"],
            "no declared length: counted as read",
          );
          const photo = await shopPhoto(shop, "red-boot", 1);
          const three = await errorOf(await post(form({ photos: [photo, photo, photo] })));
          assert.deepEqual([three.status, three.field], [413, "photos"]);
          assert.match(three.message, /3 photos, the limit is 2/);
          const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: "#c00" } })
            .png({ compressionLevel: 9 }).toBuffer();
          const pixels = await errorOf(
            await post(form({ photos: new File([new Uint8Array(png)], "wide.png") })),
          );
          assert.deepEqual([pixels.status, pixels.field], [413, "photos"]);
          assert.match(pixels.message, /more pixels than the limit of 5000/);
          const fine = await post(form({ photos: photo, k: "2" }));
          assert.equal(fine.status, 200, "a photo within every limit is searched");
          await fine.body?.cancel();
        } finally {
          await server.close();
        }
      });

      await t.step("503 + Retry-After past the concurrency cap; /health still answers", async () => {
        const server = await serveShop(shop, { limits: { maxConcurrent: 1 } });
        try {
          const held = heldBody();
          const first = fetch(`${server.url}/search`, {
            method: "POST",
            body: held.body,
            headers: HELD_HEADERS,
          });
          // Wait until the held request occupies the one slot.
          for (
            let k = 0;
            k < 200 && !/in_flight 1/.test(await (await fetch(`${server.url}/metrics`)).text());
            k++
          ) {
            await new Promise((r) => setTimeout(r, 10));
          }
          const busy = await fetch(`${server.url}/items/red-boot/similar`);
          assert.equal(busy.status, 503);
          assert.equal(busy.headers.get("retry-after"), "1");
          assert.match((await busy.json()).error.message, /limit/);
          const health = await fetch(`${server.url}/health`);
          assert.equal(health.status, 200, "monitoring is not capped");
          await health.body?.cancel();
          held.release();
          const answered = await first;
          assert.equal(answered.status, 400, "the held request finishes (a malformed form)");
          await answered.body?.cancel();
          const after = await fetch(`${server.url}/items/red-boot/similar`);
          assert.equal(after.status, 200, "the slot is free again");
          await after.body?.cancel();
        } finally {
          await server.close();
        }
      });

      await t.step("504 when a request takes longer than the timeout", async () => {
        const server = await serveShop(shop, { limits: { timeoutMs: 150 } });
        try {
          const held = heldBody();
          const slow = await fetch(`${server.url}/search`, {
            method: "POST",
            body: held.body,
            headers: HELD_HEADERS,
          });
          const error = await errorOf(slow);
          assert.equal(error.status, 504);
          assert.match(error.message, /longer than the limit of 150 ms/);
          held.release();
          const health = await fetch(`${server.url}/health`);
          assert.equal(health.status, 200);
          await health.body?.cancel();
        } finally {
          await server.close();
        }
      });

      await t.step("a token guards every route but /health and the page", async () => {
        const token = "s3cret-token-for-tests";
        const server = await serveShop(shop, { token });
        try {
          for (
            const path of [
              "/items/red-boot/similar",
              "/items",
              "/metrics",
              "/openapi.json",
              "/images/red-boot:0",
            ]
          ) {
            const none = await errorOf(await fetch(`${server.url}${path}`));
            assert.deepEqual([none.status, none.field], [401, "authorization"], path);
            const wrong = await fetch(`${server.url}${path}`, {
              headers: { authorization: "Bearer nope-nope-nope" },
            });
            assert.equal(wrong.status, 401, path);
            assert.match(wrong.headers.get("www-authenticate") ?? "", /Bearer/);
            await wrong.body?.cancel();
            const right = await fetch(`${server.url}${path}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            assert.equal(right.status, 200, path);
            await right.body?.cancel();
          }
          const upload = await fetch(`${server.url}/search`, {
            method: "POST",
            body: form({ photos: await shopPhoto(shop, "red-boot", 1) }),
          });
          assert.equal(upload.status, 401);
          await upload.body?.cancel();
          for (const path of ["/health", "/", "/app.js"]) {
            const open = await fetch(`${server.url}${path}`);
            assert.equal(open.status, 200, path);
            await open.body?.cancel();
          }
        } finally {
          await server.close();
        }
      });

      await t.step("garbage requests get 4xx JSON, never a 500 or a crash", async () => {
        const server = await serveShop(shop);
        try {
          let seed = 7;
          const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
          const paths = [
            "/search",
            "/compare",
            "/duplicates",
            "/items/%00/similar",
            "/images/%2e%2e%2f:0",
            "/items/red-boot/similar?k=1e400",
            "/items/red-boot/similar?s=NaN&method=greedy",
            "/items?where=%27",
            "/images/red-boot:99999999999999999999",
            "//",
            "/items/red-boot/similar/extra",
          ];
          const types = [
            "multipart/form-data; boundary=zz",
            "application/json",
            "text/plain",
            "",
            "multipart/form-data",
          ];
          for (let k = 0; k < 40; k++) {
            const path = paths[k % paths.length];
            const bytes = Uint8Array.from(
              { length: Math.floor(random() * 2000) },
              () => Math.floor(random() * 256),
            );
            const post = path === "/search" || path === "/compare" || path === "/duplicates";
            const type = types[Math.floor(random() * types.length)];
            const response = await fetch(`${server.url}${path}`, {
              method: post ? "POST" : "GET",
              ...(post ? { body: bytes, headers: type ? { "content-type": type } : {} } : {}),
            });
            const text = await response.text();
            assert.ok(
              response.status >= 400 && response.status < 500,
              `${path} (${type}): ${response.status} ${text}`,
            );
            assert.ok(typeof JSON.parse(text).error.message === "string", path);
          }
          const health = await fetch(`${server.url}/health`);
          assert.equal(health.status, 200);
          await health.body?.cancel();
          assert.equal(server.metrics.serverErrors, 0);
        } finally {
          await server.close();
        }
      });

      await t.step("another address than loopback needs a token (refused before binding)", async () => {
        await assert.rejects(
          serve({ index: shop.index, host: "0.0.0.0", port: 0, log: null }),
          /needs a token/,
        );
        await assert.rejects(
          serve({ index: shop.index, host: "127.0.0.1", port: 0, token: "short", log: null }),
          /at least 8/,
        );
        const cli = await runScript("scripts/serve.ts", ["--index", shop.index, "--host", "0.0.0.0"]);
        assert.equal(cli.code, 2);
        assert.match(cli.stderr, /needs a token/);
        const missing = await runScript("scripts/serve.ts", ["--index", join(shop.tmp, "nope")]);
        assert.equal(missing.code, 2, missing.stderr);
        assert.match(missing.stderr, /not a setsim index/);
        const help = await runScript("scripts/serve.ts", ["--help"]);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /--index DIR .*--token T/);
      });
    } finally {
      await removeShop(shop);
    }
  },
});
