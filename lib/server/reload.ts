/**
 * Hot reload of an index folder: the server holds one open {@link SearchSession} per committed
 * index version. Between requests it notices a new manifest, opens the new version beside the old
 * one (the old keeps answering until the new is open), switches, and closes the old one once the
 * requests that leased it have finished. A request leases one version and is answered from it alone.
 * @module
 */

import { type IndexManifest, readManifest } from "../index/mod.ts";
import { SearchSession } from "../search/mod.ts";

/**
 * The version of a committed index, as responses name it: the committed table versions and the
 * commit time (a full rebuild can restart table versions; the commit time tells the commits apart).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexVersion } from "./reload.ts";
 * const manifest = { versions: { images: 3, items: 2 }, committedAt: "2026-01-02T03:04:05.678Z" };
 * assert.equal(indexVersion(manifest), "3.2@2026-01-02T03:04:05.678Z");
 * ```
 */
export function indexVersion(manifest: Pick<IndexManifest, "versions" | "committedAt">): string {
  return `${manifest.versions.images}.${manifest.versions.items}@${manifest.committedAt}`;
}

/** One open index version and the requests currently using it. */
export interface IndexLease {
  /** The open index of this version. */
  readonly session: SearchSession;
  /** Its {@link indexVersion}. */
  readonly version: string;
  /** Give the version back; the last release of a replaced version closes it. */
  release(): void;
}

interface Held {
  session: SearchSession;
  version: string;
  inFlight: number;
  retired: boolean;
  closed?: Promise<void>;
}

/** Options of {@link IndexHolder.open}. */
export interface IndexHolderOptions {
  /** How often (at most) a request triggers a look at the manifest, ms (default 250; 0 = every request). */
  checkIntervalMs?: number;
  /** Called when a reload fails (the old version keeps serving). */
  onReloadError?: (error: Error) => void;
  /** Called after a switch to a new version. */
  onReload?: (version: string) => void;
}

/** The open index of a server, swapped for the newest committed version between requests. */
export class IndexHolder {
  private current: Held;
  private lastCheck = 0;
  private checking?: Promise<void>;
  private closing = false;
  /** Reloads that failed (the bench's `reload_errors`). */
  reloadErrors = 0;
  /** Versions switched to after the first. */
  reloads = 0;

  private constructor(
    readonly dir: string,
    first: Held,
    private readonly options: IndexHolderOptions,
  ) {
    this.current = first;
  }

  /** Open the committed index in `dir`. */
  static async open(dir: string, options: IndexHolderOptions = {}): Promise<IndexHolder> {
    const session = await SearchSession.open(dir);
    await session.prepare(); // warm: the first request should not pay for the id list, details, codes
    const held = { session, version: indexVersion(session.manifest), inFlight: 0, retired: false };
    const holder = new IndexHolder(dir, held, options);
    holder.lastCheck = performance.now();
    return holder;
  }

  /** The version new requests get. */
  get version(): string {
    return this.current.version;
  }

  /** Lease the current version for one request (and, at most every interval, look for a newer one). */
  lease(): IndexLease {
    if (this.closing) throw new Error(`the index ${this.dir} is closed`);
    const interval = this.options.checkIntervalMs ?? 250;
    if (this.checking === undefined && performance.now() - this.lastCheck >= interval) {
      this.checking = this.check().finally(() => {
        this.lastCheck = performance.now();
        this.checking = undefined;
      });
    }
    const held = this.current;
    held.inFlight++;
    let released = false;
    return {
      session: held.session,
      version: held.version,
      release: () => {
        if (released) return;
        released = true;
        held.inFlight--;
        if (held.retired && held.inFlight === 0) this.closeHeld(held);
      },
    };
  }

  /** Look at the manifest now and switch when it names another version; resolves when done. */
  async refresh(): Promise<void> {
    while (this.checking !== undefined) await this.checking;
    this.checking = this.check().finally(() => {
      this.lastCheck = performance.now();
      this.checking = undefined;
    });
    await this.checking;
  }

  /** Read the manifest; on a new version, open it, switch, and retire the old one. */
  private async check(): Promise<void> {
    try {
      const manifest = await readManifest(this.dir);
      if (manifest === undefined || indexVersion(manifest) === this.current.version) return;
      const session = await SearchSession.open(this.dir);
      await session.prepare().catch(async (error) => {
        await session.close();
        throw error;
      });
      const version = indexVersion(session.manifest);
      if (this.closing) {
        await session.close();
        return;
      }
      const old = this.current;
      this.current = { session, version, inFlight: 0, retired: false };
      old.retired = true;
      if (old.inFlight === 0) this.closeHeld(old);
      this.reloads++;
      this.options.onReload?.(version);
    } catch (error) {
      // A half-written or broken commit: keep serving what is open, try again at the next interval.
      this.reloadErrors++;
      this.options.onReloadError?.(error as Error);
    }
  }

  /** Close a retired version once (its last lease is gone). */
  private closeHeld(held: Held): void {
    held.closed ??= held.session.close().catch((error) => this.options.onReloadError?.(error as Error));
  }

  /**
   * Close every open version: waits for a reload in progress and for the requests still holding the
   * current version (a request answered 504 may still be running; its session must stay open).
   */
  async close(waitMs = 30_000): Promise<void> {
    this.closing = true;
    while (this.checking !== undefined) await this.checking;
    const held = this.current;
    held.retired = true;
    const deadline = performance.now() + waitMs;
    while (held.inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.closeHeld(held);
    await held.closed;
  }
}
