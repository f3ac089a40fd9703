// The shell every page shares, defined once here: the head's common elements, the skip link, the navigation and
// the language switch. A page's HTML holds only its charset, stylesheet, script and <main>; its script calls
// startPage with the page's name (and what to redraw when the language changes).
import { LANGUAGES, language, onLanguageChange, setLanguage, t, translateTree } from "./i18n.js";
import { el } from "./common.js";

/** The navigation: each entry's page (for aria-current), address and message id. */
const NAV = [
  { page: "students", href: "index.html", label: "nav.find" },
  { page: "explorer", href: "explorer.html", label: "nav.explorer" },
  { page: "centre", href: "centre.html", label: "nav.centre" },
  { page: null, href: "/docs", label: "nav.api" },
];

function headElements() {
  if (!document.querySelector('meta[name="viewport"]')) {
    document.head.prepend(el("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }));
  }
}

function languageSwitch() {
  // Each language named in itself, so a reader finds theirs whichever language is shown.
  return el("div", { class: "lang-switch", role: "group", "aria-label": "Language / 语言" },
    Object.entries(LANGUAGES).map(([code, { tag, name }]) => el("button", {
      type: "button", lang: tag, dataset: { lang: code }, "aria-pressed": String(code === language()),
      onclick: () => setLanguage(code),
    }, name)));
}

function navigation(page) {
  return el("nav", { class: "site-nav", "data-i18n-aria-label": "nav.label" },
    el("a", { class: "brand", href: "index.html" }, "sharekg"),
    el("ul", {}, NAV.map((entry) => el("li", {}, el("a", {
      href: entry.href, "aria-current": entry.page === page ? "page" : undefined, "data-i18n": entry.label,
    })))),
    languageSwitch());
}

function showLanguage(page) {
  document.documentElement.lang = LANGUAGES[language()].tag;
  document.title = t(`page.${page}.title`);
  for (const button of document.querySelectorAll(".lang-switch button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language()));
  }
  translateTree(document);
}

/**
 * Build the shell around the page's <main> and show its text in the chosen language. ``redraw`` is called after
 * a switch of language, to redraw what the page built from data (the static text is re-filled here).
 */
export function startPage(page, redraw = () => {}) {
  headElements();
  const main = document.querySelector("main");
  main.before(el("a", { class: "skip", href: `#${main.id || "main"}`, "data-i18n": "site.skip" }), navigation(page));
  showLanguage(page);
  onLanguageChange(() => {
    showLanguage(page);
    redraw();
  });
}
