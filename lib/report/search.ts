/**
 * The report pages of `search`, `compare` and `dedup`.
 * @module
 */

import type { SearchResult } from "../search/mod.ts";
import { escapeHtml, htmlPage, imageStrip, pairMarks, pairsTable, thumbnails, writeReport } from "./html.ts";

function score(value: number | null | undefined): string {
  return value === null || value === undefined ? "none" : value.toFixed(4);
}

/** The search report: the query's images, then one card per result with its matched pairs. */
export async function renderSearchReport(result: SearchResult): Promise<string> {
  const thumbs = await thumbnails([...result.query.images, ...result.results.flatMap((r) => r.images)]);
  const q = result.query;
  const queryName = q.item_id !== undefined ? `item ${q.item_id}` : `${q.images.length} image(s)`;
  const parts = [
    `<p class="meta">method <b>${escapeHtml(result.method)}</b> · top ${result.k} · ${
      result.shortlist.exact
        ? `${result.shortlist.candidates} items scored exactly`
        : `${result.shortlist.candidates} candidates from the ${
          escapeHtml(result.shortlist.strategy)
        } shortlist`
    } · <span class="count">${result.results.length}</span> results</p>`,
    `<section class="query"><div class="head"><b>Query</b> ${escapeHtml(queryName)}${
      q.text !== undefined ? ` + text “${escapeHtml(q.text)}”` : ""
    }</div>${imageStrip(q.images, thumbs)}</section>`,
  ];
  for (const r of result.results) {
    const marks = pairMarks(r.pairs, q.images.length, r.images.length);
    parts.push(
      `<section class="result" data-item="${
        escapeHtml(r.item_id)
      }" data-rank="${r.rank}"><div class="head">` +
        `<span class="rank">#${r.rank}</span><b>${escapeHtml(r.item_id)}</b>` +
        `<span class="score">score ${score(r.score)}</span>` +
        (r.text_score !== undefined
          ? `<span class="score">image ${score(r.image_score)} · text ${r.text_score.toFixed(4)}</span>`
          : "") +
        (r.title ? `<span>${escapeHtml(r.title)}</span>` : "") +
        (r.category ? `<span class="meta">${escapeHtml(r.category)}</span>` : "") +
        `</div><div>query side</div>${imageStrip(q.images, thumbs, marks.a)}<div>item side</div>${
          imageStrip(r.images, thumbs, marks.b)
        }${pairsTable(r.pairs)}</section>`,
    );
  }
  if (result.results.length === 0) parts.push(`<p>No results.</p>`);
  return htmlPage(`setsim search: ${queryName}`, parts.join("\n"));
}

/** Render and write the search report. */
export async function writeSearchReport(path: string, result: SearchResult): Promise<void> {
  await writeReport(path, await renderSearchReport(result));
}
