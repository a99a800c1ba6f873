import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromiumPresent, closeChromium, launchChromium } from "./chromium.ts";

/** Is process `pid` still there (and not a zombie waiting for its parent)? */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}

Deno.test({
  name: "launchChromium renders a page; closeChromium leaves no browser process behind",
  ignore: !chromiumPresent(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const profileDir = await Deno.makeTempDir({ prefix: "setsim-chromium-test-" });
    const browser = await launchChromium({ profileDir });
    let pid: number | undefined;
    try {
      pid = browser.process()?.pid;
      assert.ok(pid !== undefined && alive(pid), "launchChromium did not start a browser process");
      const page = await browser.newPage();
      await page.setContent("<p id=x>1 + 1 = <b>2</b></p>");
      assert.equal(await page.$eval("#x", (p) => p.textContent), "1 + 1 = 2");
      assert.ok(existsSync(profileDir), "the profile folder is the caller's");
    } finally {
      await closeChromium(browser);
      await closeChromium(browser); // a second close (e.g. in an outer finally) is harmless
      await closeChromium(undefined); // so is closing a browser that never launched
    }
    // The process is reaped by puppeteer's child handling; allow it a bounded number of polls.
    for (let i = 0; i < 100 && alive(pid!); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!alive(pid!), `chromium (pid ${pid}) still runs after closeChromium`);
    await Deno.remove(profileDir, { recursive: true });
  },
});
