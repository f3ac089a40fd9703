// The explorer: graph statistics from GET /analytics/graph drawn as SVG charts, and a SPARQL box.
import {
  api, barChart, clearMessage, columnChart, el, fmt, guardPage, problemError, resourceLink, showError,
} from "./common.js";
import { t, typeName } from "./i18n.js";
import { startPage } from "./shell.js";

const BASE = "https://w3id.org/sharekg/id/";
const message = document.getElementById("message");
const status = document.getElementById("status");
/** The answers on show, to draw again in the other language. */
let shownStats = null;
let shownSparql = null;
startPage("explorer", () => {
  if (shownStats) show(shownStats);
  if (shownSparql) showSparql(...shownSparql);
});
guardPage(message);

const idOf = (iri) => (iri && iri.startsWith(BASE) ? iri.slice(BASE.length) : null);
const hrefOf = (iri) => (idOf(iri) ? `resource.html?id=${encodeURIComponent(idOf(iri))}` : undefined);

function totals(stats) {
  const c = stats.components;
  const items = [
    ["explorer.nodes", stats.nodes], ["explorer.edges", stats.edges], ["explorer.types", Object.keys(stats.types).length],
    ["explorer.sources", Object.keys(stats.sources).length], ["explorer.communities", stats.communities.count],
    ["explorer.modularity", stats.communities.modularity], ["explorer.components", c.count],
    ["explorer.largest_share", `${Math.round((c.largest_share || 0) * 100)}%`],
  ];
  document.getElementById("totals").replaceChildren(el("dl", { class: "props" },
    items.map(([name, value]) => [el("dt", {}, t(name)),
      el("dd", { class: "num" }, typeof value === "number" ? fmt(value, 3) : value)])));
}

/** "3 Instrument, 2 Dataset" in the reader's language, from {type: count}. */
const perType = (types) => Object.entries(types).map(([type, n]) => t("common.count_type", { n, type: typeName(type) }))
  .join(", ");

function show(stats) {
  shownStats = stats;
  totals(stats);
  document.getElementById("types-chart").replaceChildren(barChart(
    Object.entries(stats.types).map(([type, value]) => ({ label: typeName(type), value })),
    { title: t("explorer.types_title") }));

  const d = stats.degrees;
  document.getElementById("degrees-hint").textContent =
    t("explorer.degrees_hint", { mean: fmt(d.mean, 2), median: fmt(d.median, 1), max: fmt(d.max) });
  document.getElementById("degrees-chart").replaceChildren(columnChart(
    d.bins.map((b) => ({ label: b.low === b.high ? `${b.low}` : `${b.low}–${b.high}`, value: b.nodes })),
    { title: t("explorer.degrees_chart"), xLabel: t("explorer.degree_axis"), yLabel: t("explorer.nodes") }));

  const top = stats.communities.top;
  document.getElementById("communities-hint").textContent = t("explorer.communities_hint", {
    count: fmt(stats.communities.count), method: stats.communities.method || "Louvain",
    singletons: fmt(stats.communities.singletons ?? 0),
  });
  document.getElementById("communities-chart").replaceChildren(barChart(
    top.map((c) => ({ label: c.label || t("explorer.community", { rank: c.rank }), value: c.size,
      href: hrefOf(c.central?.iri), title: perType(c.types) })),
    { title: t("explorer.community_sizes"), labelWidth: 190 }));

  document.getElementById("central").replaceChildren(...stats.central.map((n) => el("li", {},
    resourceLink(idOf(n.iri), n.label || n.iri),
    el("span", { class: "hint" }, t("explorer.central_item",
      { type: typeName(n.type), degree: fmt(n.degree), pagerank: fmt(n.pagerank, 4) })))));

  document.getElementById("predicates-chart").replaceChildren(barChart(
    Object.entries(stats.edge_predicates).slice(0, 15).map(([label, value]) => ({ label, value })),
    { title: t("explorer.edges_chart") }));

  const perSource = Object.entries(stats.sources)
    .map(([label, types]) => ({ label, value: Object.values(types).reduce((a, b) => a + b, 0), title: perType(types) }))
    .sort((a, b) => b.value - a.value);
  document.getElementById("sources-chart").replaceChildren(barChart(perSource, { title: t("explorer.sources_title") }));
  document.getElementById("stats").hidden = false;
}

async function main() {
  status.textContent = t("explorer.computing");
  try {
    show(await api("/analytics/graph"));
    status.textContent = "";
  } catch (e) {
    status.textContent = "";
    showError(message, e, "explorer.statistics");
  }
}

// ------------------------------------------------------------------ SPARQL

const sparqlForm = document.getElementById("sparql-form");
const sparqlMessage = document.getElementById("sparql-message");
const sparqlStatus = document.getElementById("sparql-status");
const sparqlResults = document.getElementById("sparql-results");

function cell(binding) {
  if (!binding) return "";
  if (binding.type === "uri") return idOf(binding.value) ? resourceLink(idOf(binding.value), binding.value) : binding.value;
  return binding.value;
}

function showSparql(answer, truncated) {
  shownSparql = [answer, truncated];
  if (typeof answer.boolean === "boolean") {
    sparqlResults.replaceChildren(el("p", {}, t("explorer.answer", { answer: t(answer.boolean ? "explorer.yes" : "explorer.no") })));
    sparqlStatus.textContent = "";
    return;
  }
  const vars = answer.head.vars;
  const rows = answer.results.bindings;
  sparqlResults.replaceChildren(el("table", { id: "sparql-table" },
    el("thead", {}, el("tr", {}, vars.map((v) => el("th", { scope: "col" }, v)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, vars.map((v) => el("td", {}, cell(row[v]))))))));
  sparqlStatus.textContent = t("explorer.rows", { n: rows.length }) + (truncated ? t("explorer.capped") : "");
}

sparqlForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearMessage(sparqlMessage);
  sparqlStatus.textContent = t("explorer.running");
  const query = document.getElementById("query").value;
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: query,
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw problemError(response, body);
    if (!body || !(body.head || typeof body.boolean === "boolean")) throw new Error("explorer.not_a_table");
    showSparql(body, response.headers.get("SPARQL-Results-Truncated") === "true");
  } catch (e) {
    shownSparql = null;
    sparqlStatus.textContent = "";
    sparqlResults.replaceChildren();
    showError(sparqlMessage, e);
  }
});

main();
