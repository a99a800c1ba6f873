import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { Buffer } from "node:buffer";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { buildShopIndex, form, removeShop, serveShop, shopPhoto } from "./helpers.ts";
import { launchChromium } from "../tools/chromium.ts";

const ARTIFACTS = join(PROJECT_ROOT, "results", "test-artifacts");

interface ShownResult {
  item: string;
  pairs: { a: number; b: number; similarity: number; counted: boolean }[];
}

/** The results the page shows: each card's item and its matched pairs, in order. */
function shownResults(page: Page, container: string): Promise<ShownResult[]> {
  return page.$$eval(`${container} article.result`, (cards) =>
    cards.map((card) => ({
      item: card.getAttribute("data-item")!,
      pairs: [...card.querySelectorAll("li.pair")].map((li) => ({
        a: Number(li.getAttribute("data-a")),
        b: Number(li.getAttribute("data-b")),
        similarity: Number(li.getAttribute("data-similarity")),
        counted: li.getAttribute("data-counted") === "true",
      })),
    })));
}

function apiResults(body: { results: { item_id: string; pairs: ShownResult["pairs"] }[] }): ShownResult[] {
  return body.results.map((r) => ({ item: r.item_id, pairs: r.pairs }));
}

/** Drop files on an element the way a user's drag and drop does (a DataTransfer in a drop event). */
async function dropFiles(page: Page, selector: string, files: { name: string; base64: string }[]) {
  await page.evaluate(
    (selector, files) => {
      const transfer = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], f.name, { type: "image/png" }));
      }
      const zone = document.querySelector(selector)!;
      zone.dispatchEvent(
        new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    selector,
    files,
  );
}

const doneText = (container: string) =>
  `document.querySelector("${container} p.meta")?.textContent.includes("·")`;

Deno.test({
  name: "web app in headless Chromium: search by item and by dropped photos shows the API's pairs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const shop = await buildShopIndex();
    const server = await serveShop(shop);
    const profile = await Deno.makeTempDir({ prefix: "setsim-chromium-" });
    let browser: Browser | undefined;
    let opened: Page | undefined;
    const problems: string[] = [];
    try {
      browser = await launchChromium({ profileDir: profile });
      const page = await browser.newPage();
      opened = page;
      await page.setViewport({ width: 1200, height: 900 });
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warn") {
          problems.push(`console: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => problems.push(`page error: ${(error as Error).message}`));
      page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });

      await page.goto(`${server.url}/#browse`, { waitUntil: "load" });
      await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
      const items = await page.$$eval("#items li", (li) => li.map((x) => x.getAttribute("data-item")));
      assert.deepEqual(items, ["blue-sandal", "green-shoe", "red-boot", "red-boot-2", "yellow-sneaker"]);

      // Search by an item, with the keyboard: type the id, Enter submits.
      await page.click("nav a[data-view=search]");
      await page.focus("#search-form input[name=query]");
      await page.keyboard.type("red-boot");
      await page.keyboard.press("Enter");
      await page.waitForFunction(doneText("#search-results"), { timeout: 30_000 });
      const byItem = await shownResults(page, "#search-results");
      const api = await (await fetch(`${server.url}/items/red-boot/similar?k=10&method=chamfer`)).json();
      assert.deepEqual(byItem, apiResults(api), "the pairs shown are the API's");
      assert.equal(byItem[0].item, "red-boot-2");
      assert.ok(byItem[0].pairs.length === 3);
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("#search-results img")].every((img) =>
            (img as HTMLImageElement).complete
          ),
        { timeout: 30_000 },
      );

      // Search by two dropped photos, method optimal.
      const files = [["blue-sandal", 1], ["green-shoe", 2]] as const;
      const dropped = await Promise.all(files.map(async ([item, k]) => ({
        name: `${item}-${k}.png`,
        base64: Buffer.from(await Deno.readFile(join(shop.shop, "photos", item, `${k}.png`))).toString(
          "base64",
        ),
      })));
      await dropFiles(page, "#search-drop", dropped);
      assert.equal(await page.$$eval("#search-drop .chosen li", (li) => li.length), 2);
      await page.select("#search-form select[name=method]", "optimal");
      await page.click("#search-form button[type=submit]");
      await page.waitForFunction(
        `${
          doneText("#search-results")
        } && document.querySelectorAll("#search-results li.pair").length > 0 && ` +
          `document.querySelector("#search-results article.result")?.getAttribute("data-item") !== "red-boot-2"`,
        { timeout: 60_000 },
      );
      const byPhotos = await shownResults(page, "#search-results");
      const uploaded = await (await fetch(`${server.url}/search`, {
        method: "POST",
        body: form({
          photos: await Promise.all(files.map(([item, k]) => shopPhoto(shop, item, k))),
          method: "optimal",
          k: "10",
        }),
      })).json();
      assert.deepEqual(byPhotos, apiResults(uploaded), "the pairs shown for dropped photos are the API's");
      assert.deepEqual(
        byPhotos.slice(0, 2).map((r) => r.item).sort(),
        ["blue-sandal", "green-shoe"],
        "each photo finds its item",
      );

      // Compare two items: one card per method.
      await page.click("nav a[data-view=compare]");
      await page.type("#compare-form input[name=a]", "red-boot");
      await page.type("#compare-form input[name=b]", "red-boot-2");
      await page.click("#compare-form button[type=submit]");
      await page.waitForSelector("#compare-results article[data-method=greedy]", { timeout: 30_000 });
      assert.equal(await page.$$eval("#compare-results article", (a) => a.length), 8);

      // Duplicates: drop a listing, then the threshold slider filters the candidates.
      await page.click("nav a[data-view=duplicates]");
      await dropFiles(page, "#duplicates-drop", dropped.slice(0, 1));
      await page.click("#duplicates-form button[type=submit]");
      await page.waitForSelector("#histogram svg rect", { timeout: 60_000 });
      const setThreshold = (value: string) =>
        page.$eval("#threshold", (input, value) => {
          (input as HTMLInputElement).value = value;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }, value);
      await setThreshold("0");
      const all = await page.$$eval("#duplicates-results article", (a) => a.length);
      await setThreshold("0.99");
      const strict = await page.$$eval("#duplicates-results article", (a) => a.length);
      assert.ok(all >= 5 && strict >= 1 && strict < all, `slider filters: ${all} at 0, ${strict} at 0.99`);
      assert.equal(
        await page.$eval("#duplicates-results article", (a) => a.getAttribute("data-item")),
        "blue-sandal",
      );

      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.click("nav a[data-view=search]");
      await page.screenshot({ path: join(ARTIFACTS, "serve-web-app.png"), fullPage: true });
      assert.deepEqual(problems, [], "no console errors, failed requests or error responses");
      assert.equal(await page.$eval("#error", (e) => (e as HTMLElement).hidden), true, "no error shown");
    } catch (error) {
      const shown = await opened?.$eval("#error", (e) => e.textContent).catch(() => "");
      throw new Error(
        `${(error as Error).message}; the page reported: ${
          problems.join("; ") || "nothing"
        }; error box: ${shown}`,
      );
    } finally {
      await browser?.close();
      await server.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      await removeShop(shop);
    }
  },
});
