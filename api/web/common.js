// What every sharekg page shares: calling the API (errors come back as problem+json), building DOM nodes safely
// (text is never parsed as HTML), links to resource pages, highlighting, graph paths and SVG bar charts.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An error the API answered with: `detail` is the problem document's message a person can act on. */
export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail || title || `request failed (${status})`);
    this.status = status;
    this.title = title || "";
    this.body = body || null;
  }
}

/** Call the API; JSON in and out. A non-2xx answer throws ApiError with the problem's detail. */
export async function api(path, { method = "GET", json, body, headers = {}, accept = "application/json" } = {}) {
  const init = { method, headers: { Accept: accept, ...headers } };
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
    throw new ApiError(0, "Network error", `the service did not answer (${e.message}); is it running?`);
  }
  const type = response.headers.get("content-type") || "";
  const isJson = type.includes("json");
  const payload = isJson ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const problem = isJson && payload ? payload : {};
    let detail = problem.detail || (typeof payload === "string" && payload.trim()) || response.statusText;
    if (Array.isArray(problem.errors) && problem.errors.length && !problem.detail) {
      detail = problem.errors.map((e) => `${e.field}: ${e.reason}`).join("; ");
    }
    throw new ApiError(response.status, problem.title || response.statusText, detail, problem);
  }
  return payload;
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

/** A coloured badge naming a resource type. */
export function typeBadge(type) {
  return el("span", { class: `badge ${type}` }, type);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** ``text`` as nodes, with every occurrence of ``terms`` (whole words, any case) wrapped in <mark>. */
export function highlight(text, terms) {
  const fragment = document.createDocumentFragment();
  const words = (terms || []).filter((t) => t && t.trim()).map((t) => escapeRegExp(t.trim()));
  if (!words.length) {
    fragment.append(text);
    return fragment;
  }
  words.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`\\b(${words.join("|")})\\w*`, "giu");
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) fragment.append(text.slice(last, m.index));
    fragment.append(el("mark", {}, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

/** A graph path (need → subject → instrument → facility → …) as a chain of steps; resources link to their page. */
export function pathChain(steps) {
  const list = el("ol", { class: "path", "aria-label": "graph path" });
  steps.forEach((step, i) => {
    const item = el("li");
    if (i > 0 && step.relation) item.append(el("span", { class: "rel" }, step.relation));
    const label = step.label || step.iri || "";
    const title = step.type ? `${step.type}: ${label}` : label;
    item.append(el("span", { class: "step", title }, step.id ? resourceLink(step.id, label) : label));
    list.append(item);
  });
  return list;
}

/** Show an error (an ApiError's detail, or any error's message) in a message area; never leave a blank page. */
export function showError(area, error, context = "") {
  const text = error instanceof Error ? error.message : String(error);
  area.className = "message error";
  area.setAttribute("role", "alert");
  area.replaceChildren(context ? `${context}: ${text}` : text);
}

export function showInfo(area, text) {
  area.className = "message info";
  area.setAttribute("role", "status");
  area.replaceChildren(text);
}

export function clearMessage(area) {
  area.replaceChildren();
  area.className = "message";
}

/** Numbers people read: 1,234 or 0.123. */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return Number(value).toLocaleString("en", { maximumFractionDigits: digits });
}

export function percent(share) {
  return share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`;
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
  window.addEventListener("error", (event) => showError(area, event.error || event.message, "This page failed"));
  window.addEventListener("unhandledrejection", (event) => showError(area, event.reason, "This page failed"));
}
