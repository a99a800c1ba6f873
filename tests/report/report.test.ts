import assert from "node:assert/strict";
import { join } from "node:path";
import { indexShop } from "../index/shop.ts";
import { runScript, withTempDir } from "../index/helpers.ts";
import { loadInChromium } from "./browser.ts";

const COUNT = `({ results: document.querySelectorAll(".result").length, images: document.images.length,
  broken: [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).length,
  text: document.body.innerText })`;

Deno.test("--report pages load in headless Chromium with no console errors and show every result", async () => {
  await withTempDir("setsim-report-", async (tmp) => {
    const { index, env } = await indexShop(tmp);
    const pages = {
      search: join(tmp, "search.html"),
      compare: join(tmp, "compare.html"),
      dedup: join(tmp, "dedup.html"),
    };
    for (
      const [script, args] of [
        ["scripts/search.ts", [
          "--index",
          index,
          "--query",
          "red-boot",
          "--k",
          "3",
          "--text-weight",
          "0.3",
          "--report",
          pages.search,
        ]],
        ["scripts/compare.ts", [
          "red-boot",
          "green-shoe",
          "--index",
          index,
          "--method",
          "greedy,chamfer",
          "--report",
          pages.compare,
        ]],
        ["scripts/dedup.ts", ["--index", index, "--threshold", "0.95", "--quiet", "--report", pages.dedup]],
      ] as const
    ) {
      const out = await runScript(script, [...args], env);
      assert.equal(out.code, 0, `${script}: ${out.stderr}`);
    }
    const expected = { search: 3, compare: 2, dedup: 1 };
    const shots = Deno.env.get("SETSIM_SCREENSHOT_DIR");
    for (const [name, path] of Object.entries(pages)) {
      const html = await Deno.readTextFile(path);
      assert.doesNotMatch(
        html,
        /(src|href)="(https?:|\/\/|file:)/,
        `${name}: self-contained (no external resources)`,
      );
      const visit = await loadInChromium(`file://${path}`, COUNT);
      assert.deepEqual(
        visit.messages.filter((m) => m.level !== "verbose" && m.level !== "info"),
        [],
        `${name}: console`,
      );
      const value = visit.value as { results: number; images: number; broken: number; text: string };
      assert.equal(value.results, expected[name as keyof typeof expected], `${name}: results shown`);
      assert.ok(value.images > 0, `${name}: thumbnails inline`);
      assert.equal(value.broken, 0, `${name}: every thumbnail decodes`);
      assert.deepEqual([...visit.screenshot.subarray(1, 4)], [0x50, 0x4e, 0x47], `${name}: a PNG screenshot`);
      assert.ok(visit.screenshot.length > 5000, `${name}: the screenshot is not blank`);
      if (name === "search") {
        assert.match(value.text, /red-boot-2/);
        assert.match(value.text, /text 0\.\d+/, "fused text score shown");
      }
      if (shots) await Deno.writeFile(join(shots, `${name}.png`), visit.screenshot);
    }
  });
});
