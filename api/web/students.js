// The students' page: type a need (English, Chinese or both), see matches per type with why each fits and the
// words that matched marked in the need and in the results, or bundles joined in the graph.
import {
  ApiError, api, clearMessage, el, fitPercent, fmt, guardPage, highlight, pathChain, resourceLink, showError, stepLabel,
  typeBadge,
} from "./common.js";
import { hasMessage, language, relationName, t, typeName } from "./i18n.js";
import { startPage } from "./shell.js";

const TYPE_ORDER = ["Instrument", "Facility", "Dataset", "Expert"];

const form = document.getElementById("need-form");
const message = document.getElementById("message");
const status = document.getElementById("status");
const results = document.getElementById("results");
const bundles = document.getElementById("bundles");
const echo = document.getElementById("need-echo");
const MAX_BUNDLES = 20; // the most bundles /match/bundle returns (its k)
const buttons = [document.getElementById("match-button"), document.getElementById("bundle-button")];
/** The answer on show (matches or bundles, one at a time), to draw again in the other language. */
let shown = null;
startPage("students", () => {
  if (shown?.bundles) showBundles(shown.body, shown.capped);
  else if (shown) showMatches(shown.body);
});
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

async function run(statusId, work) {
  clearMessage(message);
  buttons.forEach((b) => (b.disabled = true));
  status.textContent = t(statusId);
  try {
    await work();
  } catch (e) {
    status.textContent = "";
    // An empty need is the one mistake the page can name itself; the API's detail still says which field.
    const needMissing = e instanceof ApiError && e.kind === "invalid-request" && e.fields.includes("text");
    showError(message, e, "", { leadId: needMissing ? "problem.need_missing" : undefined });
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

/** A result's glossary: the Chinese words of the need and the English terms they were read as (may be absent). */
const glossaryOf = (result) => (Array.isArray(result.explanation?.glossary) ? result.explanation.glossary : []);

/** The words to mark for a result: its matched terms, and the Chinese words glossed into them. */
function markedTerms(result) {
  return [...(result.explanation?.matched_terms || []), ...glossaryOf(result).map((g) => g.source)];
}

/** "中文 → English: 核磁共振 → nuclear magnetic resonance, NMR; …" for the entries given. */
function glossaryLine(entries, attrs = {}) {
  const bySource = new Map();
  for (const { source, terms } of entries) {
    if (!source) continue;
    const known = bySource.get(source) || [];
    bySource.set(source, [...new Set([...known, ...(terms || [])])]);
  }
  if (!bySource.size) return null;
  const separator = language() === "zh" ? "；" : "; ";
  const items = [...bySource].flatMap(([source, terms], i) => [
    i ? separator : "",
    el("span", { class: "gloss" }, el("mark", { lang: "zh-CN" }, source), " → ", el("span", { lang: "en" }, terms.join(", "))),
  ]);
  return el("p", { class: "glossary hint", ...attrs }, el("span", {}, `${t("students.glossary")}${language() === "zh" ? "：" : ": "}`), items);
}

/** A reason besides shared terms and subjects (``explanation.reasons``) in the reader's language. */
function reasonText(reason, type) {
  const key = `why.${reason.kind}`;
  if (!hasMessage(key)) return reason.text;
  const names = reason.names || [];
  return t(key, {
    relation: relationName(reason.relation),
    label: reason.label,
    count: reason.count,
    nearest: reason.nearest,
    type: typeName(type).toLowerCase(),
    names: names.join(t("why.list")) + (reason.count > names.length ? t("why.more") : ""),
  });
}

/** Why a result matched, in one line in the reader's language, from the explanation's parts (in English the API's
 * own summary); the summary as sent where the API gives no parts. */
function whyLine(result) {
  const e = result.explanation || {};
  if (!Array.isArray(e.reasons)) return e.summary || "";
  const parts = [];
  const sentences = e.matched_sentences || [];
  if (sentences.length > 1) parts.push(t("why.closest", { sentence: [...sentences[0][0]].slice(0, 90).join("") }));
  const terms = e.matched_terms || [];
  if (terms.length) parts.push(t("why.terms", { terms: terms.slice(0, 6).join(t("why.list")) }));
  const subjects = e.shared_subjects || [];
  if (subjects.length) {
    parts.push(t("why.subjects", { subjects: subjects.slice(0, 3).map((s) => s.label).join(t("why.separator")) }));
  }
  e.reasons.forEach((reason) => parts.push(reasonText(reason, result.type)));
  const works = e.works || [];
  if (works.length) {
    const listed = works.map(([title, year]) => (year ? `${title} (${year})` : title));
    parts.push(t("why.works", { works: listed.join(t("why.separator")) }));
  }
  const path = e.path || [];
  if (path.length > 2) {
    parts.push(path.map(stepLabel).join(" → "));
  }
  const cosine = (e.signals || {}).cosine;
  if (!parts.length && typeof cosine === "number") parts.push(t("why.meaning", { value: cosine.toFixed(2) }));
  return parts.join(t("why.separator"));
}

function explanation(result) {
  const e = result.explanation || {};
  const terms = e.matched_terms || [];
  const marked = markedTerms(result);
  const box = el("div", { class: "explanation" });
  box.append(el("p", { class: "summary" }, el("strong", {}, t("students.why")), highlight(whyLine(result), marked)));
  if (terms.length) {
    box.append(el("div", {}, el("span", { class: "hint" }, t("students.shared_terms")),
      el("ul", { class: "chips matched-terms", "aria-label": t("students.shared_terms_label") },
        terms.map((term) => el("li", {}, el("mark", {}, term))))));
  }
  const glossary = glossaryLine(glossaryOf(result));
  if (glossary) box.append(glossary);
  const subjects = e.shared_subjects || [];
  if (subjects.length) {
    box.append(el("div", {}, el("span", { class: "hint" }, t("students.shared_subjects")),
      el("ul", { class: "chips shared-subjects", "aria-label": t("students.shared_subjects_label") },
        subjects.map((s) => el("li", { title: s.scheme || s.iri || "" }, s.label || s.iri)))));
  }
  const sentences = e.matched_sentences || [];
  if (sentences.length > 1) {
    box.append(el("details", {}, el("summary", {}, t("students.sentences")),
      el("ol", { class: "sentences" }, sentences.map(([text, cosine]) => el("li", {}, highlight(text, marked),
        el("span", { class: "hint" }, ` (${t("common.similarity", { value: fmt(cosine, 2) })})`))))));
  }
  if ((e.path || []).length) box.append(pathChain(e.path));
  return box;
}

/** How well it fits: the calibrated fit as a percentage with its band (nothing where the API gives no fit). */
function fitOf(result) {
  if (typeof result.fit === "number") {
    const band = result.band ? el("span", { class: `band ${result.band}` },
      hasMessage(`band.${result.band}`) ? t(`band.${result.band}`) : result.band) : null;
    return el("span", { class: "fit", title: t("students.fit_help") }, `${t("students.fit")} `,
      el("span", { class: "score" }, fitPercent(result.fit)), band ? " " : null, band);
  }
  return null; // every result the API sends has a fit; an ordering key alone says nothing a person can read
}

function resultCard(result) {
  const meta = el("div", { class: "meta" },
    fitOf(result),
    result.organization ? el("span", { class: "where" }, result.organization) : null,
    result.place ? el("span", { class: "place" }, result.place) : null,
    result.homepage ? el("a", { href: result.homepage, rel: "noopener" }, t("students.homepage")) : null);
  const dataset = result.band ? { id: result.id, band: result.band } : { id: result.id };
  return el("article", { class: "card result", dataset },
    el("h3", {}, resourceLink(result.id, highlight(result.label || result.id, markedTerms(result))), " ",
      typeBadge(result.type)),
    meta,
    result.access ? el("p", { class: "access" }, el("strong", {}, t("students.access_terms")), result.access) : null,
    explanation(result));
}

/** A type's note that nothing fits the need well (``notes[type]``), when the API sends one. */
function typeNote(body, type) {
  const note = body.notes?.[type];
  if (!note) return null;
  const text = language() === "en" && typeof note === "string" ? note : t("students.weak_type");
  return el("p", { class: "hint weak-note" }, text);
}

/** The need as asked, with every word that matched (English terms, Chinese words) marked, the glossary, and the
 * Chinese words the glossary lacked (read character by character), so that the team can add the English term. */
function showNeed(body, all) {
  const glossary = all.flatMap(glossaryOf);
  document.getElementById("need-text").replaceChildren(highlight(body.need || "", all.flatMap(markedTerms)));
  const line = glossaryLine(glossary, { id: "need-glossary" });
  document.getElementById("need-glossary").replaceWith(line || el("p", { id: "need-glossary", hidden: true }));
  const unknown = Array.isArray(body.unknown_words) ? body.unknown_words : [];
  const hint = document.getElementById("need-unknown");
  hint.textContent = unknown.length ? t("students.unknown_words", { words: unknown.join("、") }) : "";
  hint.hidden = !unknown.length;
  echo.hidden = !body.need;
}

function showMatches(body) {
  shown = { body };
  bundles.hidden = true;
  results.replaceChildren();
  const types = Object.keys(body.results).sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  const all = types.flatMap((type) => body.results[type]);
  showNeed(body, all);
  for (const type of types) {
    const list = body.results[type];
    const title = typeName(type, { plural: true });
    const heading = el("h2", {}, title, " ", el("span", { class: "count", "aria-label": t("students.results_count", { n: list.length }) }, `${list.length}`));
    const group = el("section", { class: "type-group", dataset: { type }, "aria-label": title }, heading);
    const note = typeNote(body, type);
    if (note) group.append(note);
    if (!list.length) group.append(el("p", { class: "hint" }, t("students.none_of_type")));
    list.forEach((r) => group.append(resultCard(r)));
    results.append(group);
  }
  const subjects = (body.need_subjects || []).map((s) => s.label).filter(Boolean);
  // results of a type noted as having nothing that fits well are the closest few, not matches
  const matched = types.filter((type) => !body.notes?.[type]).reduce((n, type) => n + body.results[type].length, 0);
  status.textContent = (matched ? t("students.status_matches", { n: matched }) : t("students.status_none_fits")) +
    (subjects.length ? t("students.status_about", { subjects: subjects.slice(0, 4).join("; ") }) : "");
}

/** A bundle's member: its fit and band where it matched the need, else that the graph joined it. */
function bundleMember(m) {
  const how = el("span", { class: "how" }, ` (${m.relation ? relationName(m.relation) : t("students.fits_need")}; `,
    m.band ? fitOf(m) : t("students.joined_only"), ")");
  return el("li", { class: "member", dataset: m.band ? { band: m.band } : {} },
    el("strong", {}, `${hasMessage(`role.${m.role}`) ? t(`role.${m.role}`) : m.role}: `), resourceLink(m.id, m.label),
    how);
}

function bundleCard(bundle, rank) {
  const members = el("ol", {}, bundle.members.map(bundleMember));
  return el("article", { class: "card bundle" },
    el("h3", {}, t("students.bundle_title", { rank }),
      el("span", { class: "count" }, ` ${t("students.bundle_fit", { value: fitPercent(bundle.fit ?? 0) })}`)),
    members,
    (bundle.path || []).length ? el("div", {}, el("span", { class: "hint" }, t("students.joined")), pathChain(bundle.path)) : null);
}

/** Bundles for the need asked; the matches of an earlier need leave the page (``capped``: k was cut to 20). */
function showBundles(body, capped = false) {
  shown = { body, bundles: true, capped };
  results.replaceChildren();
  echo.hidden = true;
  bundles.hidden = false;
  bundles.replaceChildren(el("h2", {}, t("students.bundles")));
  if (!body.bundles.length) bundles.append(el("p", { class: "hint" }, t("students.no_bundles")));
  body.bundles.forEach((b, i) => bundles.append(bundleCard(b, i + 1)));
  status.textContent = t("students.status_bundles", { n: body.bundles.length }) +
    (capped ? t("students.bundles_capped", { n: MAX_BUNDLES }) : "");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run("students.matching", async () => {
    showMatches(await api("/match", { method: "POST", json: requestBody() }));
  });
});

document.getElementById("bundle-button").addEventListener("click", () => {
  run("students.building", async () => {
    const { types, ...body } = requestBody();
    const capped = body.k !== undefined && body.k > MAX_BUNDLES;
    if (capped) body.k = MAX_BUNDLES;
    showBundles(await api("/match/bundle", { method: "POST", json: body }), capped);
  });
});
