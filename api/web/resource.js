// A resource page: its details and access, its graph neighbourhood drawn as SVG, the needs it fits, its impact.
import {
  ApiError, api, centreKey, clearMessage, el, fmt, guardPage, pathChain, resourceHref, resourceLink, resourcePath,
  showError, svg, typeBadge,
} from "./common.js";
import { t, typeName } from "./i18n.js";
import { startPage } from "./shell.js";

const message = document.getElementById("message");
const status = document.getElementById("status");
startPage("resource", () => main()); // in the other language: asked again (the API answers in the reader's)
guardPage(message);

const TYPE_COLOURS = {
  Instrument: "#1f5fa8", Facility: "#7a4bb0", Dataset: "#1b7a3d", Expert: "#b3541e", Organization: "#4a5a6a",
  Subject: "#b08a00", Grant: "#8a3b5c", Person: "#b3541e",
};
const colour = (type) => TYPE_COLOURS[type] || "#6b7785";

function term(value) {
  if (value.iri) {
    if (value.id) return resourceLink(value.id, value.label || value.id);
    return el("a", { href: value.value, rel: "noopener" }, value.label || value.value);
  }
  const text = el("span", {}, value.value);
  if (value.lang) text.setAttribute("lang", value.lang);
  return text;
}

function propertyList(target, properties) {
  target.replaceChildren();
  for (const p of properties) {
    target.append(el("dt", { title: p.predicate }, p.label));
    target.append(el("dd", {}, p.values.length === 1 ? term(p.values[0]) : el("ul", {}, p.values.map((v) => el("li", {}, term(v))))));
  }
}

const joined = (values) => values.flatMap((v, i) => (i ? [", ", term(v)] : [term(v)]));

function accessSection(access) {
  if (!access) return;
  const rows = [
    ["resource.access_terms", access.terms || t("resource.access_unstated")],
    ["field.organization", access.organization],
    ["resource.where", access.place],
    ["resource.facility", access.facility.length ? joined(access.facility) : null],
    ["resource.contact", access.contacts.length ? joined(access.contacts) : null],
    ["resource.email", access.contact_email ? el("a", { href: `mailto:${access.contact_email}` }, access.contact_email) : null],
    ["resource.homepage", access.homepage ? el("a", { href: access.homepage, rel: "noopener" }, access.homepage) : null],
  ];
  const list = document.getElementById("access");
  list.replaceChildren();
  for (const [name, value] of rows) {
    if (!value || (Array.isArray(value) && !value.length)) continue;
    list.append(el("dt", {}, t(name)), el("dd", {}, value));
  }
  document.getElementById("access-section").hidden = false;
}

/** The neighbourhood as a radial drawing: the resource in the middle, its neighbours on one or two rings. */
function drawNeighbourhood(data) {
  const box = document.getElementById("graph");
  const hint = document.getElementById("graph-hint");
  const neighbours = data.nodes.filter((n) => n.iri !== data.center);
  const center = data.nodes.find((n) => n.iri === data.center) || data.nodes[0];
  hint.textContent = t("resource.graph_hint", { n: neighbours.length, more: data.truncated ? t("resource.truncated") : "" });
  // An ellipse fills a wide box better than a circle; two rings when there are many neighbours.
  const width = 760, height = 480, cx = width / 2, cy = height / 2;
  const rings = neighbours.length > 14 ? [[190, 120], [310, 200]] : [[280, 180]];
  const position = new Map([[center.iri, [cx, cy]]]);
  neighbours.forEach((n, i) => {
    const [rx, ry] = rings.length === 2 && i % 2 ? rings[1] : rings[0];
    const angle = (2 * Math.PI * i) / Math.max(neighbours.length, 1) - Math.PI / 2;
    position.set(n.iri, [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)]);
  });
  const drawing = svg("svg", {
    class: "neighbourhood", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": t("resource.drawing_label", { label: center.label, n: neighbours.length }),
  });
  const edges = svg("g", { class: "edges" });
  for (const e of data.edges) {
    const a = position.get(e.source), b = position.get(e.target);
    if (!a || !b) continue;
    const line = svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1] });
    line.append(svg("title", {}, e.label || e.predicate));
    edges.append(line);
    edges.append(svg("text", { class: "edge-label", x: (a[0] * 0.4 + b[0] * 0.6).toFixed(1),
      y: (a[1] * 0.4 + b[1] * 0.6).toFixed(1), "text-anchor": "middle" }, e.label || ""));
  }
  drawing.append(edges);
  const nodes = svg("g", { class: "nodes" });
  for (const n of [center, ...neighbours]) {
    const [x, y] = position.get(n.iri);
    const isCenter = n.iri === center.iri;
    const label = n.label || n.id || n.iri;
    const short = label.length > 24 ? label.slice(0, 23) + "…" : label;
    const group = svg("g", { class: `node${isCenter ? " center" : ""}`, dataset: { iri: n.iri } },
      svg("title", {}, `${typeName(n.type)}: ${label}`),
      svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: isCenter ? 14 : 9, fill: colour(n.type) }),
      svg("text", { x: x.toFixed(1), y: (y + (isCenter ? 28 : 21)).toFixed(1), "text-anchor": "middle" }, short));
    nodes.append(n.id && !isCenter ? svg("a", { href: resourceHref(n.id) }, group) : group);
  }
  drawing.append(nodes);
  box.replaceChildren(drawing);
  const types = [...new Set(data.nodes.map((n) => n.type))];
  document.getElementById("graph-legend").replaceChildren(
    ...types.map((type) => el("span", { style: `--swatch: ${colour(type)}` }, typeName(type))));
}

function showMatches(body) {
  const target = document.getElementById("matches");
  if (!body.needs.length) {
    target.replaceChildren(el("p", { class: "hint" }, t("resource.no_needs")));
  } else {
    target.replaceChildren(el("ol", {}, body.needs.map((n) => el("li", {},
      el("q", {}, n.text), el("span", { class: "hint" }, ` ${t("common.similarity", { value: fmt(n.similarity, 2) })}`),
      el("span", { class: "hint" }, t("resource.standout", { value: `${n.standout >= 0 ? "+" : ""}${fmt(n.standout, 2)}` })),
      n.matched_terms.length ? el("span", { class: "hint" }, t("resource.shares", { terms: n.matched_terms.join(", ") }))
        : null))));
  }
  document.getElementById("matches-section").hidden = false;
}

const BASE = "https://w3id.org/sharekg/id/";
const idOf = (iri) => (iri && iri.startsWith(BASE) ? iri.slice(BASE.length) : null);

/** What it helped produce (GET /resources/{id}/impact): each output with its kind, year and evidence paths. */
function showImpact(body) {
  const outputs = body.outputs || [];
  const target = document.getElementById("impact");
  if (!outputs.length) {
    target.replaceChildren(el("p", { class: "hint" }, t("resource.no_impact")));
  } else {
    const counts = (body.per_type || []).map(([type, n]) => t("common.count_type", { n, type: typeName(type) }))
      .join(", ");
    target.replaceChildren(
      counts ? el("p", {}, counts) : "",
      el("ul", { class: "impact" }, outputs.map((o) => el("li", {},
        resourceLink(idOf(o.iri), o.label || o.iri),
        el("span", { class: "hint" }, ` ${typeName(o.type)}${o.year ? `, ${o.year}` : ""}`),
        (o.evidence || []).map((e) => el("div", {}, el("span", { class: "hint" }, `${e.kind}: `),
          pathChain((e.path || []).map((step) => ({ ...step, id: step.id || idOf(step.iri) })))))))));
  }
  document.getElementById("impact-section").hidden = false;
}

/**
 * An optional section: a 404 (no such endpoint or nothing for this resource) hides it, and so do 401 and 403 (it
 * holds students' needs: only a centre's key, entered on the centre page and kept for the tab, may read them);
 * other errors show.
 */
async function optional(path, show, what, { withKey = false } = {}) {
  const key = withKey ? centreKey() : "";
  try {
    show(await api(path, key ? { headers: { "X-API-Key": key } } : {}));
  } catch (e) {
    if (e instanceof ApiError && [401, 403, 404].includes(e.status)) return;
    showError(message, e, what);
  }
}

async function main() {
  clearMessage(message);
  status.textContent = t("common.loading");
  const id = new URLSearchParams(location.search).get("id");
  if (!id) {
    status.textContent = "";
    showError(message, "resource.no_id");
    return;
  }
  let resource;
  try {
    resource = await api(resourcePath(id));
  } catch (e) {
    status.textContent = "";
    showError(message, e);
    return;
  }
  document.title = `${resource.label} · sharekg`;
  document.getElementById("label").textContent = resource.label;
  document.getElementById("type-badge").replaceChildren(typeBadge(resource.type));
  document.getElementById("iri").textContent = resource.iri;
  document.getElementById("description").textContent = resource.description;
  document.getElementById("links").replaceChildren(
    el("a", { href: resource.links.jsonld, type: "application/ld+json" }, "JSON-LD"),
    el("a", { href: resource.links.turtle, type: "text/turtle" }, "Turtle"),
    el("a", { href: resource.links.self, type: "application/json" }, "JSON"));
  accessSection(resource.access);
  propertyList(document.getElementById("properties"), resource.properties);
  if (resource.incoming.length) {
    propertyList(document.getElementById("incoming"), resource.incoming);
    document.getElementById("incoming-section").hidden = false;
  }
  document.getElementById("resource").hidden = false;
  status.textContent = "";
  await Promise.all([
    api(`${resourcePath(id)}/neighbourhood`).then(drawNeighbourhood).catch((e) => {
      document.getElementById("graph-hint").textContent = t("resource.no_drawing");
      showError(message, e, "resource.neighbourhood");
    }),
    optional(`${resourcePath(id)}/matches`, showMatches, "resource.matches_title", { withKey: true }),
    optional(`${resourcePath(id)}/impact`, showImpact, "resource.impact"),
  ]);
}

main();
