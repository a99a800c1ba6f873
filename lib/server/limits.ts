/**
 * What one request may cost a server, and the defaults. A module of its own (no imports) so that the
 * command table can show the defaults without loading the server.
 *
 * @module
 */

/** Limits of a server (every field optional; the defaults are in {@link DEFAULT_LIMITS}). */
export interface ServerLimits {
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Photos per request (per set for compare). */
  maxPhotos: number;
  /** Decoded pixels per photo (sharp's `limitInputPixels`). */
  maxPixels: number;
  /** Time a request may take before it is answered 504, ms. */
  timeoutMs: number;
  /** Requests in flight; past it the answer is 503 with `Retry-After`. */
  maxConcurrent: number;
  /** Largest `k` (and duplicates' `candidates`). */
  maxK: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  maxBodyBytes: 32 * 1024 * 1024,
  maxPhotos: 16,
  maxPixels: 40_000_000,
  timeoutMs: 30_000,
  maxConcurrent: 64,
  maxK: 1000,
};
