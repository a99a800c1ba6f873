import assert from "node:assert/strict";
import { join } from "node:path";
import { writeShot } from "../index/shop.ts";
import { MANIFEST_FILE } from "../../lib/index/mod.ts";
import { buildShopIndex, rebuildShopIndex, removeShop, serveShop } from "./helpers.ts";

interface Seen {
  header: string | null;
  body: string;
  status: number;
  hasNewItem: boolean;
}

Deno.test({
  name: "serve hot reload: a rebuild under load switches versions with no errors and no mixed versions",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const shop = await buildShopIndex();
    const server = await serveShop(shop, { reloadIntervalMs: 0 });
    try {
      const before = server.holder.version;
      // Load: 4 clients, each asking for the item list and a similar search in turn, until told to stop
      // (bounded: at most 3000 requests each).
      let stop = false;
      const client = async (c: number): Promise<Seen[]> => {
        const seen: Seen[] = [];
        for (let k = 0; k < 3000 && !stop; k++) {
          const path = (k + c) % 2 === 0 ? "/items?limit=100" : "/items/red-boot/similar?k=10&exact=true";
          const response = await fetch(`${server.url}${path}`);
          const body = await response.json();
          const ids: string[] = "items" in body
            ? body.items.map((i: { item_id: string }) => i.item_id)
            : body.results.map((r: { item_id: string }) => r.item_id);
          seen.push({
            header: response.headers.get("x-index-version"),
            body: body.index_version,
            status: response.status,
            hasNewItem: ids.includes("purple-boot"),
          });
        }
        return seen;
      };
      const clients = [0, 1, 2, 3].map(client);

      // A new item in the catalog, then the index rebuilt while the clients run.
      await Deno.mkdir(join(shop.shop, "photos", "purple-boot"), { recursive: true });
      await writeShot(join(shop.shop, "photos", "purple-boot", "1.png"), {
        shape: "circle",
        color: "#8010a0",
        dx: 0,
        scale: 1,
      });
      await Deno.writeTextFile(
        shop.manifest,
        "purple-boot,photos/purple-boot/1.png,Purple boot,Boots,Acme\n",
        { append: true },
      );
      await rebuildShopIndex(shop);
      // Keep the load on until the clients have seen the new version for a while.
      const deadline = Date.now() + 20_000;
      while (server.holder.version === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 300));
      stop = true;
      const seen = (await Promise.all(clients)).flat();
      const after = server.holder.version;

      assert.notEqual(after, before, "the server switched to the rebuilt index");
      assert.equal(server.holder.reloads, 1);
      assert.equal(server.holder.reloadErrors, 0);
      assert.deepEqual(seen.filter((s) => s.status !== 200), [], "no errors during the rebuild");
      assert.deepEqual(seen.filter((s) => s.header !== s.body), [], "header and body name one version");
      const versions = new Set(seen.map((s) => s.body));
      assert.deepEqual([...versions].sort(), [before, after].sort(), "both versions answered");
      // No mixed version: the old version never shows the new item, the new one always has it.
      assert.deepEqual(seen.filter((s) => s.body === before && s.hasNewItem), []);
      assert.deepEqual(seen.filter((s) => s.body === after && !s.hasNewItem), []);
      // Per client, once the new version answered, the old one never did again.
      const perClient = await Promise.all(clients);
      for (const list of perClient) {
        const first = list.findIndex((s) => s.body === after);
        if (first >= 0) assert.ok(list.slice(first).every((s) => s.body === after));
      }

      // A broken commit (an invalid manifest) is a reload error; the open version keeps serving.
      const manifestPath = join(shop.index, MANIFEST_FILE);
      const good = await Deno.readTextFile(manifestPath);
      await Deno.writeTextFile(manifestPath, "{ not json");
      await server.holder.refresh();
      assert.equal(server.holder.reloadErrors, 1);
      const still = await fetch(`${server.url}/items/red-boot/similar`);
      assert.equal(still.status, 200);
      assert.equal((await still.json()).index_version, after);
      await Deno.writeTextFile(manifestPath, good);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /setsim_index_reloads_total 1/);
      assert.match(metrics, /setsim_index_reload_errors_total [1-9]/);

      // A request that leased the old version keeps it open across a switch; its release closes it.
      const lease = server.holder.lease();
      // Watch the leased version's close (searching a closed session would read unmapped memory).
      let closedAt: "before release" | "after release" | undefined;
      let released = false;
      const close = lease.session.close.bind(lease.session);
      lease.session.close = () => {
        closedAt = released ? "after release" : "before release";
        return close();
      };
      const lines = (await Deno.readTextFile(shop.manifest)).trimEnd().split("\n");
      await Deno.writeTextFile(
        shop.manifest,
        lines.filter((l) => !l.startsWith("purple-boot,")).join("\n") + "\n",
      );
      await rebuildShopIndex(shop);
      await server.holder.refresh();
      assert.notEqual(server.holder.version, lease.version, "new requests get the third version");
      assert.ok(await lease.session.hasItem("purple-boot"), "the leased version still has the removed item");
      const query = await lease.session.itemQuery("purple-boot");
      assert.equal((await lease.session.search(query, { k: 2 })).results.length, 2, "and still searches");
      assert.equal(closedAt, undefined, "not closed while a request holds it");
      released = true;
      lease.release();
      assert.equal(closedAt, "after release", "closed by its last release");
      const now = await (await fetch(`${server.url}/items/purple-boot`)).json();
      assert.equal(now.error.field, "id", "the new version no longer has it");
    } finally {
      await server.close();
      await removeShop(shop);
    }
  },
});
