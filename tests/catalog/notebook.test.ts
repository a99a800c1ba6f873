import assert from "node:assert/strict";
import { join } from "node:path";
import { CatalogError, notebookPlan } from "../../lib/catalog/mod.ts";

const defaults = [
  { dataset: "coil100", protocol: "unordered", label: "coil100" },
  { dataset: "grocery", protocol: "grocery", label: "grocery" },
];

Deno.test("notebookPlan: defaults without SETSIM_CATALOG; the catalog alone, results elsewhere, with it", async () => {
  assert.deepEqual(notebookPlan(defaults, { env: () => undefined }), {
    catalog: null,
    runs: defaults,
    overrides: {},
  });
  const dir = await Deno.makeTempDir({ prefix: "setsim-nb-catalog-" });
  const shop = join(dir, "my shop");
  await Deno.mkdir(shop);
  const vars: Record<string, string> = { SETSIM_CATALOG: shop };
  const plan = notebookPlan(defaults, { env: (n) => vars[n], resultsDir: "/r" });
  assert.deepEqual(plan.catalog, { path: shop, name: "my_shop", protocol: "items" });
  assert.deepEqual(plan.runs, [{ dataset: shop, protocol: "items", label: "my_shop" }]);
  assert.deepEqual(plan.overrides, { resultsDir: "/r/catalogs/my_shop" });
  // A manifest called catalog.csv is named after its folder; the protocol can be group.
  await Deno.writeTextFile(join(shop, "catalog.csv"), "item_id,image\n");
  vars.SETSIM_CATALOG = join(shop, "catalog.csv");
  vars.SETSIM_CATALOG_PROTOCOL = "group";
  const manifest = notebookPlan(defaults, { env: (n) => vars[n], resultsDir: "/r" });
  assert.equal(manifest.catalog!.name, "my_shop");
  assert.equal(manifest.runs[0].protocol, "group");
  vars.SETSIM_CATALOG_PROTOCOL = "single";
  assert.throws(
    () => notebookPlan(defaults, { env: (n) => vars[n] }),
    /SETSIM_CATALOG_PROTOCOL must be items or group/,
  );
  assert.throws(
    () => notebookPlan(defaults, { env: (n) => ({ SETSIM_CATALOG: join(dir, "nope") })[n] }),
    CatalogError,
  );
});
