/**
 * The one way tests start and stop headless Chromium: Debian's `/usr/bin/chromium` driven by
 * `puppeteer-core` (never a downloaded browser), with a fresh profile and without the background
 * traffic Chromium makes on its own (updates, sync, first-run pages), so that a test talks only to
 * the 127.0.0.1 server it starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHROMIUM_ARGS } from "./chromium.ts";
 * assert.ok(CHROMIUM_ARGS.includes("--headless=new"));
 * assert.ok(CHROMIUM_ARGS.includes("--disable-background-networking")); // no traffic of its own
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import puppeteer, { type Browser } from "puppeteer-core";

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Headless, no sandbox (containers and CI runners run as root), no GPU, and none of the requests
 * Chromium makes by itself.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Is Debian's Chromium installed? Tests that need it are ignored without it. */
export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM);
}

/** Options of {@link launchChromium}. */
export interface ChromiumOptions {
  /** A fresh profile folder (the caller creates and removes it). */
  profileDir: string;
  /**
   * Longest single DevTools call in ms (puppeteer's default is 180 s); a `waitForFunction` that
   * waits for a long page job holds one call that long.
   */
  protocolTimeout?: number;
}

/** Start headless Chromium; stop it with {@link closeChromium}. */
export function launchChromium(options: ChromiumOptions): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir: options.profileDir,
    args: [...CHROMIUM_ARGS],
    ...(options.protocolTimeout === undefined ? {} : { protocolTimeout: options.protocolTimeout }),
  });
}

/**
 * Close Chromium, and kill its process if closing did not end it (a hung page can keep it alive
 * after `close()` fails); safe with `undefined` (launch failed) and after an earlier close.
 */
export async function closeChromium(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  const pid = browser.process()?.pid;
  await browser.close().catch(() => {});
  if (pid === undefined) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Already exited after close(): the usual case.
  }
}
