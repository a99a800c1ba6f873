/**
 * The OpenAPI 3.1 document of the server, written by hand in one place. Its paths and fields are a
 * contract (tests check that it describes every route and that every route it describes exists).
 * @module
 */

import { MATCH_METHODS } from "../matching/mod.ts";
import { SHORTLISTS } from "../search/mod.ts";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), json(ref("Error"), ERROR_TEXT[code])]));
const ERROR_TEXT: Record<number, string> = {
  400: "Bad input; `error.field` names the field",
  401: "Missing or wrong bearer token",
  404: "No such item, image or route",
  405: "Method not allowed",
  413: "Body, photo count or pixel count over the limit",
  415: "Body of the wrong content type",
  503: "Too many requests in flight (see Retry-After)",
  504: "The request took longer than the limit",
};
const query = (name: string, schema: unknown, description: string) => ({
  name,
  in: "query",
  required: false,
  schema,
  description,
});
const SEARCH_QUERY = [
  query("k", { type: "integer", minimum: 1, default: 10 }, "Results to return"),
  query("method", ref("Method"), "Set-matching method (default chamfer)"),
  query("s", { type: "number", minimum: -1, maximum: 1 }, "Similarity threshold (thresholdable methods)"),
  query("m", { type: "integer", minimum: 1 }, "Match cap (thresholdable methods)"),
  query("where", { type: "string" }, "Lance SQL filter on the metadata, e.g. category = 'Boots'"),
  query("text", { type: "string" }, "Query text fused with the titles"),
  query("text_weight", { type: "number", minimum: 0, maximum: 1 }, "Weight of the title similarity"),
  query("shortlist", { type: "string", enum: Object.keys(SHORTLISTS) }, "Shortlist strategy"),
  query("candidates", { type: "integer", minimum: 1 }, "Candidate items re-ranked exactly"),
  query("exact", { type: "boolean" }, "Score every item (no shortlist)"),
  query("nprobes", { type: "integer", minimum: 1 }, "Inverted lists probed"),
];
const VERSION_HEADER = {
  "X-Index-Version": { description: "The index version that answered", schema: { type: "string" } },
};
const ok = (schema: unknown, description: string) => ({
  ...json(schema, description),
  headers: VERSION_HEADER,
});
const versioned = (name: string) => ({
  allOf: [ref(name), {
    type: "object",
    required: ["index_version"],
    properties: { index_version: { type: "string" } },
  }],
});
const SEARCH_FORM_FIELDS = {
  photos: { type: "array", items: { type: "string", contentMediaType: "application/octet-stream" } },
  text: { type: "string" },
  text_weight: { type: "number" },
  where: { type: "string" },
  method: ref("Method"),
  s: { type: "number" },
  m: { type: "integer" },
  k: { type: "integer" },
  shortlist: { type: "string" },
  candidates: { type: "integer" },
  exact: { type: "boolean" },
};

/** The OpenAPI 3.1 document (a fresh object each call). */
export function openApiDocument(): Record<string, unknown> {
  const security = [{ bearer: [] }];
  return {
    openapi: "3.1.0",
    info: {
      title: "setsim",
      version: "0.2.0",
      description: "Set-of-images similarity search over one index folder. Every JSON response names " +
        "the index version that answered it (`index_version`, header `X-Index-Version`).",
    },
    security,
    paths: {
      "/": {
        get: { summary: "The web app", security: [], responses: { 200: { description: "HTML page" } } },
      },
      "/app.js": {
        get: {
          summary: "The web app's script",
          security: [],
          responses: { 200: { description: "JavaScript" } },
        },
      },
      "/style.css": {
        get: { summary: "The web app's styles", security: [], responses: { 200: { description: "CSS" } } },
      },
      "/health": {
        get: {
          summary: "Liveness and the index served",
          security: [],
          responses: { 200: ok(ref("Health"), "Serving") },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus text: requests, errors, latency histogram, index version",
          responses: {
            200: { description: "Prometheus exposition format 0.0.4", content: { "text/plain": {} } },
            ...errors(401),
          },
        },
      },
      "/openapi.json": {
        get: { summary: "This document", responses: { 200: json({ type: "object" }, "OpenAPI 3.1") } },
      },
      "/items": {
        get: {
          summary: "Browse items (sorted by id)",
          parameters: [
            query("offset", { type: "integer", minimum: 0 }, "First item"),
            query("limit", { type: "integer", minimum: 1, maximum: 500 }, "Items per page (default 50)"),
            query("where", { type: "string" }, "Lance SQL filter"),
          ],
          responses: { 200: ok(versioned("ItemPage"), "A page of items"), ...errors(400, 401, 503) },
        },
      },
      "/items/{id}": {
        get: {
          summary: "One item: title, category, its images' ids",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { 200: ok(versioned("Item"), "The item"), ...errors(401, 404, 503) },
        },
      },
      "/items/{id}/similar": {
        get: {
          summary: "Items most similar to an indexed item (the same object as `search --json`)",
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...SEARCH_QUERY,
          ],
          responses: {
            200: ok(versioned("SearchResult"), "Results, best first, explained"),
            ...errors(400, 401, 404, 503, 504),
          },
        },
      },
      "/images/{image_id}": {
        get: {
          summary: "An indexed image by id (ITEM_ID:POSITION); never by path",
          parameters: [
            { name: "image_id", in: "path", required: true, schema: { type: "string" } },
            query(
              "size",
              { type: "string", enum: ["thumb", "full"], default: "thumb" },
              "Thumbnail or original",
            ),
          ],
          responses: {
            200: { description: "The image", headers: VERSION_HEADER, content: { "image/*": {} } },
            ...errors(400, 401, 404, 503),
          },
        },
      },
      "/search": {
        post: {
          summary:
            "Search by several uploaded photos (+ text, filter, method): the same object as `search --json`",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: { type: "object", required: ["photos"], properties: SEARCH_FORM_FIELDS },
              },
            },
          },
          responses: {
            200: ok(versioned("SearchResult"), "Results, best first, explained"),
            ...errors(400, 401, 413, 415, 503, 504),
          },
        },
      },
      "/compare": {
        post: {
          summary: "Compare two items or two uploaded sets with every (or the given) method",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["a", "b"],
                  properties: {
                    a: { type: "string", description: "Item id" },
                    b: { type: "string", description: "Item id" },
                    method: { type: "string", description: "A method, a comma list, or all (default)" },
                    s: { type: "number" },
                    m: { type: "integer" },
                  },
                },
              },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: {
                    a: { type: "string" },
                    b: { type: "string" },
                    photos_a: SEARCH_FORM_FIELDS.photos,
                    photos_b: SEARCH_FORM_FIELDS.photos,
                    method: { type: "string" },
                    s: { type: "number" },
                    m: { type: "integer" },
                  },
                },
              },
            },
          },
          responses: {
            200: ok(versioned("Comparison"), "Every method's score, pairs and unmatched images"),
            ...errors(400, 401, 404, 413, 415, 503, 504),
          },
        },
      },
      "/duplicates": {
        post: {
          summary: "Is this listing (photos + optional title) a duplicate of catalog items?",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["photos"],
                  properties: {
                    photos: SEARCH_FORM_FIELDS.photos,
                    title: { type: "string" },
                    threshold: { type: "number", minimum: -1, maximum: 1, default: 0.9 },
                    candidates: { type: "integer", minimum: 1, default: 50 },
                    text_weight: { type: "number" },
                    where: { type: "string" },
                    method: ref("Method"),
                    s: { type: "number" },
                    m: { type: "integer" },
                  },
                },
              },
            },
          },
          responses: {
            200: ok(
              versioned("Duplicates"),
              "Candidates best first; `duplicates` lists those reaching the threshold",
            ),
            ...errors(400, 401, 413, 415, 503, 504),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Method: {
          type: "string",
          enum: [...MATCH_METHODS],
        },
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["message"],
              properties: { field: { type: "string" }, message: { type: "string" } },
            },
          },
        },
        Health: {
          type: "object",
          properties: {
            status: { const: "ok" },
            items: { type: "integer" },
            images: { type: "integer" },
            index_version: { type: "string" },
          },
        },
        Pair: {
          type: "object",
          required: ["a", "b", "similarity", "counted"],
          properties: {
            a: { type: "integer", description: "Index into the query's images" },
            b: { type: "integer", description: "Index into the item's images" },
            similarity: { type: "number" },
            counted: { type: "boolean" },
          },
        },
        SearchResultItem: {
          type: "object",
          required: ["rank", "item_id", "score", "pairs", "unmatched_query", "unmatched_item", "image_score"],
          properties: {
            rank: { type: "integer" },
            item_id: { type: "string" },
            score: { type: ["number", "null"] },
            pairs: { type: "array", items: ref("Pair") },
            unmatched_query: { type: "array", items: { type: "integer" } },
            unmatched_item: { type: "array", items: { type: "integer" } },
            text_score: { type: "number" },
            image_score: { type: ["number", "null"] },
            images: {
              type: "array",
              items: { type: "string" },
              description: "Image b is ITEM_ID:b at /images",
            },
            title: { type: "string" },
            category: { type: "string" },
            group: { type: "string" },
          },
        },
        SearchResult: {
          type: "object",
          required: ["query", "method", "k", "results", "shortlist"],
          properties: {
            query: {
              type: "object",
              properties: {
                item_id: { type: "string" },
                images: { type: "array", items: { type: "string" } },
                text: { type: "string" },
              },
            },
            method: ref("Method"),
            k: { type: "integer" },
            results: { type: "array", items: ref("SearchResultItem") },
            shortlist: {
              type: "object",
              properties: {
                strategy: { type: "string" },
                candidates: { type: "integer" },
                exact: { type: "boolean" },
              },
            },
            elapsed_ms: { type: "number" },
          },
        },
        Duplicates: {
          allOf: [ref("SearchResult"), {
            type: "object",
            properties: {
              threshold: { type: "number" },
              duplicates: { type: "array", items: { type: "string" }, description: "Item ids, best first" },
            },
          }],
        },
        Comparison: {
          type: "object",
          properties: {
            a: { type: "object", properties: { label: { type: "string" }, images: { type: "array" } } },
            b: { type: "object", properties: { label: { type: "string" }, images: { type: "array" } } },
            methods: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  method: ref("Method"),
                  score: { type: ["number", "null"] },
                  pairs: { type: "array", items: ref("Pair") },
                  unmatched_a: { type: "array", items: { type: "integer" } },
                  unmatched_b: { type: "array", items: { type: "integer" } },
                  reason: { type: "string" },
                },
              },
            },
            similarity: { type: "array", items: { type: "array", items: { type: "number" } } },
            image_ids: { type: "object", description: "Image ids of item sides (null for uploads)" },
          },
        },
        Item: {
          type: "object",
          properties: {
            item_id: { type: "string" },
            title: { type: "string" },
            category: { type: "string" },
            group: { type: "string" },
            images: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  image_id: { type: "string" },
                  position: { type: "integer" },
                  name: { type: "string" },
                },
              },
            },
          },
        },
        ItemPage: {
          type: "object",
          properties: {
            total: { type: "integer" },
            offset: { type: "integer" },
            items: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  item_id: { type: "string" },
                  title: { type: "string" },
                  category: { type: "string" },
                  image_ids: { type: "array", items: { type: "string" } },
                },
              },
            },
          },
        },
      },
    },
  };
}
