// What every sharekg page shares: calling the API (errors come back as problem+json), building DOM nodes safely
// (text is never parsed as HTML), links to resource pages, highlighting, graph paths, errors shown in the reader's
// language, and SVG bar charts. The page shell (head, navigation, language switch) is shell.js; its words i18n.js.
import { LANGUAGES, hasMessage, language, onLanguageChange, relationName, t, typeName } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

const PROBLEM_TYPE_BASE = "https://w3id.org/sharekg/problems/";

/**
 * An error the API answered with: `detail` is the problem document's message a person can act on; `kind` is the
 * last segment of its `type` (``index-not-ready``), by which the page says it in the reader's language.
 */
export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail || title || `request failed (${status})`);
    this.status = status;
    this.title = title || "";
    this.body = body || null;
  }

  get kind() {
    const type = String(this.body?.type || "");
    if (type.startsWith(PROBLEM_TYPE_BASE)) return type.slice(PROBLEM_TYPE_BASE.length);
    return this.status === 0 ? "network" : "";
  }

  /** The fields a validation problem names (``text``, ``filters.city``): its ``errors`` list. */
  get fields() {
    return Array.isArray(this.body?.errors) ? this.body.errors.map((e) => e.field) : [];
  }
}

/** The ApiError a non-2xx ``response`` stands for, from its already read ``payload`` (JSON or text). */
export function problemError(response, payload) {
  const isJson = payload !== null && typeof payload === "object";
  const problem = isJson ? payload : {};
  let detail = problem.detail || (typeof payload === "string" && payload.trim()) || response.statusText;
  if (Array.isArray(problem.errors) && problem.errors.length && !problem.detail) {
    detail = problem.errors.map((e) => `${e.field}: ${e.reason}`).join("; ");
  }
  return new ApiError(response.status, problem.title || response.statusText, detail, problem);
}

/**
 * Call the API; JSON in and out, in the reader's language where the API has one (Accept-Language). A non-2xx
 * answer throws ApiError with the problem's detail.
 */
export async function api(path, { method = "GET", json, body, headers = {}, accept = "application/json" } = {}) {
  const init = { method, headers: { Accept: accept, "Accept-Language": LANGUAGES[language()].accept, ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "Network error", e.message);
  }
  const type = response.headers.get("content-type") || "";
  const isJson = type.includes("json");
  const payload = isJson ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw problemError(response, payload);
  return payload;
}

/** Where the centre page keeps the API key a user entered, for this tab only (sessionStorage). */
export const API_KEY_STORE = "sharekg-api-key";

/** The centre or admin key entered on the centre page in this tab, or "". */
export function centreKey() {
  try {
    return sessionStorage.getItem(API_KEY_STORE) || "";
  } catch {
    return "";
  }
}

/** A DOM element: attributes (on* are listeners, `class`, `dataset`), then children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element, the same way. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** The API path of a resource id (``instrument/st-andrews/42``): each segment encoded, slashes kept. */
export function resourcePath(id) {
  return "/resources/" + String(id).split("/").map(encodeURIComponent).join("/");
}

/** The web page of a resource id. */
export function resourceHref(id) {
  return `resource.html?id=${encodeURIComponent(id)}`;
}

/** A link to a resource's page, or plain text when it has no id. */
export function resourceLink(id, label) {
  return id ? el("a", { href: resourceHref(id) }, label || id) : el("span", {}, label || "");
}

/** A coloured badge naming a resource type, in the reader's language. */
export function typeBadge(type) {
  return el("span", { class: `badge ${type}`, title: type }, typeName(type));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The pattern of one term: a term that starts with a letter or digit of the Latin script starts at a word
 * boundary and one that ends so runs to the end of its word (``spectroscop`` marks ``spectroscopy``); Chinese has
 * no word boundaries, so Chinese text matches as a substring wherever it occurs.
 */
function termPattern(term) {
  return (/^\w/.test(term) ? "\\b" : "") + escapeRegExp(term) + (/\w$/.test(term) ? "\\w*" : "");
}

/**
 * ``text`` as nodes, with every occurrence of ``terms`` (any case; English by word, Chinese by substring) wrapped
 * in <mark>. Longer terms win where two overlap (核磁共振 before 核磁). Nothing is parsed as HTML: the text and
 * the terms stay text.
 */
export function highlight(text, terms) {
  const fragment = document.createDocumentFragment();
  const source = String(text ?? "");
  const words = [...new Set((terms || []).map((w) => String(w ?? "").trim()).filter(Boolean))];
  if (!words.length) {
    fragment.append(source);
    return fragment;
  }
  words.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(words.map(termPattern).join("|"), "giu");
  let last = 0;
  for (const m of source.matchAll(pattern)) {
    if (m.index > last) fragment.append(source.slice(last, m.index));
    fragment.append(el("mark", {}, m[0]));
    last = m.index + m[0].length;
  }
  if (last < source.length) fragment.append(source.slice(last));
  return fragment;
}

/** A path step's name: the need a path starts from has no node in the graph, so its name is the page's. */
export function stepLabel(step) {
  return step.type === "Need" && !step.iri ? t("common.your_need") : step.label || step.iri || "";
}

/** A graph path (need → subject → instrument → facility → …) as a chain of steps; resources link to their page. */
export function pathChain(steps) {
  const list = el("ol", { class: "path", "aria-label": t("common.graph_path") });
  steps.forEach((step, i) => {
    const item = el("li");
    if (i > 0 && step.relation) item.append(el("span", { class: "rel" }, relationName(step.relation)));
    const label = stepLabel(step);
    const title = step.type ? `${typeName(step.type)}: ${label}` : label;
    item.append(el("span", { class: "step", title }, step.id ? resourceLink(step.id, label) : label));
    list.append(item);
  });
  return list;
}

/** Text that may be a message id (then shown in the reader's language) or already words. */
const words = (text) => (hasMessage(String(text)) ? t(String(text)) : String(text));

/**
 * What to say of an error: ``lead`` in the reader's language (for an ApiError, by its problem's kind, else its
 * title) and ``detail``, the API's own words (English), which name what to change. ``leadId`` overrides the lead
 * where the page knows better (an empty need).
 */
export function describeError(error, leadId) {
  if (error instanceof ApiError) {
    const id = leadId || `problem.${error.kind}`;
    return { lead: hasMessage(id) ? t(id) : error.title || t("problem.failed"), detail: error.message };
  }
  return { lead: words(error instanceof Error ? error.message : error), detail: "" };
}

/** Errors on show, by message area, to say again in the other language after a switch. */
const shownErrors = new Map();

function renderError(area, [error, context, leadId]) {
  const { lead, detail } = describeError(error, leadId);
  const separator = language() === "zh" ? "：" : ": ";
  const parts = [context ? words(context) + separator : "", lead];
  if (detail && detail !== lead) {
    // The API writes English: say so to the browser (fonts, screen readers) when the page is in Chinese.
    parts.push(separator, language() === "en" ? detail : el("span", { class: "detail", lang: "en" }, detail));
  }
  area.className = "message error";
  area.setAttribute("role", "alert");
  area.replaceChildren(...parts);
}

/**
 * Show an error in a message area (an ApiError as what went wrong in the reader's language, then the API's
 * detail); never leave a blank page. ``context`` and ``leadId`` may be message ids.
 */
export function showError(area, error, context = "", { leadId } = {}) {
  shownErrors.set(area, [error, context, leadId]);
  renderError(area, shownErrors.get(area));
}

export function showInfo(area, text) {
  shownErrors.delete(area);
  area.className = "message info";
  area.setAttribute("role", "status");
  area.replaceChildren(words(text));
}

export function clearMessage(area) {
  shownErrors.delete(area);
  area.replaceChildren();
  area.className = "message";
}

onLanguageChange(() => shownErrors.forEach((shown, area) => renderError(area, shown)));

/** Numbers people read: 1,234 or 0.123. */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return Number(value).toLocaleString("en", { maximumFractionDigits: digits });
}

export function percent(share) {
  return share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`;
}

/** A fit as a percentage to one decimal, so that a fit on either side of a band's threshold never reads the same. */
export function fitPercent(fit) {
  return fit === null || fit === undefined ? "–" : `${(fit * 100).toFixed(1)}%`;
}

/**
 * A horizontal bar chart as SVG: one row per item ({label, value, href?, title?}); ``value2`` draws a second,
 * thinner bar under the first (e.g. demand under utilisation). Labels are cut to fit; the full text is the title.
 */
export function barChart(items, { title, width = 440, labelWidth = 150, row = 22, format = fmt, max, series } = {}) {
  const height = Math.max(items.length, 1) * row + 24;
  const top = Math.max(max ?? 0, ...items.map((d) => Math.max(d.value || 0, d.value2 || 0)), 1e-9);
  const plot = width - labelWidth - 60;
  const chart = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title || "bar chart",
  });
  if (title) chart.append(svg("title", {}, title));
  items.forEach((d, i) => {
    const y = 4 + i * row;
    const label = String(d.label ?? "");
    const chars = Math.floor(labelWidth / 6.2);
    const short = label.length > chars ? label.slice(0, chars - 1) + "…" : label;
    const text = svg("text", { x: labelWidth - 6, y: y + row * 0.62, "text-anchor": "end" }, short);
    const labelNode = d.href ? svg("a", { href: d.href }, text) : text;
    const w = Math.max(0, (d.value || 0) / top) * plot;
    const bar = svg("rect", {
      class: "bar", x: labelWidth, y: y + 2, width: w.toFixed(1), height: d.value2 === undefined ? row - 6 : (row - 6) / 2,
    });
    bar.append(svg("title", {}, `${label}: ${format(d.value)}${d.title ? ` (${d.title})` : ""}`));
    const group = svg("g", { class: "row" }, svg("title", {}, label), labelNode, bar);
    if (d.value2 !== undefined) {
      const w2 = Math.max(0, (d.value2 || 0) / top) * plot;
      const bar2 = svg("rect", { class: "bar alt", x: labelWidth, y: y + 2 + (row - 6) / 2, width: w2.toFixed(1), height: (row - 6) / 2 });
      bar2.append(svg("title", {}, `${label}: ${series?.[1] ?? ""} ${format(d.value2)}`));
      group.append(bar2);
    }
    group.append(svg("text", { x: labelWidth + w + 4, y: y + row * 0.62, class: "muted" }, format(d.value)));
    chart.append(group);
  });
  chart.append(svg("line", { class: "axis", x1: labelWidth, x2: labelWidth, y1: 2, y2: height - 18 }));
  return chart;
}

/**
 * A vertical column chart as SVG for a distribution ({label, value} in order), e.g. nodes per degree bin.
 */
export function columnChart(items, { title, width = 440, height = 200, format = fmt, xLabel = "", yLabel = "" } = {}) {
  const left = 48, bottom = 40, topPad = 10;
  const top = Math.max(...items.map((d) => d.value || 0), 1e-9);
  const plotW = width - left - 10, plotH = height - bottom - topPad;
  const step = plotW / Math.max(items.length, 1);
  const chart = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title || "column chart",
  });
  if (title) chart.append(svg("title", {}, title));
  items.forEach((d, i) => {
    const h = ((d.value || 0) / top) * plotH;
    const x = left + i * step;
    const bar = svg("rect", { class: "bar", x: (x + step * 0.1).toFixed(1), y: (topPad + plotH - h).toFixed(1),
      width: (step * 0.8).toFixed(1), height: h.toFixed(1) });
    bar.append(svg("title", {}, `${d.label}: ${format(d.value)}`));
    chart.append(bar);
    if (items.length <= 16 || i % Math.ceil(items.length / 16) === 0) {
      chart.append(svg("text", { x: (x + step / 2).toFixed(1), y: height - bottom + 14, "text-anchor": "middle" }, d.label));
    }
  });
  chart.append(svg("line", { class: "axis", x1: left, x2: width - 10, y1: topPad + plotH, y2: topPad + plotH }));
  chart.append(svg("line", { class: "axis", x1: left, x2: left, y1: topPad, y2: topPad + plotH }));
  chart.append(svg("text", { x: left - 4, y: topPad + 8, "text-anchor": "end", class: "muted" }, format(top)));
  chart.append(svg("text", { x: left - 4, y: topPad + plotH, "text-anchor": "end", class: "muted" }, "0"));
  if (xLabel) chart.append(svg("text", { x: left + plotW / 2, y: height - 6, "text-anchor": "middle", class: "muted" }, xLabel));
  if (yLabel) chart.append(svg("text", { x: 12, y: topPad + plotH / 2, transform: `rotate(-90 12 ${topPad + plotH / 2})`, "text-anchor": "middle", class: "muted" }, yLabel));
  return chart;
}

/** Show any uncaught error in the page's message area rather than failing silently. */
export function guardPage(area) {
  window.addEventListener("error", (event) => showError(area, event.error || event.message, "common.page_failed"));
  window.addEventListener("unhandledrejection", (event) => showError(area, event.reason, "common.page_failed"));
}
