// The centres' page: utilisation against demand (GET /analytics/utilisation), the under-used list (GET
// /analytics/underused), who could use an idle asset, unmet-need clusters (GET /analytics/unmet-needs), the Chinese
// words of needs the glossary read character by character (GET /analytics/unknown-words) and the downloads (CSV,
// PNG, SVG) the API offers for them.
import {
  API_KEY_STORE, ApiError, api as publicApi, centreKey, clearMessage, columnChart, el, fitPercent, fmt, guardPage,
  percent, problemError, resourceLink, showError, showInfo, svg, typeBadge,
} from "./common.js";
import { hasMessage, t } from "./i18n.js";
import { startPage } from "./shell.js";

const BASE = "https://w3id.org/sharekg/id/";
const UTILISATION = "/analytics/utilisation";
const UNDERUSED = "/analytics/underused";
const UNMET = "/analytics/unmet-needs";
const UNKNOWN = "/analytics/unknown-words";
const COLOURS = { Instrument: "#1f5fa8", Facility: "#7a4bb0" };

const keyField = document.getElementById("api-key");
keyField.value = centreKey();
const apiKey = () => keyField.value.trim();
/** The reports need a centre or admin key (they hold students' needs): every call sends the one entered. */
const api = (path, options = {}) =>
  publicApi(path, { ...options, headers: { ...(options.headers || {}), "X-API-Key": apiKey() } });

/** A download with the key: fetched, then handed to the browser as a file (a plain link cannot send a header). */
async function download(event, href) {
  event.preventDefault();
  try {
    const response = await fetch(href, { headers: { "X-API-Key": apiKey() } });
    if (!response.ok) throw problemError(response, await response.json().catch(() => null));
    const url = URL.createObjectURL(await response.blob());
    const name = (response.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "download";
    el("a", { href: url, download: name }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showError(message, e, "centre.download");
  }
}

const form = document.getElementById("centre-form");
const message = document.getElementById("message");
const status = document.getElementById("status");
startPage("centre", () => load()); // in the other language: the reports asked again and drawn anew
guardPage(message);

const idOf = (iri) => (iri && iri.startsWith(BASE) ? iri.slice(BASE.length) : null);
const listOf = (body, key) => (Array.isArray(body) ? body : body?.[key] || []);
const assetOf = (item) => item.asset;

function query(path, extra = {}) {
  const params = new URLSearchParams();
  const organization = document.getElementById("organization").value.trim();
  if (organization) params.set("organization", organization);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.size ? `${path}?${params}` : path;
}

/** Utilisation (across) against demand strength (up), one dot per asset; idle and wanted is top left. */
function scatter(assets) {
  const points = assets.filter((a) => a.utilisation !== null && a.utilisation !== undefined);
  const width = 560, height = 300, left = 50, bottom = 40, top = 12, right = 16;
  const plotW = width - left - right, plotH = height - top - bottom;
  const maxX = Math.max(1, ...points.map((a) => a.utilisation));
  const maxY = Math.max(1e-9, ...points.map((a) => a.demand_fit || 0));
  const chart = svg("svg", {
    class: "chart", id: "utilisation-scatter", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": t("centre.scatter_label", { n: points.length }),
  });
  chart.append(svg("rect", { x: left, y: top, width: plotW / maxX * 0.5, height: plotH / 2, fill: "#fdecec" }));
  chart.append(svg("line", { class: "axis", x1: left, x2: width - right, y1: top + plotH, y2: top + plotH }));
  chart.append(svg("line", { class: "axis", x1: left, x2: left, y1: top, y2: top + plotH }));
  for (const share of [0, 0.5, 1]) {
    const x = left + (share / maxX) * plotW;
    chart.append(svg("text", { x, y: top + plotH + 14, "text-anchor": "middle", class: "muted" }, percent(share)));
  }
  chart.append(svg("text", { x: left + plotW / 2, y: height - 6, "text-anchor": "middle", class: "muted" }, t("centre.used_axis")));
  chart.append(svg("text", { x: 12, y: top + plotH / 2, transform: `rotate(-90 12 ${top + plotH / 2})`,
    "text-anchor": "middle", class: "muted" }, t("centre.demand_axis")));
  chart.append(svg("text", { x: left - 4, y: top + 8, "text-anchor": "end", class: "muted" }, fmt(maxY, 2)));
  for (const a of points) {
    const x = left + (a.utilisation / maxX) * plotW;
    const y = top + plotH - ((a.demand_fit || 0) / maxY) * plotH;
    const dot = svg("circle", { class: "point", cx: x.toFixed(1), cy: y.toFixed(1), r: 5, fill: COLOURS[a.type] || "#6b7785",
      "fill-opacity": 0.75 });
    dot.append(svg("title", {}, t("centre.dot",
      { label: a.label, used: percent(a.utilisation), needs: a.demand_needs, strength: fmt(a.demand_fit, 2) })));
    chart.append(idOf(a.iri) ? svg("a", { href: `resource.html?id=${encodeURIComponent(idOf(a.iri))}` }, dot) : dot);
  }
  return points.length ? chart : el("p", { class: "hint" }, t("centre.no_points"));
}

function underusedTable(items) {
  if (!items.length) return el("p", { class: "hint" }, t("centre.nothing_underused"));
  const rows = items.map((item, i) => {
    const a = assetOf(item);
    const button = el("button", { type: "button", class: "secondary", onclick: () => showIdle(item) }, t("centre.who"));
    return el("tr", {},
      el("td", { class: "num" }, i + 1),
      el("td", {}, resourceLink(idOf(a.iri), a.label), " ", typeBadge(a.type)),
      el("td", {}, a.organization_label || ""),
      el("td", { class: "num" }, percent(a.utilisation)),
      el("td", { class: "num" }, fmt(a.hours_used, 1)),
      el("td", { class: "num" }, fmt(a.capacity_hours, 0)),
      el("td", { class: "num" }, fmt(item.needs ? item.needs.length : a.demand_needs)),
      el("td", { class: "num" }, fmt(item.score, 3)),
      el("td", {}, button));
  });
  return el("table", { id: "underused-table" },
    el("thead", {}, el("tr", {}, ["#", t("centre.asset"), t("field.organization"), t("centre.used"),
      t("centre.hours_used"), t("centre.capacity"), t("centre.needs"), t("centre.score"), ""]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows));
}

/** For one idle asset: the needs it fitted and the teams that asked, and (from reverse matching) their topics. */
async function showIdle(item) {
  const a = assetOf(item);
  const section = document.getElementById("idle-section");
  const target = document.getElementById("idle");
  section.hidden = false;
  document.getElementById("idle-title").textContent = t("centre.who_title", { label: a.label });
  const teams = item.teams || [];
  const organizations = item.organizations || [];
  const needs = item.needs || [];
  target.replaceChildren(...[
    el("p", {}, t("centre.idle_summary", { used: percent(a.utilisation), n: needs.length })),
    el("h3", {}, t("centre.teams")),
    teams.length ? el("ul", { class: "chips" }, teams.map((team) => el("li", {}, team)))
      : el("p", { class: "hint" }, item.anonymous_needs ? t("centre.no_team_anonymous", { n: item.anonymous_needs })
        : t("centre.no_team")),
    organizations.length ? [el("h3", {}, t("centre.organizations")),
      el("ul", { class: "chips" }, organizations.map((o) => el("li", {}, o)))] : null,
    el("h3", {}, t("centre.needs_fitted")),
    needs.length ? el("ol", {}, needs.slice(0, 10).map((n) => el("li", {}, el("q", {}, n.text),
      el("span", { class: "hint" }, t("centre.need_fit", { fit: fitPercent(n.fit) }) +
        `${n.team ? `; ${n.team}` : ""}${n.asked_at ? `; ${n.asked_at.slice(0, 10)}` : ""}`))))
      : el("p", { class: "hint" }, t("centre.none_in_window")),
    el("h3", {}, t("centre.topics")), el("div", { id: "idle-topics" }, el("p", { class: "hint" }, t("common.loading"))),
  ].flat().filter(Boolean));
  section.scrollIntoView({ block: "nearest" });
  const topics = document.getElementById("idle-topics");
  const id = idOf(a.iri);
  if (!id) {
    topics.replaceChildren();
    return;
  }
  try {
    const fits = await api(`/resources/${id.split("/").map(encodeURIComponent).join("/")}/matches?k=20`);
    const counts = new Map();
    for (const n of fits.needs) for (const term of n.matched_terms) counts.set(term, (counts.get(term) || 0) + 1);
    const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 15);
    topics.replaceChildren(top.length ? el("ul", { class: "chips" }, top.map(([term, n]) => el("li", {}, `${term} (${n})`)))
      : el("p", { class: "hint" }, t("centre.no_topics")));
  } catch (e) {
    topics.replaceChildren(el("p", { class: "hint" }, t("centre.topics_unavailable", { reason: e.message })));
  }
}

function clusterCard(cluster, i) {
  const subjects = (cluster.subjects || []).map((x) => x.label).filter(Boolean);
  const teams = [...new Set((cluster.needs || []).map((n) => n.team).filter(Boolean))];
  const series = (cluster.per_month || []).map(([label, value]) => ({ label, value }));
  return el("article", { class: "card cluster" },
    el("h3", {}, cluster.label || t("centre.cluster", { n: i + 1 }),
      el("span", { class: "count" }, t("centre.cluster_size", { n: fmt(cluster.size) }))),
    subjects.length ? el("ul", { class: "chips", "aria-label": t("centre.subjects") }, subjects.map((x) => el("li", {}, x)))
      : null,
    teams.length ? el("p", { class: "hint" }, t("centre.asked_by", { teams: teams.join(", ") })) : null,
    (cluster.examples || []).length ? el("details", {}, el("summary", {}, t("centre.examples")),
      el("ol", {}, cluster.examples.map((text) => el("li", {}, el("q", {}, text))))) : null,
    series.length > 1 ? columnChart(series, { title: t("centre.per_month", { label: cluster.label }), height: 120,
      yLabel: t("centre.needs_axis") }) : null);
}

/** The words the glossary read character by character, most asked first: each with its needs and the first of them. */
function unknownWords(body) {
  const words = listOf(body, "words");
  const summary = el("p", { id: "unknown-summary" }, t("centre.unknown_summary",
    { unknown: fmt(body.unknown ?? 0), needs: fmt(body.in_chinese ?? 0) }));
  if (!words.length) return [summary];
  return [summary, el("table", { id: "unknown-table" },
    el("thead", {}, el("tr", {}, [t("centre.unknown_word"), t("centre.needs"), t("centre.unknown_example")]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, words.map((w) => el("tr", {},
      el("td", { lang: "zh-CN" }, w.word), el("td", { class: "num" }, fmt(w.needs)),
      el("td", {}, el("q", {}, w.example))))))];
}

/** Download links for the exports the API documents (CSV, PNG, SVG), read from its OpenAPI schema. */
async function showExports() {
  let schema;
  try {
    schema = await api("/openapi.json");
  } catch {
    return;
  }
  const links = [];
  for (const [path, operations] of Object.entries(schema.paths || {})) {
    if (![UTILISATION, UNDERUSED, UNMET, UNKNOWN].some((p) => path.startsWith(p))) continue;
    const format = (operations.get?.parameters || []).find((p) => p.name === "format");
    const values = format?.schema?.enum || format?.schema?.anyOf?.flatMap((s) => s.enum || []) || [];
    const slug = path.replace("/analytics/", "").replaceAll("/", "-");
    const name = hasMessage(`centre.export.${slug}`) ? t(`centre.export.${slug}`) : slug.replaceAll("-", " ");
    for (const v of values) {
      if (["csv", "png", "svg"].includes(v)) links.push([query(path, { format: v }), `${name} (${v.toUpperCase()})`]);
    }
  }
  if (!links.length) return;
  document.getElementById("exports").replaceChildren(...links.map(([href, label]) =>
    el("li", {}, el("a", { href, download: "", onclick: (event) => download(event, href) }, label))));
  document.getElementById("exports-section").hidden = false;
}

async function section(path, render, target, what) {
  try {
    render(await api(query(path)));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && /no such endpoint/.test(e.message)) {
      target.replaceChildren(el("p", { class: "hint" }, t("centre.not_available", { what: t(what) })));
      return;
    }
    target.replaceChildren();
    showError(message, e, what);
  }
}

async function load() {
  clearMessage(message);
  if (!apiKey()) {
    showInfo(message, "centre.need_key");
    return;
  }
  sessionStorage.setItem(API_KEY_STORE, apiKey());
  status.textContent = t("common.loading");
  const chart = document.getElementById("utilisation-chart");
  const table = document.getElementById("underused");
  const unmet = document.getElementById("unmet");
  const unknown = document.getElementById("unknown");
  document.getElementById("idle-section").hidden = true;
  await Promise.all([
    section(UTILISATION, (body) => {
      chart.replaceChildren(scatter(body.assets || []));
      document.getElementById("utilisation-window").textContent =
        t("centre.window", { since: (body.since || "").slice(0, 10), until: (body.until || "").slice(0, 10) }) +
        (body.undated_records ? t("centre.undated", { n: body.undated_records }) : t("common.period"));
    }, chart, "centre.utilisation"),
    section(UNDERUSED, (body) => table.replaceChildren(underusedTable(listOf(body))), table, "centre.underused_report"),
    section(UNMET, (body) => {
      const clusters = listOf(body, "clusters");
      const months = body.per_month || [];
      unmet.replaceChildren(
        el("p", { id: "unmet-summary" }, t("centre.unmet_summary",
          { unmet: fmt(body.unmet ?? 0), considered: fmt(body.considered ?? 0) }) +
          (body.by_threshold
            ? t("centre.unmet_by_threshold", { n: fmt(body.by_threshold), threshold: fmt(body.threshold, 2) }) : "")),
        months.length > 1 ? columnChart(months.map(([label, value]) => ({ label, value })),
          { title: t("centre.unmet_per_month"), height: 160, yLabel: t("centre.needs_axis") }) : "",
        ...(clusters.length ? clusters.map(clusterCard)
          : [el("p", { class: "hint" }, t("centre.no_unmet"))]));
    }, unmet, "centre.unmet_report"),
    section(UNKNOWN, (body) => unknown.replaceChildren(...unknownWords(body)), unknown, "centre.unknown_report"),
    showExports(),
  ]);
  status.textContent = "";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

load();
