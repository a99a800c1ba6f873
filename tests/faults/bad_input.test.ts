/** What the README's "What happens when things go wrong" says about bad images in eval. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";
import { runCli } from "./helpers.ts";

Deno.test("eval drops an image that cannot be embedded, says how many and names the first", async () => {
  const dataDir = await makeTinyDataDir({ coilObjects: 2 });
  // Every other view of object 2 is garbage, so the drawn sets surely include some.
  for (let angle = 0; angle < 360; angle += 10) {
    await Deno.writeTextFile(join(dataDir, "coil100", "images", `obj2__${angle}.png`), "not an image");
  }
  const cacheDir = await Deno.makeTempDir({ prefix: "setsim-faults-bad-cache-" });
  const r = await runCli(
    "eval",
    [
      "--dataset",
      "coil100",
      "--protocol",
      "unordered",
      "--method",
      "centroid",
      "--bootstrap",
      "20",
      "--no-record",
    ],
    { SETSIM_DATA_DIR: dataDir, SETSIM_CACHE_DIR: cacheDir },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout + r.stderr,
    /\d+ image\(s\) could not be embedded and were dropped, e\.g\. \S*obj2__\d+\.png: not an image/,
  );
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(cacheDir, { recursive: true });
});
