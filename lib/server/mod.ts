/**
 * `setsim serve`: an HTTP API (`/items/{id}/similar`, `/search`, `/compare`, `/duplicates`, `/items`,
 * `/images`, `/health`, `/metrics`, `/openapi.json`) and a web app at `/` over one index folder,
 * hot-reloading each newly committed index version between requests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageId, isLoopbackHost, openApiDocument, SERVER_ROUTES } from "./mod.ts";
 * assert.equal(imageId("red-boot", 0), "red-boot:0");
 * assert.ok(isLoopbackHost("127.0.0.1") && !isLoopbackHost("0.0.0.0"));
 * const paths = Object.keys(openApiDocument().paths as object);
 * assert.ok(SERVER_ROUTES.every((r) => paths.includes(r.path)));
 * ```
 * @module
 */

export {
  createServer,
  DEFAULT_LIMITS,
  imageId,
  isLoopbackHost,
  serve,
  type ServeOptions,
  SERVER_ROUTES,
  type ServerLimits,
  type SetsimHandler,
  type SetsimServer,
} from "./server.ts";
export { IndexHolder, type IndexHolderOptions, type IndexLease, indexVersion } from "./reload.ts";
export { type ErrorBody, HttpError } from "./http.ts";
export { LATENCY_BUCKETS, ServerMetrics } from "./metrics.ts";
export { openApiDocument } from "./openapi.ts";
