// The explorer: graph statistics from GET /analytics/graph drawn as SVG charts, and a SPARQL box.
import {
  api, barChart, clearMessage, columnChart, el, fmt, guardPage, resourceLink, showError,
} from "./common.js";

const BASE = "https://w3id.org/sharekg/id/";
const message = document.getElementById("message");
const status = document.getElementById("status");
guardPage(message);

const idOf = (iri) => (iri && iri.startsWith(BASE) ? iri.slice(BASE.length) : null);
const hrefOf = (iri) => (idOf(iri) ? `resource.html?id=${encodeURIComponent(idOf(iri))}` : undefined);

function totals(stats) {
  const c = stats.components;
  const items = [
    ["nodes", stats.nodes], ["edges", stats.edges], ["types", Object.keys(stats.types).length],
    ["sources", Object.keys(stats.sources).length], ["communities", stats.communities.count],
    ["modularity", stats.communities.modularity], ["components", c.count],
    ["in the largest component", `${Math.round((c.largest_share || 0) * 100)}%`],
  ];
  document.getElementById("totals").replaceChildren(el("dl", { class: "props" },
    items.map(([name, value]) => [el("dt", {}, name), el("dd", { class: "num" }, typeof value === "number" ? fmt(value, 3) : value)])));
}

function show(stats) {
  totals(stats);
  document.getElementById("types-chart").replaceChildren(barChart(
    Object.entries(stats.types).map(([label, value]) => ({ label, value })), { title: "Nodes per type" }));

  const d = stats.degrees;
  document.getElementById("degrees-hint").textContent =
    `Links per node: mean ${fmt(d.mean, 2)}, median ${fmt(d.median, 1)}, most ${fmt(d.max)}.`;
  document.getElementById("degrees-chart").replaceChildren(columnChart(
    d.bins.map((b) => ({ label: b.low === b.high ? `${b.low}` : `${b.low}–${b.high}`, value: b.nodes })),
    { title: "Nodes per degree", xLabel: "degree (links per node)", yLabel: "nodes" }));

  const top = stats.communities.top;
  document.getElementById("communities-hint").textContent =
    `${fmt(stats.communities.count)} communities (${stats.communities.method || "Louvain"}), ` +
    `${fmt(stats.communities.singletons ?? 0)} of one node; labelled by their topics.`;
  document.getElementById("communities-chart").replaceChildren(barChart(
    top.map((c) => ({ label: c.label || `community ${c.rank}`, value: c.size, href: hrefOf(c.central?.iri),
      title: `${Object.entries(c.types).map(([t, n]) => `${n} ${t}`).join(", ")}` })),
    { title: "Community sizes", labelWidth: 190 }));

  document.getElementById("central").replaceChildren(...stats.central.map((n) => el("li", {},
    resourceLink(idOf(n.iri), n.label || n.iri),
    el("span", { class: "hint" }, ` ${n.type}; ${fmt(n.degree)} links; PageRank ${fmt(n.pagerank, 4)}`))));

  document.getElementById("predicates-chart").replaceChildren(barChart(
    Object.entries(stats.edge_predicates).slice(0, 15).map(([label, value]) => ({ label, value })),
    { title: "Edges per property" }));

  const perSource = Object.entries(stats.sources)
    .map(([label, types]) => ({ label, value: Object.values(types).reduce((a, b) => a + b, 0),
      title: Object.entries(types).map(([t, n]) => `${n} ${t}`).join(", ") }))
    .sort((a, b) => b.value - a.value);
  document.getElementById("sources-chart").replaceChildren(barChart(perSource, { title: "Nodes per source" }));
  document.getElementById("stats").hidden = false;
}

async function main() {
  try {
    show(await api("/analytics/graph"));
    status.textContent = "";
  } catch (e) {
    status.textContent = "";
    showError(message, e, "Graph statistics");
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
  if (typeof answer.boolean === "boolean") {
    sparqlResults.replaceChildren(el("p", {}, `Answer: ${answer.boolean ? "yes" : "no"}`));
    sparqlStatus.textContent = "";
    return;
  }
  const vars = answer.head.vars;
  const rows = answer.results.bindings;
  sparqlResults.replaceChildren(el("table", { id: "sparql-table" },
    el("thead", {}, el("tr", {}, vars.map((v) => el("th", { scope: "col" }, v)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, vars.map((v) => el("td", {}, cell(row[v]))))))));
  sparqlStatus.textContent = `${rows.length} rows${truncated ? " (capped: the answer had more)" : ""}`;
}

sparqlForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearMessage(sparqlMessage);
  sparqlStatus.textContent = "Running…";
  const query = document.getElementById("query").value;
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: query,
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error((body && body.detail) || `the query failed (${response.status})`);
    }
    if (!body || !(body.head || typeof body.boolean === "boolean")) {
      throw new Error("this page shows SELECT and ASK results; run CONSTRUCT or DESCRIBE at /sparql directly");
    }
    showSparql(body, response.headers.get("SPARQL-Results-Truncated") === "true");
  } catch (e) {
    sparqlStatus.textContent = "";
    sparqlResults.replaceChildren();
    showError(sparqlMessage, e);
  }
});

main();
