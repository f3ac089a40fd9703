// The students' page: type a need, see matches per type with why each fits, or bundles joined in the graph.
import {
  api, clearMessage, el, fmt, guardPage, highlight, pathChain, resourceLink, showError, typeBadge,
} from "./common.js";

const TYPE_ORDER = ["Instrument", "Facility", "Dataset", "Expert"];
const TYPE_TITLES = { Instrument: "Instruments", Facility: "Facilities", Dataset: "Datasets", Expert: "Experts" };

const form = document.getElementById("need-form");
const message = document.getElementById("message");
const status = document.getElementById("status");
const results = document.getElementById("results");
const bundles = document.getElementById("bundles");
const buttons = [document.getElementById("match-button"), document.getElementById("bundle-button")];
guardPage(message);

/** The request body the form describes; empty filters are left out (the API treats them as "any"). */
function requestBody() {
  const data = new FormData(form);
  const filters = {};
  for (const name of ["organization", "country", "region", "city", "access"]) {
    const value = String(data.get(name) || "").trim();
    if (value) filters[name] = value;
  }
  const body = { text: String(data.get("need") || ""), filters };
  const types = data.getAll("type");
  if (types.length) body.types = types;
  const k = Number(data.get("k"));
  if (String(data.get("k") || "").trim() !== "") body.k = k;
  return body;
}

async function run(what, work) {
  clearMessage(message);
  buttons.forEach((b) => (b.disabled = true));
  status.textContent = `${what}…`;
  try {
    await work();
  } catch (e) {
    status.textContent = "";
    showError(message, e);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function explanation(result) {
  const e = result.explanation || {};
  const terms = e.matched_terms || [];
  const box = el("div", { class: "explanation" });
  box.append(el("p", { class: "summary" }, el("strong", {}, "Why: "), highlight(e.summary || "", terms)));
  if (terms.length) {
    box.append(el("div", {}, el("span", { class: "hint" }, "Shared terms: "),
      el("ul", { class: "chips matched-terms", "aria-label": "shared terms" }, terms.map((t) => el("li", {}, el("mark", {}, t))))));
  }
  const subjects = e.shared_subjects || [];
  if (subjects.length) {
    box.append(el("div", {}, el("span", { class: "hint" }, "Shared subjects: "),
      el("ul", { class: "chips shared-subjects", "aria-label": "shared subjects" },
        subjects.map((s) => el("li", { title: s.scheme || s.iri || "" }, s.label || s.iri)))));
  }
  const sentences = e.matched_sentences || [];
  if (sentences.length > 1) {
    box.append(el("details", {}, el("summary", {}, "Closest sentences of your need"),
      el("ol", { class: "sentences" }, sentences.map(([text, cosine]) =>
        el("li", {}, highlight(text, terms), el("span", { class: "hint" }, ` (similarity ${fmt(cosine, 2)})`))))));
  }
  if ((e.path || []).length) box.append(pathChain(e.path));
  return box;
}

function resultCard(result) {
  const meta = el("div", { class: "meta" },
    el("span", {}, "score ", el("span", { class: "score" }, fmt(result.score, 3))),
    result.organization ? el("span", { class: "where" }, result.organization) : null,
    result.place ? el("span", { class: "place" }, result.place) : null,
    result.homepage ? el("a", { href: result.homepage, rel: "noopener" }, "homepage") : null);
  return el("article", { class: "card result", dataset: { id: result.id } },
    el("h3", {}, resourceLink(result.id, result.label), " ", typeBadge(result.type)),
    meta,
    result.access ? el("p", { class: "access" }, el("strong", {}, "Access: "), result.access) : null,
    explanation(result));
}

function showMatches(body) {
  results.replaceChildren();
  let total = 0;
  const types = Object.keys(body.results).sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  for (const type of types) {
    const list = body.results[type];
    total += list.length;
    const heading = el("h2", {}, TYPE_TITLES[type] || type, el("span", { class: "count" }, `${list.length}`));
    const group = el("section", { class: "type-group", dataset: { type }, "aria-label": TYPE_TITLES[type] || type }, heading);
    if (!list.length) group.append(el("p", { class: "hint" }, "Nothing of this type fits with these filters."));
    list.forEach((r) => group.append(resultCard(r)));
    results.append(group);
  }
  const subjects = (body.need_subjects || []).map((s) => s.label).filter(Boolean);
  status.textContent = `${total} matches` + (subjects.length ? `; your need is about ${subjects.slice(0, 4).join("; ")}` : "");
}

function bundleCard(bundle, rank) {
  const members = el("ol", {}, bundle.members.map((m) => el("li", { class: "member" },
    el("strong", {}, `${m.role}: `), resourceLink(m.id, m.label),
    el("span", { class: "how" }, ` (${m.relation || "fits the need"}; similarity ${fmt(m.similarity, 2)})`))));
  return el("article", { class: "card bundle" },
    el("h3", {}, `Bundle ${rank}`, el("span", { class: "count" }, ` score ${fmt(bundle.score, 3)}`)),
    members,
    (bundle.path || []).length ? el("div", {}, el("span", { class: "hint" }, "How they are joined:"), pathChain(bundle.path)) : null);
}

function showBundles(body) {
  bundles.hidden = false;
  bundles.replaceChildren(el("h2", {}, "Bundles"));
  if (!body.bundles.length) bundles.append(el("p", { class: "hint" }, "No instrument with its people and data fits this need."));
  body.bundles.forEach((b, i) => bundles.append(bundleCard(b, i + 1)));
  status.textContent = `${body.bundles.length} bundles`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run("Matching", async () => {
    bundles.hidden = true;
    showMatches(await api("/match", { method: "POST", json: requestBody() }));
  });
});

document.getElementById("bundle-button").addEventListener("click", () => {
  run("Building bundles", async () => {
    const { types, ...body } = requestBody();
    if (body.k !== undefined) body.k = Math.min(body.k, 20);
    showBundles(await api("/match/bundle", { method: "POST", json: body }));
  });
});
