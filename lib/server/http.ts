/**
 * The HTTP vocabulary of the server: errors that become JSON `{ error: { field?, message } }`
 * responses, JSON responses, request parameters read and checked one field at a time, and a body
 * read under a byte cap.
 * @module
 */

import { MATCH_METHODS, type MatchMethod } from "../matching/mod.ts";
import { SHORTLISTS } from "../search/mod.ts";

/** A request the server refuses: the status, the message, and the field at fault when there is one. */
export class HttpError extends Error {
  /** The error's name in stack traces. */
  override name = "HttpError";
  /**
   * A refusal to send as `{ error: { field?, message } }`.
   * @param status the HTTP status (4xx: the request's fault).
   * @param message what is wrong, for people.
   * @param field the request field at fault.
   * @param headers extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate`).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  /** The field at fault (when one is) and what is wrong. */
  error: { field?: string; message: string };
}

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** The response of an {@link HttpError}. */
export function errorResponse(error: HttpError): Response {
  const body: ErrorBody = {
    error: { ...(error.field !== undefined ? { field: error.field } : {}), message: error.message },
  };
  return jsonResponse(body, error.status, error.headers);
}

/** Where request parameters come from: a URL's query or a form's text fields. */
export type ParamSource = (name: string) => string | null;

/** A form's text field (a file where text is expected is an error naming the field). */
export function formParams(form: FormData): ParamSource {
  return (name) => {
    const value = form.get(name);
    if (value === null) return null;
    if (typeof value !== "string") throw new HttpError(400, `${name} must be a text field, not a file`, name);
    return value;
  };
}

/** A URL's query parameters. */
export function urlParams(url: URL): ParamSource {
  return (name) => url.searchParams.get(name);
}

/** An optional number parameter in [min, max]. */
export function numberParam(
  params: ParamSource,
  name: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const raw = params(name);
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new HttpError(400, `${name} must be a number, got "${raw}"`, name);
  if (range.min !== undefined && value < range.min) {
    throw new HttpError(400, `${name} must be ≥ ${range.min}, got ${raw}`, name);
  }
  if (range.max !== undefined && value > range.max) {
    throw new HttpError(400, `${name} must be ≤ ${range.max}, got ${raw}`, name);
  }
  return value;
}

/** An optional integer parameter in [min, max]. */
export function integerParam(
  params: ParamSource,
  name: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const value = numberParam(params, name, range);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new HttpError(400, `${name} must be an integer, got ${params(name)}`, name);
  }
  return value;
}

/** An optional boolean parameter (`true`/`false`/`1`/`0`; present without a value is true). */
export function booleanParam(params: ParamSource, name: string): boolean | undefined {
  const raw = params(name);
  if (raw === null) return undefined;
  if (["", "true", "1"].includes(raw)) return true;
  if (["false", "0"].includes(raw)) return false;
  throw new HttpError(400, `${name} must be true or false, got "${raw}"`, name);
}

/** An optional text parameter (empty counts as absent), at most `maxLength` characters. */
export function textParam(params: ParamSource, name: string, maxLength = 2000): string | undefined {
  const raw = params(name);
  if (raw === null || raw.trim() === "") return undefined;
  if (raw.length > maxLength) {
    throw new HttpError(400, `${name} must be at most ${maxLength} characters, got ${raw.length}`, name);
  }
  return raw;
}

/** An optional set-matching method. */
export function methodParam(params: ParamSource, name = "method"): MatchMethod | undefined {
  const raw = textParam(params, name);
  if (raw === undefined) return undefined;
  if (!MATCH_METHODS.includes(raw as MatchMethod)) {
    throw new HttpError(400, `${name} must be one of ${MATCH_METHODS.join(", ")}; got "${raw}"`, name);
  }
  return raw as MatchMethod;
}

/** An optional shortlist strategy name. */
export function shortlistParam(params: ParamSource): string | undefined {
  const raw = textParam(params, "shortlist");
  if (raw !== undefined && !(raw in SHORTLISTS)) {
    throw new HttpError(
      400,
      `shortlist must be one of ${Object.keys(SHORTLISTS).join(", ")}; got "${raw}"`,
      "shortlist",
    );
  }
  return raw;
}

/** Read a request body, refusing it with 413 once it passes `maxBytes` (declared or streamed). */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  const tooLarge = () =>
    new HttpError(413, `the request body is larger than the limit of ${maxBytes} bytes`, "body");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read().catch((error) => {
        throw new HttpError(400, `the request body could not be read (${(error as Error).message})`, "body");
      });
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Parse a multipart (or URL-encoded) form body read under the byte cap. */
export async function readForm(request: Request, maxBytes: number): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data|^application\/x-www-form-urlencoded/i.test(type)) {
    throw new HttpError(
      415,
      `the body must be multipart/form-data (photos as files) or application/x-www-form-urlencoded; got "${type}"`,
      "body",
    );
  }
  const bytes = await readBody(request, maxBytes);
  try {
    return await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch (error) {
    throw new HttpError(400, `the form body cannot be parsed (${(error as Error).message})`, "body");
  }
}

/** Parse a JSON object body read under the byte cap. */
export async function readJsonObject(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const bytes = await readBody(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON (${(error as Error).message})`, "body");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, "the body must be a JSON object", "body");
  }
  return value as Record<string, unknown>;
}

/** A JSON object's fields as a parameter source (numbers and booleans as their text). */
export function objectParams(body: Record<string, unknown>): ParamSource {
  return (name) => {
    const value = body[name];
    if (value === undefined || value === null) return null;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new HttpError(400, `${name} must be a string, number or boolean`, name);
  };
}
