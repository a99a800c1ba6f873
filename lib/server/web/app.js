// The setsim web app: plain DOM over the JSON API (no build step). Views: browse, search (by an item
// or dropped photos), compare two items, duplicates (threshold slider + histogram).
// Every request sends the bearer token when one is entered; images load by id (ITEM_ID:POSITION).

const $ = (selector, root = document) => root.querySelector(selector);
const state = { browseOffset: 0, searchFiles: [], duplicateFiles: [], duplicates: null };
const PAGE = 24;

function token() {
  return $("#token").value.trim();
}

function authHeaders() {
  return token() ? { authorization: `Bearer ${token()}` } : {};
}

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = message === "";
}

/** fetch JSON from the API; an error body `{ error: { field, message } }` becomes a thrown message. */
async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) } });
  const body = await response.json();
  if (!response.ok) {
    const { field, message } = body.error ?? {};
    throw new Error(field ? `${field}: ${message}` : message ?? `HTTP ${response.status}`);
  }
  if (body.index_version) $("#version").textContent = `index ${body.index_version}`;
  return body;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** An image of the index by id (with the token, through a fetched blob). */
function indexImage(imageId, alt) {
  const img = el("img", { alt, loading: "lazy" });
  const url = `/images/${encodeURIComponent(imageId)}`;
  if (!token()) img.src = url;
  else {
    fetch(url, { headers: authHeaders() }).then((r) => r.ok ? r.blob() : null)
      .then((blob) => blob && (img.src = URL.createObjectURL(blob)));
  }
  return img;
}

function fileImage(file, alt) {
  return el("img", { alt, src: URL.createObjectURL(file) });
}

function score(value) {
  return value === null || value === undefined ? "none" : value.toFixed(4);
}

// ---- views ----

function showView(name) {
  const view = ["browse", "search", "compare", "duplicates"].includes(name) ? name : "browse";
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function loadMethods() {
  const doc = await api("/openapi.json");
  const methods = doc.components.schemas.Method.enum;
  for (const select of document.querySelectorAll("select.methods")) {
    for (const method of methods) select.append(el("option", { value: method, text: method }));
    if (select.closest("#search-form, #duplicates-form")) select.value = "chamfer";
  }
}

// ---- browse ----

async function browse() {
  const where = $("#browse-form").elements.where.value.trim();
  const query = new URLSearchParams({ offset: String(state.browseOffset), limit: String(PAGE) });
  if (where) query.set("where", where);
  const page = await api(`/items?${query}`);
  $("#browse-count").textContent = `${page.offset + 1}–${page.offset + page.items.length} of ${page.total}`;
  const list = $("#items");
  list.replaceChildren();
  const ids = $("#item-ids");
  for (const item of page.items) {
    ids.append(el("option", { value: item.item_id }));
    const similar = el("button", { type: "button", text: "Find similar" });
    similar.addEventListener("click", () => {
      $("#search-form").elements.query.value = item.item_id;
      location.hash = "#search";
      search().catch((e) => showError(e.message));
    });
    const compare = el("button", { type: "button", text: "Compare as A" });
    compare.addEventListener("click", () => {
      $("#compare-form").elements.a.value = item.item_id;
      location.hash = "#compare";
      $("#compare-form").elements.b.focus();
    });
    list.append(el(
      "li",
      { "data-item": item.item_id },
      item.image_ids[0] ? indexImage(item.image_ids[0], `${item.item_id}, photo 1`) : null,
      el("div", {}, el("b", { text: item.item_id })),
      el("div", { class: "meta", text: `${item.title ?? ""} · ${item.image_ids.length} photos` }),
      similar,
      compare,
    ));
  }
  $("#browse-prev").disabled = page.offset === 0;
  $("#browse-next").disabled = page.offset + page.items.length >= page.total;
}

// ---- photo drop zones ----

function dropZone(zoneId, inputId, key) {
  const zone = $(`#${zoneId}`);
  const input = $(`#${inputId}`);
  const render = () => {
    const list = $(".chosen", zone);
    list.replaceChildren(
      ...state[key].map((file, k) => el("li", {}, fileImage(file, `photo ${k + 1}: ${file.name}`))),
    );
  };
  const add = (files) => {
    state[key].push(...[...files].filter((f) => f.type.startsWith("image/") || f.type === ""));
    render();
  };
  zone.addEventListener("click", () => input.click());
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  input.addEventListener("change", () => add(input.files));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    add(event.dataTransfer.files);
  });
  return () => {
    state[key] = [];
    render();
  };
}

// ---- search ----

const SEARCH_FIELDS = ["text", "text_weight", "where", "method", "s", "m", "k"];

async function search() {
  const form = $("#search-form");
  const out = $("#search-results");
  out.replaceChildren(el("p", { class: "meta", text: "Searching…" }));
  let result;
  let queryImage;
  if (state.searchFiles.length > 0) {
    const body = new FormData();
    for (const file of state.searchFiles) body.append("photos", file);
    for (const name of SEARCH_FIELDS) {
      if (form.elements[name].value !== "") body.append(name, form.elements[name].value);
    }
    result = await api("/search", { method: "POST", body });
    const files = [...state.searchFiles];
    queryImage = (a) => fileImage(files[a], `query photo ${a + 1}`);
  } else {
    const item = form.elements.query.value.trim();
    if (!item) throw new Error("give a query item or drop photos");
    const query = new URLSearchParams();
    for (const name of SEARCH_FIELDS) {
      if (form.elements[name].value !== "") query.set(name, form.elements[name].value);
    }
    result = await api(`/items/${encodeURIComponent(item)}/similar?${query}`);
    queryImage = (a) => indexImage(`${item}:${a}`, `query photo ${a + 1}`);
  }
  renderSearch(out, result, queryImage);
}

/** One result as side-by-side matched pairs, unmatched photos set apart. */
function resultCard(r, queryImage, heading) {
  const pairs = el("ol", { class: "pairs", "aria-label": "Matched pairs" });
  for (const p of r.pairs) {
    pairs.append(el(
      "li",
      {
        class: `pair${p.counted ? "" : " not-counted"}`,
        "data-a": p.a,
        "data-b": p.b,
        "data-similarity": p.similarity,
        "data-counted": p.counted,
      },
      queryImage(p.a),
      el("span", { class: "sim", text: `↔ ${p.similarity.toFixed(3)}${p.counted ? "" : " (not counted)"}` }),
      indexImage(`${r.item_id}:${p.b}`, `${r.item_id} photo ${p.b + 1}`),
    ));
  }
  const unmatched = el("div", { class: "unmatched" });
  if (r.unmatched_query.length > 0) {
    unmatched.append(el("span", { class: "meta", text: "Unmatched query photos:" }));
    for (const a of r.unmatched_query) unmatched.append(queryImage(a));
  }
  if (r.unmatched_item.length > 0) {
    unmatched.append(el("span", { class: "meta", text: "Unmatched item photos:" }));
    for (const b of r.unmatched_item) {
      unmatched.append(indexImage(`${r.item_id}:${b}`, `${r.item_id} photo ${b + 1}`));
    }
  }
  return el(
    "article",
    { class: "result", "data-item": r.item_id, "data-rank": r.rank, "data-score": r.score ?? "" },
    el("h3", { text: heading }),
    pairs,
    unmatched.childElementCount > 0 ? unmatched : null,
  );
}

function renderSearch(out, result, queryImage) {
  const query = result.query.item_id !== undefined
    ? `item ${result.query.item_id}`
    : `${result.query.images.length} dropped photo(s)`;
  out.replaceChildren(el("p", {
    class: "meta",
    text:
      `query: ${query} · ${result.results.length} results · ${result.method} · ${result.shortlist.candidates} candidates · ` +
      `${result.elapsed_ms.toFixed(1)} ms`,
  }));
  for (const r of result.results) {
    const text = r.text_score !== undefined
      ? ` (image ${score(r.image_score)}, text ${score(r.text_score)})`
      : "";
    out.append(
      resultCard(
        r,
        queryImage,
        `#${r.rank} ${r.item_id} — ${r.title ?? ""} — score ${score(r.score)}${text}`,
      ),
    );
  }
  if (result.results.length === 0) out.append(el("p", { text: "No results." }));
}

// ---- compare ----

async function compare() {
  const form = $("#compare-form");
  const body = {
    a: form.elements.a.value.trim(),
    b: form.elements.b.value.trim(),
    method: form.elements.method.value,
  };
  for (const name of ["s", "m"]) {
    if (form.elements[name].value !== "") body[name] = Number(form.elements[name].value);
  }
  const result = await api("/compare", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const out = $("#compare-results");
  out.replaceChildren();
  for (const m of result.methods) {
    const card = resultCard(
      {
        item_id: body.b,
        rank: 0,
        score: m.score,
        pairs: m.pairs,
        unmatched_query: m.unmatched_a,
        unmatched_item: m.unmatched_b,
      },
      (a) => indexImage(`${body.a}:${a}`, `${body.a} photo ${a + 1}`),
      `${m.method}: ${score(m.score)}${m.reason ? ` (${m.reason})` : ""}`,
    );
    card.classList.add("method");
    card.dataset.method = m.method;
    out.append(card);
  }
}

// ---- duplicates ----

async function duplicates() {
  const form = $("#duplicates-form");
  if (state.duplicateFiles.length === 0) throw new Error("photos: drop the listing's photos first");
  const body = new FormData();
  for (const file of state.duplicateFiles) body.append("photos", file);
  for (const name of ["title", "method", "candidates"]) {
    if (form.elements[name].value !== "") body.append(name, form.elements[name].value);
  }
  body.append("threshold", $("#threshold").value);
  const result = await api("/duplicates", { method: "POST", body });
  const files = [...state.duplicateFiles];
  state.duplicates = { result, queryImage: (a) => fileImage(files[a], `listing photo ${a + 1}`) };
  renderDuplicates();
}

function histogram(scores, threshold) {
  const bins = 20, counts = new Array(bins).fill(0);
  for (const s of scores) counts[Math.min(bins - 1, Math.max(0, Math.floor(s * bins)))]++;
  const max = Math.max(1, ...counts), w = 400, h = 120;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h + 20}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Scores of ${scores.length} candidates; threshold ${threshold}`);
  counts.forEach((count, k) => {
    const bar = document.createElementNS(ns, "rect");
    const height = (count / max) * h;
    bar.setAttribute("x", String((k * w) / bins + 1));
    bar.setAttribute("y", String(h - height));
    bar.setAttribute("width", String(w / bins - 2));
    bar.setAttribute("height", String(height));
    bar.setAttribute("fill", (k + 1) / bins > threshold ? "#0b5cad" : "#bbb");
    bar.setAttribute("data-count", String(count));
    svg.append(bar);
  });
  const line = document.createElementNS(ns, "line");
  line.setAttribute("x1", String(threshold * w));
  line.setAttribute("x2", String(threshold * w));
  line.setAttribute("y1", "0");
  line.setAttribute("y2", String(h));
  line.setAttribute("stroke", "#c33");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  for (const x of [0, 0.5, 1]) {
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", String(Math.min(w - 10, x * w)));
    label.setAttribute("y", String(h + 15));
    label.setAttribute("font-size", "11");
    label.textContent = String(x);
    svg.append(label);
  }
  return svg;
}

function renderDuplicates() {
  const threshold = Number($("#threshold").value);
  $("#threshold-value").textContent = threshold.toFixed(2);
  if (state.duplicates === null) return;
  const { result, queryImage } = state.duplicates;
  const scored = result.results.filter((r) => r.score !== null);
  $("#histogram").replaceChildren(histogram(scored.map((r) => r.score), threshold));
  const above = scored.filter((r) => r.score >= threshold);
  const out = $("#duplicates-results");
  out.replaceChildren(el("p", {
    class: "meta",
    text: `${above.length} of ${result.results.length} candidates reach ${threshold.toFixed(2)}`,
  }));
  for (const r of above) {
    out.append(resultCard(r, queryImage, `${r.item_id} — ${r.title ?? ""} — score ${score(r.score)}`));
  }
}

// ---- wiring ----

function onSubmit(id, run) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    showError("");
    run().catch((error) => showError(error.message));
  });
}

async function start() {
  globalThis.addEventListener("hashchange", () => showView(location.hash.slice(1)));
  showView(location.hash.slice(1));
  const clearSearch = dropZone("search-drop", "search-files", "searchFiles");
  dropZone("duplicates-drop", "duplicates-files", "duplicateFiles");
  $("#search-clear").addEventListener("click", clearSearch);
  onSubmit("#browse-form", () => {
    state.browseOffset = 0;
    return browse();
  });
  $("#browse-prev").addEventListener("click", () => {
    state.browseOffset = Math.max(0, state.browseOffset - PAGE);
    browse().catch((e) => showError(e.message));
  });
  $("#browse-next").addEventListener("click", () => {
    state.browseOffset += PAGE;
    browse().catch((e) => showError(e.message));
  });
  onSubmit("#search-form", search);
  onSubmit("#compare-form", compare);
  onSubmit("#duplicates-form", duplicates);
  $("#threshold").addEventListener("input", renderDuplicates);
  $("#auth-form").addEventListener("submit", (event) => event.preventDefault());
  $("#token").addEventListener("change", () => start2().catch((e) => showError(e.message)));
  await start2();
}

/** What needs the API (and so the token, when the server has one). */
async function start2() {
  if (document.querySelector("select.methods option[value=chamfer]") === null) await loadMethods();
  await browse();
  document.body.dataset.ready = "true";
}

start().catch((error) => showError(error.message));
