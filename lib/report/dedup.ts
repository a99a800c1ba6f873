/**
 * The dedup report page: one section per group of near-duplicate items, with every member's
 * thumbnails and the pairs (with scores) that joined them.
 * @module
 */

import type { DedupResult, SearchSession } from "../search/mod.ts";
import { escapeHtml, htmlPage, imageStrip, thumbnails } from "./html.ts";

/** Render the report; item images are read from the session's index. */
export async function renderDedupReport(result: DedupResult, session: SearchSession): Promise<string> {
  const ids = result.groups.flatMap((g) => g.items);
  const vectors = await session.itemVectors(ids);
  const thumbs = await thumbnails(ids.flatMap((id) => vectors.get(id)?.images ?? []));
  const parts = [
    `<p class="meta">method <b>${
      escapeHtml(result.method)
    }</b> · threshold ${result.threshold} · ${result.items} items checked · ` +
    `<span class="count">${result.groups.length}</span> groups</p>`,
  ];
  for (const g of result.groups) {
    parts.push(
      `<section class="result group" data-group="${g.group}"><div class="head"><span class="rank">group ${g.group}</span>` +
        `<span>${g.size} items</span><span class="score">best ${g.pairs[0].score.toFixed(4)}</span></div>` +
        g.items.map((id) => {
          const entry = vectors.get(id);
          return `<div class="head"><b>${escapeHtml(id)}</b>${
            entry?.title ? `<span>${escapeHtml(entry.title)}</span>` : ""
          }</div>${imageStrip(entry?.images ?? [], thumbs)}`;
        }).join("") +
        `<table class="pairs"><tr><th>item</th><th>item</th><th>score</th></tr>${
          g.pairs.map((p) =>
            `<tr><td>${escapeHtml(p.a)}</td><td>${escapeHtml(p.b)}</td><td class="score">${
              p.score.toFixed(4)
            }</td></tr>`
          ).join("")
        }</table></section>`,
    );
  }
  if (result.groups.length === 0) parts.push(`<p>No near-duplicates at this threshold.</p>`);
  return htmlPage(`setsim dedup: ${result.groups.length} groups`, parts.join("\n"));
}
