/**
 * Resumable, verified HTTP downloads and safe zip extraction, for `deno task data`.
 *
 * A download goes to `<dest>.part`; an interrupted transfer (dropped connection, killed process)
 * resumes from the bytes already there with an HTTP `Range: bytes=N-` request (a server that
 * answers 200 instead of 206 is restarted from zero). When the transfer completes, its size and
 * (when known) SHA-256 are checked and only then is the file renamed to `dest`, so `dest` is
 * either absent or complete.
 *
 * @example (needs the network, so not run by the doc tests)
 * ```ts ignore
 * import { downloadFile } from "./download.ts";
 * const result = await downloadFile({ url: "https://example.org/a.zip", dest: "/tmp/a.zip" });
 * console.log(result.bytes, result.sha256, result.resumedFrom);
 * ```
 * @module
 */

import { dirname, join, normalize, sep } from "node:path";
import AdmZip from "adm-zip";
import { sha256File } from "../io/mod.ts";
import { createProgress } from "../progress/mod.ts";
import { exists } from "./datasets.ts";

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  url: string;
  /** Final path; the transfer is written to `dest + ".part"` until verified. */
  dest: string;
  /** Expected size in bytes, when known. */
  expectedSize?: number;
  /** Expected SHA-256 (hex), when known. */
  sha256?: string;
  /** Extra request headers (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /** Attempts after a dropped connection or HTTP 429/5xx, each resuming where the last stopped (default 5). */
  retries?: number;
  /** Wait before retry k is `retryDelayMs · 2^k` ms (default 500). */
  retryDelayMs?: number;
  /** Show progress on stderr (default true). */
  progress?: boolean;
  /** The fetch function (injectable for tests). */
  fetch?: typeof fetch;
}

/** What {@link downloadFile} did. */
export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Bytes already present in `.part` when the last attempt started (0: from scratch). */
  resumedFrom: number;
  /** Number of HTTP requests made. */
  requests: number;
  /** True when `dest` already existed and passed verification (nothing was fetched). */
  cached: boolean;
}

/** An error the user can act on (bad checksum, HTTP status); the CLI exits with code 1. */
export class DownloadError extends Error {
  override name = "DownloadError";
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

async function verify(path: string, options: DownloadOptions): Promise<{ bytes: number; sha256: string }> {
  const bytes = await fileSize(path);
  if (options.expectedSize !== undefined && bytes !== options.expectedSize) {
    throw new DownloadError(`${options.url}: got ${bytes} bytes, expected ${options.expectedSize}`);
  }
  const sha256 = await sha256File(path);
  if (options.sha256 && sha256 !== options.sha256.toLowerCase()) {
    throw new DownloadError(`${options.url}: SHA-256 is ${sha256}, expected ${options.sha256}`);
  }
  return { bytes, sha256 };
}

function contentRangeStart(header: string | null): number | null {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return match ? Number(match[1]) : null;
}

function totalFromHeaders(response: Response, offset: number): number | undefined {
  const range = response.headers.get("content-range");
  const match = range ? /\/(\d+)$/.exec(range.trim()) : null;
  if (match) return Number(match[1]);
  const length = response.headers.get("content-length");
  return length !== null ? offset + Number(length) : undefined;
}

/**
 * Download `url` to `dest`, resuming a previous partial transfer, retrying dropped connections,
 * and verifying size and checksum before the final rename.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const { url, dest } = options;
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 5;
  if (await exists(dest)) {
    const verified = await verify(dest, options);
    return { path: dest, ...verified, resumedFrom: 0, requests: 0, cached: true };
  }
  await Deno.mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let requests = 0;
  let resumedFrom = 0;
  let lastError: unknown = null;
  const delay = options.retryDelayMs ?? 500;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delay * 2 ** (attempt - 1)));
    let offset = await fileSize(part);
    if (options.expectedSize !== undefined && offset > options.expectedSize) offset = 0;
    resumedFrom = offset;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    requests++;
    let response: Response;
    try {
      response = await doFetch(url, { headers, redirect: "follow" });
    } catch (error) {
      lastError = error;
      continue;
    }
    if (response.status === 416 && offset > 0) {
      // The part file already holds everything the server has (or is stale): verify or restart.
      await response.body?.cancel();
      try {
        await verify(part, options);
        lastError = null;
        break;
      } catch {
        await Deno.remove(part);
        continue;
      }
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      lastError = new DownloadError(`HTTP ${response.status} ${response.statusText}`);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      const hint = response.status === 401 || response.status === 403
        ? " (credentials missing or refused)"
        : "";
      throw new DownloadError(`${url}: HTTP ${response.status} ${response.statusText}${hint}`);
    }
    let append = false;
    if (response.status === 206) {
      if (contentRangeStart(response.headers.get("content-range")) !== offset) {
        await response.body?.cancel();
        throw new DownloadError(
          `${url}: server answered a different range than requested (bytes=${offset}-)`,
        );
      }
      append = true;
    } else {
      resumedFrom = 0;
      offset = 0;
    }
    const total = totalFromHeaders(response, offset) ?? options.expectedSize;
    const progress = createProgress({
      label: `download ${url.split("/").pop()}`,
      total: total ?? 0,
      silent: options.progress === false,
    });
    progress.update(offset);
    const file = await Deno.open(part, { write: true, create: true, append, truncate: !append });
    let received = offset;
    try {
      for await (const chunk of response.body ?? new ReadableStream<Uint8Array>()) {
        let written = 0;
        while (written < chunk.length) written += await file.write(chunk.subarray(written));
        received += chunk.length;
        progress.update(received);
      }
    } catch (error) {
      lastError = error;
      progress.done("interrupted; resuming");
      continue;
    } finally {
      file.close();
    }
    progress.done();
    if (total !== undefined && received < total) {
      lastError = new DownloadError(`${url}: connection closed after ${received} of ${total} bytes`);
      continue;
    }
    lastError = null;
    break;
  }
  if (lastError !== null) {
    throw new DownloadError(
      `${url}: download failed after ${requests} request(s): ${(lastError as Error).message ?? lastError}; ` +
        `run the command again to resume from ${part}`,
    );
  }
  let verified;
  try {
    verified = await verify(part, options);
  } catch (error) {
    await Deno.remove(part).catch(() => {});
    throw error;
  }
  await Deno.rename(part, dest);
  return { path: dest, ...verified, resumedFrom, requests, cached: false };
}

/**
 * Extract a zip archive into `destDir`, refusing entries that would escape it ("zip slip").
 * Returns the extracted file paths relative to `destDir`.
 */
export async function extractZip(zipPath: string, destDir: string): Promise<string[]> {
  let zip: AdmZip;
  try {
    zip = new AdmZip(zipPath);
  } catch (error) {
    throw new DownloadError(`${zipPath} is not a readable zip archive: ${(error as Error).message}`);
  }
  const root = normalize(destDir + sep);
  const files: string[] = [];
  for (const entry of zip.getEntries()) {
    const target = normalize(join(destDir, entry.entryName));
    if (!target.startsWith(root)) {
      throw new DownloadError(`${zipPath}: entry "${entry.entryName}" escapes the target folder`);
    }
    if (entry.isDirectory) {
      await Deno.mkdir(target, { recursive: true });
      continue;
    }
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.writeFile(target, new Uint8Array(entry.getData()));
    files.push(target.slice(root.length));
  }
  return files;
}
