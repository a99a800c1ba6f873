/**
 * Self-contained HTML reports of searches, comparisons and near-duplicate groups: one file, images
 * inlined as small JPEG thumbnails (data URIs), no script, no external resource — it opens from a
 * mail attachment or a CI artifact as it is.
 *
 * Every result is an element with class `result` (tests count them); matched images carry the
 * pair's number and a coloured frame (green: counted towards the score, amber: matched but not
 * counted because of s or m), unmatched images are dimmed.
 * @module
 */

import sharp from "sharp";
import { encodeBase64 } from "../figures/mod.ts";
import { writeFileAtomic } from "../io/mod.ts";
import { mapLimited } from "../workers/limit.ts";

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const PLACEHOLDER = "data:image/svg+xml;base64," +
  encodeBase64(new TextEncoder().encode(
    `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#eee"/>` +
      `<text x="48" y="52" font-size="11" text-anchor="middle" fill="#888">unreadable</text></svg>`,
  ));

/** A JPEG thumbnail (longest side `size` px) as a data URI; a grey placeholder if the file cannot be read. */
export async function thumbnailDataUri(path: string, size = 96): Promise<string> {
  try {
    const jpeg = await sharp(path).rotate().resize(size, size, { fit: "inside" }).flatten({
      background: "#ffffff",
    })
      .jpeg({ quality: 80 }).toBuffer();
    return `data:image/jpeg;base64,${encodeBase64(new Uint8Array(jpeg))}`;
  } catch {
    return PLACEHOLDER;
  }
}

/** Thumbnails of many paths, each file read once. */
export async function thumbnails(paths: Iterable<string>, size = 96): Promise<Map<string, string>> {
  const unique = [...new Set(paths)];
  const uris = await mapLimited(unique, 4, (path) => thumbnailDataUri(path, size));
  return new Map(unique.map((path, k) => [path, uris[k]]));
}

/** How one image of a set took part in a match. */
export interface ImageMark {
  /** 1-based number of the pair it belongs to (shown on the frame). */
  pair?: number;
  counted?: boolean;
  similarity?: number;
}

/** A row of thumbnails with match marks. */
export function imageStrip(
  paths: readonly string[],
  thumbs: Map<string, string>,
  marks: (ImageMark | undefined)[] = [],
): string {
  return `<div class="strip">${
    paths.map((path, i) => {
      const mark = marks[i];
      const cls = mark === undefined
        ? (marks.length > 0 ? "img unmatched" : "img")
        : mark.counted
        ? "img counted"
        : "img uncounted";
      const badge = mark?.pair !== undefined
        ? `<span class="badge">${mark.pair}${
          mark.similarity !== undefined ? ` · ${mark.similarity.toFixed(3)}` : ""
        }</span>`
        : "";
      return `<figure class="${cls}"><img alt="${escapeHtml(path)}" title="${escapeHtml(path)}" src="${
        thumbs.get(path) ?? PLACEHOLDER
      }">${badge}</figure>`;
    }).join("")
  }</div>`;
}

/** Marks for both sides of a list of pairs (a indexes the query side, b the item side). */
export function pairMarks(
  pairs: readonly { a: number; b: number; similarity: number; counted: boolean }[],
  sizeA: number,
  sizeB: number,
): { a: (ImageMark | undefined)[]; b: (ImageMark | undefined)[] } {
  const a: (ImageMark | undefined)[] = new Array(sizeA).fill(undefined);
  const b: (ImageMark | undefined)[] = new Array(sizeB).fill(undefined);
  pairs.forEach((p, k) => {
    // A query image can pair with several items' images (Chamfer); the first (best) pair labels it.
    a[p.a] ??= { pair: k + 1, counted: p.counted };
    b[p.b] ??= { pair: k + 1, counted: p.counted, similarity: p.similarity };
  });
  return { a, b };
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; margin-bottom: 16px; }
.query, .result, .group { border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
.query { background: #f6f8fa; }
.head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.rank { font-weight: 700; font-size: 16px; }
.score { font-family: ui-monospace, monospace; }
.strip { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
figure.img { position: relative; margin: 0; border: 3px solid transparent; border-radius: 4px; }
figure.img img { display: block; max-width: 96px; max-height: 96px; }
figure.counted { border-color: #2da44e; }
figure.uncounted { border-color: #d4a72c; }
figure.unmatched { opacity: 0.45; }
.badge { position: absolute; left: 0; bottom: 0; background: rgba(0,0,0,.7); color: #fff; font-size: 11px; padding: 0 4px; }
table.pairs { border-collapse: collapse; margin-top: 6px; font-size: 12px; }
table.pairs td, table.pairs th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 8px; border: 3px solid; border-radius: 4px; }
`;

/** The page shell: title, legend, body. */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="legend"><span style="border-color:#2da44e">matched, counted</span><span style="border-color:#d4a72c">matched, not counted (s or m)</span><span style="border-color:#ccc;opacity:.6">unmatched</span></p>
${body}
</body></html>
`;
}

/** A table of matched pairs. */
export function pairsTable(
  pairs: readonly { a: number; b: number; similarity: number; counted: boolean }[],
  labelA = "query image",
  labelB = "item image",
): string {
  if (pairs.length === 0) return "";
  return `<table class="pairs"><tr><th>#</th><th>${escapeHtml(labelA)}</th><th>${
    escapeHtml(labelB)
  }</th><th>similarity</th><th>counted</th></tr>${
    pairs.map((p, k) =>
      `<tr><td>${k + 1}</td><td>${p.a + 1}</td><td>${p.b + 1}</td><td class="score">${
        p.similarity.toFixed(4)
      }</td><td>${p.counted ? "yes" : "no"}</td></tr>`
    ).join("")
  }</table>`;
}

/** Write a report page atomically. */
export async function writeReport(path: string, html: string): Promise<void> {
  await writeFileAtomic(path, html);
}
