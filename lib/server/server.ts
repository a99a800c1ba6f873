/**
 * `setsim serve`: a JSON API and a web app over one index folder, on `Deno.serve`.
 *
 * Every request that reads the index leases one open version of it ({@link IndexHolder}) and is
 * answered from that version alone; the response names it (`index_version` in JSON, the
 * `X-Index-Version` header). Limits: a body cap, photos per request, decoded pixels per photo, a
 * per-request timeout and a cap on requests in flight (503 + `Retry-After` past it). Every 4xx is
 * `{ error: { field?, message } }`; an unexpected failure is a 500 of the same shape, never a crash.
 * @module
 */

import { basename, extname } from "node:path";
import sharp from "sharp";
import type { ConfigOverrides } from "../config/mod.ts";
import { type ImageEmbedder, loadImageEmbedder, loadTextEmbedder, type TextEmbedder } from "../index/mod.ts";
import { type MatchMethod, type MatchOptions, validateOptions } from "../matching/mod.ts";
import {
  compareSets,
  comparisonToJson,
  type ImageSet,
  type SearchOptions,
  type SearchResult,
  type SearchSession,
  type SetQuery,
} from "../search/mod.ts";
import {
  booleanParam,
  errorResponse,
  formParams,
  HttpError,
  integerParam,
  jsonResponse,
  methodParam,
  numberParam,
  objectParams,
  type ParamSource,
  readForm,
  readJsonObject,
  shortlistParam,
  textParam,
  urlParams,
} from "./http.ts";
import { DEFAULT_LIMITS, type ServerLimits } from "./limits.ts";
import { ServerMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { IndexHolder, type IndexLease } from "./reload.ts";
import { embedPhotos, formPhotos } from "./uploads.ts";

export { DEFAULT_LIMITS, type ServerLimits };

/** Options of {@link createServer} and {@link serve}. */
export interface ServeOptions {
  /** The index folder (built with `deno task index`). */
  index: string;
  /** Address to bind (default 127.0.0.1); any other than loopback requires `token`. */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Bearer token every route except `/health` requires. */
  token?: string;
  /** Limits overriding {@link DEFAULT_LIMITS}. */
  limits?: Partial<ServerLimits>;
  /** How often (at most) a request looks for a newly committed index, ms (default 250). */
  reloadIntervalMs?: number;
  /** Configuration (models folder, cache) for embedding uploaded photos and texts. */
  config?: ConfigOverrides;
  /** Where log lines go (default stderr); `null` for none. */
  log?: ((line: string) => void) | null;
}

/** A request handler over an index, not yet bound to a port (tests and embedding in other servers). */
export interface SetsimHandler {
  /** Answer one request. */
  fetch(request: Request): Promise<Response>;
  /** The open index version(s) and the reload counters. */
  readonly holder: IndexHolder;
  /** What `/metrics` reports. */
  readonly metrics: ServerMetrics;
  /** The limits in force. */
  readonly limits: Readonly<ServerLimits>;
  /** Release the index and the embedders. */
  close(): Promise<void>;
}

/** A running server. */
export interface SetsimServer extends SetsimHandler {
  /** `http://host:port`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The bound address. */
  readonly hostname: string;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

/** The routes: method and OpenAPI path template (the OpenAPI document describes exactly these). */
export const SERVER_ROUTES: readonly { method: string; path: string }[] = [
  { method: "GET", path: "/" },
  { method: "GET", path: "/app.js" },
  { method: "GET", path: "/style.css" },
  { method: "GET", path: "/health" },
  { method: "GET", path: "/metrics" },
  { method: "GET", path: "/openapi.json" },
  { method: "GET", path: "/items" },
  { method: "GET", path: "/items/{id}" },
  { method: "GET", path: "/items/{id}/similar" },
  { method: "GET", path: "/images/{image_id}" },
  { method: "POST", path: "/search" },
  { method: "POST", path: "/compare" },
  { method: "POST", path: "/duplicates" },
];

/** Routes that need no token (liveness, and the page and its assets, which hold no data). */
const PUBLIC_ROUTES = new Set(["/health", "/", "/app.js", "/style.css"]);
/** Routes outside the concurrency cap (a monitor must get through an overloaded server). */
const UNCAPPED_ROUTES = new Set(["/health", "/metrics"]);
/** The web app's files: route → file in `web/` and its type (a request never names a file). */
const WEB_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

/** Whether `host` is a loopback address (the only kind served without a token). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * An image's id: its item and its position in the item (`red-boot:0`). Positions are digits, so
 * the last colon splits an id even when the item id has colons.
 */
export function imageId(itemId: string, position: number): string {
  return `${itemId}:${position}`;
}

function parseImageId(id: string): { itemId: string; position: number } {
  const cut = id.lastIndexOf(":");
  const position = Number(id.slice(cut + 1));
  if (cut <= 0 || !/^\d+$/.test(id.slice(cut + 1)) || !Number.isSafeInteger(position)) {
    throw new HttpError(400, `image_id must be ITEM_ID:POSITION (e.g. red-boot:0); got "${id}"`, "image_id");
  }
  return { itemId: id.slice(0, cut), position };
}

interface Matched {
  route: string;
  params: Record<string, string>;
}

function matchRoute(method: string, pathname: string): Matched {
  const parts = pathname.split("/").slice(1);
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    throw new HttpError(400, `the path ${pathname} is not valid percent-encoding`, "path");
  }
  const allowed: string[] = [];
  for (const route of SERVER_ROUTES) {
    const template = route.path.split("/").slice(1);
    if (template.length !== decoded.length) continue;
    const params: Record<string, string> = {};
    const ok = template.every((t, k) => {
      if (t.startsWith("{")) {
        params[t.slice(1, -1)] = decoded[k];
        return decoded[k] !== "";
      }
      return t === decoded[k];
    });
    if (!ok) continue;
    if (route.method === method) return { route: route.path, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new HttpError(405, `${method} is not allowed on ${pathname}; use ${allowed.join(", ")}`, "method", {
      allow: allowed.join(", "),
    });
  }
  throw new HttpError(404, `no route ${pathname}; see /openapi.json`, "path");
}

/** Constant-time string comparison (the token must not leak through timing). */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The search options a request asks for (query string or form fields), checked field by field. */
function searchOptionsOf(params: ParamSource, limits: ServerLimits): SearchOptions & { textWeight?: number } {
  const k = integerParam(params, "k", { min: 1, max: limits.maxK }) ?? 10;
  const match = matchOptionsOf(params, "chamfer");
  const exact = booleanParam(params, "exact");
  const shortlist = shortlistParam(params);
  if (exact && shortlist !== undefined) {
    throw new HttpError(400, "exact and shortlist exclude each other", "shortlist");
  }
  return {
    k,
    match,
    text: textParam(params, "text"),
    textWeight: numberParam(params, "text_weight", { min: 0, max: 1 }),
    where: textParam(params, "where"),
    exact,
    shortlist,
    candidates: integerParam(params, "candidates", { min: 1, max: 100_000 }),
    nprobes: integerParam(params, "nprobes", { min: 1, max: 100_000 }),
  };
}

/** method, s and m, checked together (s and m only for the methods that threshold). */
function matchOptionsOf(params: ParamSource, fallback: MatchMethod): MatchOptions {
  const method = methodParam(params) ?? fallback;
  const s = numberParam(params, "s", { min: -1, max: 1 });
  const m = integerParam(params, "m", { min: 1 });
  const match: MatchOptions = {
    method,
    ...(s !== undefined ? { s } : {}),
    ...(m !== undefined ? { m } : {}),
  };
  try {
    validateOptions(match);
  } catch (error) {
    const message = (error as Error).message.replace(/options\./g, "");
    throw new HttpError(400, message, /^s\b/.test(message) ? "s" : /^m\b/.test(message) ? "m" : "method");
  }
  return match;
}

/** A Lance error's first cause, without the source locations of the Rust code. */
function lanceMessage(message: string): string {
  return message.split(/\s+Caused by:/)[0].replace(/,\s*\/\S+\.rs:\d+:\d+/g, "").split("\n")[0];
}

/** A search's failure that is the request's fault, as a 400 naming the field. */
function searchError(error: unknown, options: SearchOptions): never {
  if (error instanceof HttpError) throw error;
  const message = (error as Error).message ?? String(error);
  if (options.where !== undefined && !(error instanceof RangeError)) {
    if (/lance error|invalid user input|sql|parse|schema|column|filter/i.test(message)) {
      throw new HttpError(400, `where "${options.where}": ${lanceMessage(message)}`, "where");
    }
  }
  if (error instanceof RangeError) {
    // Library messages name the option they refuse (`options.where: …`, `options.s …`).
    const field = /^options\.(\w+)/.exec(message)?.[1];
    throw new HttpError(400, message.replace(/options\./g, ""), field);
  }
  throw error;
}

/** Build the request handler over an index (opens the index; no port is bound). */
export async function createServer(options: ServeOptions): Promise<SetsimHandler> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [key, value] of Object.entries(limits)) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`limits.${key} must be a number > 0, got ${value}`);
    }
  }
  const log = options.log === null ? () => {} : options.log ?? ((line: string) => console.error(line));
  const metrics = new ServerMetrics();
  const holder = await IndexHolder.open(options.index, {
    checkIntervalMs: options.reloadIntervalMs,
    onReload: (version) => log(`serve: index ${options.index} switched to version ${version}`),
    onReloadError: (error) =>
      log(`serve: reload of ${options.index} failed, still serving: ${error.message}`),
  });
  // Explicit caches of this server: embedders by model, thumbnails by version and image, web files.
  const imageEmbedders = new Map<string, Promise<ImageEmbedder>>();
  const textEmbedders = new Map<string, Promise<TextEmbedder>>();
  const thumbnails = new Map<string, Uint8Array<ArrayBuffer>>();
  const webFiles = new Map<string, Uint8Array<ArrayBuffer>>();
  let inFlight = 0;
  let closed = false;

  const imageEmbedderFor = async (session: SearchSession): Promise<ImageEmbedder> => {
    const { model, fingerprint } = session.manifest;
    let pending = imageEmbedders.get(model);
    if (pending === undefined) {
      pending = loadImageEmbedder({ model, config: options.config });
      imageEmbedders.set(model, pending);
      pending.catch(() => imageEmbedders.delete(model));
    }
    const embedder = await pending;
    if (embedder.fingerprint !== fingerprint) {
      throw new Error(
        `the index was built with ${fingerprint}; this server's model ${model} is ${embedder.fingerprint}`,
      );
    }
    return embedder;
  };

  const textVectorOf = async (session: SearchSession, text: string, field: string): Promise<Float32Array> => {
    const { textModel } = session.manifest;
    if (textModel === undefined) {
      throw new HttpError(
        400,
        `the index has no title vectors (its catalog has no titles): drop ${field}`,
        field,
      );
    }
    let pending = textEmbedders.get(textModel);
    if (pending === undefined) {
      pending = loadTextEmbedder(textModel);
      textEmbedders.set(textModel, pending);
      pending.catch(() => textEmbedders.delete(textModel));
    }
    const embedder = await pending;
    return (await embedder.embed([text])).slice(0, embedder.dim);
  };

  /** Run a search with text fusion resolved as the CLI does (text, else the query item's title). */
  const runSearch = async (
    session: SearchSession,
    query: SetQuery,
    request: SearchOptions & { textWeight?: number },
  ): Promise<SearchResult> => {
    const weight = request.textWeight;
    const text = request.text ?? (weight !== undefined && weight > 0 ? query.title : undefined);
    if (weight !== undefined && weight > 0 && text === undefined) {
      throw new HttpError(
        400,
        "text_weight needs a query text: give text, or query an item with a title",
        "text_weight",
      );
    }
    const textVector = text !== undefined ? await textVectorOf(session, text, "text") : undefined;
    try {
      return await session.search(query, { ...request, text }, textVector);
    } catch (error) {
      searchError(error, request);
    }
  };

  const itemOr404 = async (session: SearchSession, id: string, field = "id") => {
    if (!(await session.hasItem(id))) throw new HttpError(404, `no item "${id}" in the index`, field);
    return await session.itemQuery(id);
  };

  const uploadedSet = async (
    session: SearchSession,
    form: FormData,
    field: string,
  ): Promise<{ images: string[]; vectors: SetQuery["vectors"] } | undefined> => {
    const photos = await formPhotos(form, field, limits);
    if (photos.length === 0) return undefined;
    const vectors = await embedPhotos(photos, await imageEmbedderFor(session), field, limits);
    return { images: photos.map((p) => p.name), vectors };
  };

  const webFile = async (route: string): Promise<Response> => {
    const { file, type } = WEB_FILES[route];
    let bytes = webFiles.get(file);
    if (bytes === undefined) {
      bytes = await Deno.readFile(new URL(`./web/${file}`, import.meta.url));
      webFiles.set(file, bytes);
    }
    return new Response(bytes, { headers: { "content-type": type, "cache-control": "no-cache" } });
  };

  const imageResponse = async (session: SearchSession, version: string, id: string, size: string) => {
    const { itemId, position } = parseImageId(id);
    if (!(await session.hasItem(itemId))) {
      throw new HttpError(404, `no item "${itemId}" in the index`, "image_id");
    }
    const images = (await session.itemVectors([itemId])).get(itemId)?.images ?? [];
    const path = images[position];
    if (path === undefined) {
      throw new HttpError(
        404,
        `item "${itemId}" has ${images.length} images; no position ${position}`,
        "image_id",
      );
    }
    const key = `${version}\u0000${id}\u0000${size}`;
    let bytes = thumbnails.get(key);
    let type = "image/webp";
    // The file the index names (never a path from the request), decoded under the pixel limit.
    const original = async () => {
      const file = await Deno.readFile(path).catch(() => {
        throw new HttpError(404, `the image file of ${id} is missing from the catalog`, "image_id");
      });
      return { file, image: () => sharp(file, { limitInputPixels: limits.maxPixels }) };
    };
    if (size === "full") {
      // Re-encoded unless a browser shows the format as it is.
      const ext = extname(path).toLowerCase();
      const { file, image } = await original();
      if ([".jpg", ".jpeg", ".png", ".webp", ".gif"].includes(ext)) {
        type = ext === ".jpg" || ext === ".jpeg" ? "image/jpeg" : `image/${ext.slice(1)}`;
        return new Response(file, { headers: { "content-type": type } });
      }
      bytes = new Uint8Array(await image().png().toBuffer());
      return new Response(bytes, { headers: { "content-type": "image/png" } });
    }
    if (bytes === undefined) {
      const { image } = await original();
      bytes = new Uint8Array(
        await image().rotate()
          .resize(256, 256, { fit: "inside", withoutEnlargement: true }).webp({ quality: 80 }).toBuffer(),
      );
      if (thumbnails.size >= 2000) thumbnails.delete(thumbnails.keys().next().value!);
      thumbnails.set(key, bytes);
    }
    return new Response(bytes, { headers: { "content-type": type, "cache-control": "max-age=60" } });
  };

  /** The answer of a route that reads the index, from one leased version. */
  const indexRoute = async (
    route: string,
    params: Record<string, string>,
    request: Request,
    url: URL,
    lease: IndexLease,
  ): Promise<Response> => {
    const { session, version } = lease;
    const json = (body: Record<string, unknown>) => jsonResponse({ ...body, index_version: version });
    const query = urlParams(url);
    switch (route) {
      case "/health":
        return json({
          status: "ok",
          items: session.manifest.counts.items,
          images: session.manifest.counts.images,
        });
      case "/metrics":
        return new Response(
          metrics.render({
            indexVersion: version,
            inFlight,
            reloads: holder.reloads,
            reloadErrors: holder.reloadErrors,
          }),
          { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } },
        );
      case "/items": {
        const offset = integerParam(query, "offset", { min: 0 }) ?? 0;
        const limit = integerParam(query, "limit", { min: 1, max: 500 }) ?? 50;
        const where = textParam(query, "where");
        let ids: string[];
        try {
          ids = await session.itemIds(where);
        } catch (error) {
          throw new HttpError(400, `where "${where}": ${lanceMessage((error as Error).message)}`, "where");
        }
        const page = [...ids].sort().slice(offset, offset + limit);
        const details = await session.itemVectors(page);
        return json({
          total: ids.length,
          offset,
          items: page.map((id) => {
            const entry = details.get(id);
            return {
              item_id: id,
              ...(entry?.title !== undefined ? { title: entry.title } : {}),
              ...(entry?.category !== undefined ? { category: entry.category } : {}),
              image_ids: (entry?.images ?? []).map((_, k) => imageId(id, k)),
            };
          }),
        });
      }
      case "/items/{id}": {
        await itemOr404(session, params.id);
        const entry = (await session.itemVectors([params.id])).get(params.id);
        if (entry === undefined) throw new HttpError(404, `no item "${params.id}" in the index`, "id");
        return json({
          item_id: params.id,
          ...(entry.title !== undefined ? { title: entry.title } : {}),
          ...(entry.category !== undefined ? { category: entry.category } : {}),
          ...(entry.group !== undefined ? { group: entry.group } : {}),
          images: entry.images.map((path, k) => ({
            image_id: imageId(params.id, k),
            position: k,
            name: basename(path),
          })),
        });
      }
      case "/items/{id}/similar": {
        const options = searchOptionsOf(query, limits);
        const item = await itemOr404(session, params.id);
        return json({ ...(await runSearch(session, item, options)) });
      }
      case "/images/{image_id}": {
        const size = query("size") ?? "thumb";
        if (size !== "thumb" && size !== "full") {
          throw new HttpError(400, `size must be thumb or full, got "${size}"`, "size");
        }
        const response = await imageResponse(session, version, params.image_id, size);
        response.headers.set("x-index-version", version);
        return response;
      }
      case "/search": {
        const form = await readForm(request, limits.maxBodyBytes);
        const fields = formParams(form);
        const options = searchOptionsOf(fields, limits);
        const set = await uploadedSet(session, form, "photos");
        if (set === undefined) throw new HttpError(400, "photos: give at least one image file", "photos");
        const result = await runSearch(session, { images: set.images, vectors: set.vectors }, options);
        return json({ ...result });
      }
      case "/compare": {
        const isJson = /^application\/json/i.test(request.headers.get("content-type") ?? "");
        const form = isJson ? undefined : await readForm(request, limits.maxBodyBytes);
        const fields = isJson
          ? objectParams(await readJsonObject(request, limits.maxBodyBytes))
          : formParams(form!);
        const methodText = textParam(fields, "method") ?? "all";
        const methods = methodText === "all"
          ? "all" as const
          : methodText.split(",").map((m) => m.trim()).filter((m) => m !== "").map((m) =>
            methodParam(() => m)!
          );
        if (methods !== "all" && methods.length === 0) {
          throw new HttpError(
            400,
            `method must name at least one method, or all; got "${methodText}"`,
            "method",
          );
        }
        const match = matchOptionsOf((name) => name === "method" ? null : fields(name), "chamfer");
        const side = async (name: "a" | "b"): Promise<ImageSet> => {
          const id = textParam(fields, name);
          const uploaded = form !== undefined
            ? await uploadedSet(session, form, `photos_${name}`)
            : undefined;
          if (id !== undefined && uploaded !== undefined) {
            throw new HttpError(400, `give ${name} (an item id) or photos_${name} (files), not both`, name);
          }
          if (uploaded !== undefined) {
            return { label: `${uploaded.images.length} uploaded photo(s)`, ...uploaded };
          }
          if (id === undefined) {
            throw new HttpError(400, `${name}: give an item id, or photos_${name} as files`, name);
          }
          const item = await itemOr404(session, id, name);
          return { label: id, images: item.images, vectors: item.vectors };
        };
        const a = await side("a"), b = await side("b");
        let comparison;
        try {
          comparison = compareSets(a, b, methods, { s: match.s, m: match.m });
        } catch (error) {
          if (error instanceof RangeError) throw new HttpError(400, error.message.replace(/options\./g, ""));
          throw error;
        }
        const body = comparisonToJson(comparison);
        // Item images as ids the client can show (paths stay on the server).
        const ids = (images: string[], itemId?: string) =>
          itemId !== undefined ? images.map((_, k) => imageId(itemId, k)) : images.map(() => null);
        return json({
          ...body,
          image_ids: {
            a: ids(a.images, textParam(fields, "a")),
            b: ids(b.images, textParam(fields, "b")),
          },
        });
      }
      case "/duplicates": {
        const form = await readForm(request, limits.maxBodyBytes);
        const fields = formParams(form);
        const threshold = numberParam(fields, "threshold", { min: -1, max: 1 }) ?? 0.9;
        const candidates = integerParam(fields, "candidates", { min: 1, max: limits.maxK }) ?? 50;
        const title = textParam(fields, "title");
        const match = matchOptionsOf(fields, "chamfer");
        const textWeight = numberParam(fields, "text_weight", { min: 0, max: 1 });
        const where = textParam(fields, "where");
        const set = await uploadedSet(session, form, "photos");
        if (set === undefined) throw new HttpError(400, "photos: give at least one image file", "photos");
        const textVector = title !== undefined ? await textVectorOf(session, title, "title") : undefined;
        const options: SearchOptions = {
          k: candidates,
          candidates: Math.max(candidates, 50),
          match,
          where,
          ...(title !== undefined ? { text: title, textWeight } : {}),
        };
        let result: SearchResult;
        try {
          result = await session.search({ images: set.images, vectors: set.vectors }, options, textVector);
        } catch (error) {
          searchError(error, options);
        }
        return json({
          ...result,
          threshold,
          duplicates: result.results.filter((r) => r.score !== null && r.score >= threshold).map((r) =>
            r.item_id
          ),
        });
      }
    }
    throw new HttpError(404, `no route ${route}`, "path");
  };

  /**
   * The one admission check of a request that reads the index: 503 + Retry-After while the server
   * closes or, on a capped route, while `maxConcurrent` requests are in flight; else it counts as
   * in flight until `release()`.
   */
  const admit = (route: string): { release(): void } => {
    const capped = !UNCAPPED_ROUTES.has(route);
    const busy = closed
      ? "the server is shutting down"
      : capped && inFlight >= limits.maxConcurrent
      ? `the server is answering ${inFlight} requests, its limit; retry shortly`
      : undefined;
    if (busy !== undefined) throw new HttpError(503, busy, undefined, { "retry-after": "1" });
    if (capped) inFlight++;
    let released = false;
    return {
      release() {
        if (capped && !released) inFlight--;
        released = true;
      },
    };
  };

  const answer = async (request: Request): Promise<{ route: string; response: Response }> => {
    const url = new URL(request.url);
    let route = "unmatched";
    try {
      const matched = matchRoute(request.method, url.pathname);
      route = matched.route;
      if (options.token !== undefined && !PUBLIC_ROUTES.has(route)) {
        const header = request.headers.get("authorization") ?? "";
        const given = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? "";
        if (!sameSecret(given, options.token)) {
          throw new HttpError(
            401,
            "a valid bearer token is required (Authorization: Bearer TOKEN)",
            "authorization",
            {
              "www-authenticate": 'Bearer realm="setsim"',
            },
          );
        }
      }
      if (route in WEB_FILES) return { route, response: await webFile(route) };
      if (route === "/openapi.json") return { route, response: jsonResponse(openApiDocument()) };
      const admitted = admit(route);
      const lease = holder.lease();
      const work = indexRoute(route, matched.params, request, url, lease).finally(() => {
        admitted.release();
        lease.release();
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new HttpError(504, `the request took longer than the limit of ${limits.timeoutMs} ms`)),
          limits.timeoutMs,
        );
      });
      work.catch(() => {}); // a request answered 504 may still fail later: not unhandled
      try {
        const response = await Promise.race([work, timeout]);
        response.headers.set("x-index-version", lease.version);
        return { route, response };
      } catch (error) {
        if (error instanceof HttpError) {
          const response = errorResponse(error);
          response.headers.set("x-index-version", lease.version);
          return { route, response };
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (error instanceof HttpError) return { route, response: errorResponse(error) };
      log(`serve: ${request.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
      return {
        route,
        response: errorResponse(new HttpError(500, `internal error: ${(error as Error).message ?? error}`)),
      };
    }
  };

  return {
    holder,
    metrics,
    limits,
    async fetch(request: Request): Promise<Response> {
      const start = performance.now();
      const { route, response } = await answer(request);
      metrics.observe(route, request.method, response.status, (performance.now() - start) / 1000);
      return response;
    },
    async close() {
      closed = true;
      await holder.close();
      for (const pending of [...imageEmbedders.values(), ...textEmbedders.values()]) {
        await pending.then((e) => e.dispose?.(), () => {});
      }
    },
  };
}

/**
 * Start the server: open the index, bind `host:port` (127.0.0.1:8080 by default) and answer
 * until `close()`. A host other than loopback without a token is refused.
 */
export async function serve(options: ServeOptions): Promise<SetsimServer> {
  const hostname = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(hostname) && (options.token === undefined || options.token === "")) {
    throw new RangeError(
      `host ${hostname} is not a loopback address: serving it needs a token (--token T), or bind 127.0.0.1`,
    );
  }
  if (options.token !== undefined && options.token.length < 8) {
    throw new RangeError("token must be at least 8 characters");
  }
  const handler = await createServer(options);
  const controller = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port: options.port ?? 8080,
      signal: controller.signal,
      onListen: () => {},
      onError: (error) => errorResponse(new HttpError(500, `internal error: ${(error as Error).message}`)),
    }, (request) => handler.fetch(request));
  } catch (error) {
    await handler.close();
    throw error;
  }
  const port = server.addr.port;
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return {
    ...handler,
    fetch: handler.fetch,
    url: `http://${host}:${port}`,
    port,
    hostname,
    finished: server.finished,
    async close() {
      controller.abort();
      await server.finished;
      await handler.close();
    },
  };
}
