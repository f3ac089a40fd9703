"""The web pages in English and Chinese: each page in each language (by the browser's language and by the switch),
a choice that outlives a reload, one dictionary with both languages for every message the pages use, a Chinese need
with its matched words marked (by substring: Chinese has no word boundaries), errors the page knows in Chinese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
PAGES = {
    "/ui/": ("Find shared resources for your project", "为你的项目找到共享资源"),
    "/ui/explorer.html": ("The sharing network", "共享网络"),
    "/ui/centre.html": ("For resource centres", "面向资源中心"),
}
NAV = (["Find resources", "Explorer", "Resource centres", "API"], ["查找资源", "图谱浏览", "资源中心", "API"])
#: A need in Chinese that names its instrument by its Latin acronym too, as Chinese students often write.
ZH_NEED = "我们需要 NMR 核磁共振波谱仪来表征合成的有机化合物的结构"
GLOSS = {"source": "核磁共振", "terms": ["nuclear magnetic resonance", "NMR"]}
HAN = re.compile(r"[\u4e00-\u9fff]")
#: A message id in a script: a string literal such as "students.match" whose first part is a dictionary section.
MESSAGE_ID = re.compile(r'"(([a-z]+)\.[a-z_][\w.-]*)"')
PREFIXES = {
    "site",
    "nav",
    "lang",
    "page",
    "common",
    "field",
    "type",
    "types",
    "role",
    "problem",
    "band",
    "why",
    "relation",
    "students",
    "resource",
    "explorer",
    "centre",
}


def messages(page: Page) -> dict[str, dict[str, str]]:
    page.goto("/ui/")
    result: dict[str, dict[str, str]] = page.evaluate("async () => (await import('/ui/i18n.js')).MESSAGES")
    return result


@pytest.mark.parametrize(("path", "titles"), PAGES.items())
def test_each_page_follows_the_browsers_language(page: Page, zh_page: Page, path: str, titles: tuple[str, str]) -> None:
    for browser_page, title, nav, lang in ((page, titles[0], NAV[0], "en"), (zh_page, titles[1], NAV[1], "zh-CN")):
        browser_page.goto(path)
        expect(browser_page.locator("html")).to_have_attribute("lang", lang)
        expect(browser_page.locator("h1")).to_have_text(title)
        expect(browser_page.locator("nav.site-nav ul a")).to_have_text(nav)
        expect(browser_page.locator("nav a[aria-current=page]")).to_have_count(1)
        expect(browser_page.locator(".lang-switch button[aria-pressed=true]")).to_have_attribute("lang", lang)


def test_the_switch_changes_the_language_and_the_choice_sticks(page: Page) -> None:
    page.goto("/ui/")
    expect(page.get_by_role("button", name="Find matches")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("button", name="开始匹配")).to_be_visible()
    expect(page.get_by_label("你的需求")).to_be_visible()
    expect(page).to_have_title(re.compile("为你的项目"))
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("为你的项目找到共享资源")
    page.goto("/ui/explorer.html")  # the choice holds on every page
    expect(page.locator("h1")).to_have_text("共享网络")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("The sharing network")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_chosen_language_overrides_the_browsers(zh_page: Page) -> None:
    zh_page.goto("/ui/")
    zh_page.get_by_role("button", name="English").click()
    zh_page.reload()
    expect(zh_page.locator("h1")).to_have_text(PAGES["/ui/"][0])


def test_every_message_has_both_languages_with_the_same_placeholders(page: Page) -> None:
    catalogue = messages(page)
    assert len(catalogue) > 100
    placeholder = re.compile(r"\{(\w+)\}")
    for key, entry in catalogue.items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert set(placeholder.findall(entry["en"])) == set(placeholder.findall(entry["zh"])), key


def test_every_message_the_pages_use_is_in_the_dictionary(page: Page) -> None:
    """Message ids named in the HTML (data-i18n*) and in t("…") calls of the scripts all exist."""
    catalogue = messages(page)
    used: set[str] = set()
    for html in WEB.glob("*.html"):
        used |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', html.read_text(encoding="utf-8")))
    for script in WEB.glob("*.js"):
        for key, prefix in MESSAGE_ID.findall(script.read_text(encoding="utf-8")):
            if prefix in PREFIXES and not key.endswith((".html", ".js", ".css")):
                used.add(key)
    assert len(used) > 100
    assert sorted(used - set(catalogue)) == []


@pytest.mark.parametrize("path", ["/ui/", "/ui/explorer.html", "/ui/centre.html", "/ui/resource.html"])
def test_no_english_is_left_on_a_chinese_page(zh_page: Page, path: str) -> None:
    """Every piece of static text of a page is in the dictionary: none is empty, none is the English one."""
    catalogue = messages(zh_page)
    zh_page.goto(path)
    expect(zh_page.locator("html")).to_have_attribute("lang", "zh-CN")
    texts: list[list[str]] = zh_page.evaluate(
        """[...document.querySelectorAll('[data-i18n]')].map(n => [n.dataset.i18n, n.textContent])"""
    )
    assert texts
    for key, text in texts:
        assert text == catalogue[key]["zh"], key


def add_glossary(route: Route) -> None:
    """The real /match answer; results whose glossary (the Chinese words of the need and the English terms they
    were read as) is absent or empty get the one of 核磁共振, so the page's rendering of it is shown either way."""
    response = route.fetch()
    body: dict[str, Any] = response.json()
    for results in body["results"].values():
        for result in results:
            if not result["explanation"].get("glossary"):
                result["explanation"]["glossary"] = [GLOSS]
    route.fulfill(response=response, json=body)


def test_a_chinese_need_finds_matches_and_marks_its_matched_words(zh_page: Page) -> None:
    zh_page.route("**/match", add_glossary)
    zh_page.goto("/ui/")
    zh_page.get_by_label("你的需求").fill(ZH_NEED)
    zh_page.get_by_role("button", name="开始匹配").click()
    groups = zh_page.locator("section.type-group")
    expect(groups.first).to_be_visible()
    expect(groups.locator("h2").first).to_contain_text("仪器")
    expect(zh_page.locator("article.result").first).to_be_visible()
    expect(zh_page.locator("#status")).to_contain_text("项匹配")
    need = zh_page.locator("#need-text")
    expect(need).to_have_text(ZH_NEED)
    marks = need.locator("mark").all_inner_texts()
    assert "核磁共振" in marks, marks  # the glossed Chinese word, marked as a substring of unspaced Chinese
    assert any(m.lower() == "nmr" for m in marks), marks  # an English term the results matched
    gloss = zh_page.locator("#need-glossary")
    expect(gloss).to_contain_text("中文 → 英文")
    expect(gloss).to_contain_text("核磁共振 → nuclear magnetic resonance, NMR")
    first = zh_page.locator("section[data-type=Instrument] article.result").first
    expect(first.locator(".explanation mark").first).to_be_visible()
    expect(first.locator(".glossary")).to_contain_text("核磁共振")
    expect(first.locator(".meta")).to_contain_text(re.compile(r"(得分|匹配度) "))
    expect(first.locator(".badge")).to_have_text("仪器")
    expect(first.locator("ol.path li").first).to_contain_text("你的需求")
    expect(zh_page.locator("#message")).to_be_empty()
    # switching redraws the answer in English without asking again
    zh_page.get_by_role("button", name="English").click()
    expect(groups.locator("h2").first).to_contain_text("Instruments")
    expect(zh_page.locator("#need-glossary")).to_contain_text("Chinese → English")
    expect(zh_page.locator("#status")).to_contain_text("matches")


def test_a_word_the_glossary_lacks_is_named_with_the_advice_to_write_its_english(zh_page: Page) -> None:
    zh_page.goto("/ui/")
    zh_page.get_by_label("你的需求").fill("用X射线衍射表征钙钛矿太阳能电池薄膜的晶体结构")
    zh_page.get_by_role("button", name="开始匹配").click()
    unknown = zh_page.locator("#need-unknown")
    expect(unknown).to_be_visible()
    expect(unknown).to_contain_text("逐字理解\uff1a钙钛矿")
    zh_page.get_by_role("button", name="English").click()
    expect(unknown).to_contain_text("read character by character: 钙钛矿")
    zh_page.get_by_label("Your need").fill("X-ray diffraction of perovskite solar-cell films")
    zh_page.get_by_role("button", name="Find matches").click()
    expect(unknown).to_be_hidden()


def test_chinese_terms_are_marked_by_substring_longest_first_and_never_parsed_as_html(page: Page) -> None:
    page.goto("/ui/")
    marked: list[Any] = page.evaluate(
        """async () => {
             const { highlight } = await import('/ui/common.js');
             const box = (text, terms) => {
               const p = document.createElement('p');
               p.append(highlight(text, terms));
               return [p.innerHTML, [...p.querySelectorAll('mark')].map(m => m.textContent)];
             };
             return [
               box('需要核磁共振波谱仪', ['核磁', '核磁共振', '波谱仪']),
               box('NMR spectroscopy for <b>us</b>', ['spectroscop', '<b>', 'nmr']),
               box('spectrometer', ['meter']),
               box('用AFM测量', ['afm']),
               box('nothing', []),
             ];
           }"""
    )
    assert marked[0][1] == ["核磁共振", "波谱仪"]
    assert marked[1][1] == ["NMR", "spectroscopy", "<b>"]
    assert "<b>" not in marked[1][0] and "&lt;b&gt;" in marked[1][0]
    assert marked[2][1] == []  # an English term starts at a word boundary
    assert marked[3][1] == ["AFM"]
    assert marked[4] == ["nothing", []]


def test_fit_and_band_show_as_a_percentage_with_the_band_in_the_chosen_language(zh_page: Page) -> None:
    """When results carry a calibrated fit and band (the matching issue adds them), those are what the page
    shows; a type's note that nothing fits well is said in Chinese. Here they are added to the real answer."""

    def with_fit(route: Route) -> None:
        response = route.fetch()
        body: dict[str, Any] = response.json()
        for results in body["results"].values():
            for i, result in enumerate(results):
                result.setdefault("fit", 0.8 - 0.3 * i)
                result.setdefault("band", ["strong", "good", "weak"][min(i, 2)])
        body.setdefault("notes", {"Dataset": "nothing here fits this need well"})
        route.fulfill(response=response, json=body)

    zh_page.route("**/match", with_fit)
    zh_page.goto("/ui/")
    zh_page.get_by_label("你的需求").fill(ZH_NEED)
    zh_page.get_by_role("button", name="开始匹配").click()
    first = zh_page.locator("section[data-type=Instrument] article.result").first
    expect(first.locator(".fit")).to_have_text(re.compile(r"^匹配度 \d+\.\d% (强|较好|弱)$"))
    expect(zh_page.locator("section[data-type=Dataset] .weak-note")).to_contain_text("没有很符合需求")


def test_errors_the_page_knows_are_shown_in_chinese(zh_page: Page) -> None:
    zh_page.goto("/ui/")
    zh_page.get_by_role("button", name="开始匹配").click()
    alert = zh_page.get_by_role("alert")
    expect(alert).to_contain_text("请先描述你的需求")
    expect(alert.locator(".detail[lang=en]")).to_contain_text("text")  # the API's own words, marked as English
    zh_page.get_by_label("你的需求").fill(ZH_NEED)
    zh_page.locator("#filters > summary").click()
    zh_page.get_by_label("城市").fill("Atlantis")
    zh_page.get_by_role("button", name="开始匹配").click()
    expect(alert).to_contain_text("无法完成这次匹配")
    expect(alert).to_contain_text("Atlantis")
    zh_page.get_by_role("button", name="English").click()  # an error on show is said again in English
    expect(alert).to_contain_text("This match cannot be answered")
    zh_page.goto("/ui/resource.html?id=instrument/nowhere/0")
    expect(zh_page.get_by_role("alert")).to_contain_text("Not found")


def test_the_resource_page_in_chinese(zh_page: Page) -> None:
    zh_page.goto("/ui/")
    zh_page.get_by_label("你的需求").fill(ZH_NEED)
    zh_page.get_by_role("button", name="开始匹配").click()
    zh_page.locator("section[data-type=Instrument] article.result h3 a").first.click()
    expect(zh_page).to_have_url(re.compile(r"resource\.html\?id=instrument"))
    expect(zh_page.get_by_role("heading", name="所在位置与使用方式")).to_be_visible()
    expect(zh_page.locator("#access")).to_contain_text("机构")
    expect(zh_page.locator("#graph-hint")).to_contain_text("个相邻节点")
    expect(zh_page.locator("svg.neighbourhood g.node").first).to_be_visible()
    expect(zh_page.locator("#message")).to_be_empty()


def test_the_explorer_in_chinese(zh_page: Page) -> None:
    zh_page.goto("/ui/explorer.html")
    expect(zh_page.locator("#stats")).to_be_visible()
    expect(zh_page.locator("#totals")).to_contain_text("节点")
    expect(zh_page.locator("#degrees-hint")).to_contain_text("平均")
    zh_page.locator("#query").fill("DELETE WHERE { ?s ?p ?o }")
    zh_page.get_by_role("button", name="运行查询").click()
    expect(zh_page.locator("#sparql-message")).to_contain_text("只读")
    assert not HAN.search(zh_page.locator("#sparql-message .detail").inner_text())


def test_the_centre_page_in_chinese(zh_page: Page, admin_key: str) -> None:
    zh_page.goto("/ui/centre.html")
    expect(zh_page.locator("#message")).to_contain_text("API 密钥")
    zh_page.get_by_label("API 密钥").fill(admin_key)
    zh_page.get_by_role("button", name="显示").click()
    expect(zh_page.get_by_role("heading", name="使用率与需求")).to_be_visible()
    expect(zh_page.locator("#unmet-summary")).to_contain_text("条需求")
    expect(zh_page.locator("#utilisation-window")).to_contain_text("时间段")
    expect(zh_page.locator("#message")).to_be_empty()


#: The phrases of the API's English summary that the page says in Chinese on a Chinese page.
ENGLISH_REASONS = ("shares the terms", "central among its kind", "named in the text of", "works:", "left out")


def test_why_a_result_matched_reads_as_the_api_says_in_english_and_in_chinese(page: Page, zh_page: Page) -> None:
    """The page composes the line from the explanation's parts: in English it is exactly the API's summary, on a
    Chinese page none of the summary's English phrases are left."""
    need = "NMR spectroscopy of organic compounds and the people who run the spectrometers"
    for browser_page, label, button in ((page, "Your need", "Find matches"), (zh_page, "你的需求", "开始匹配")):
        browser_page.goto("/ui/")
        browser_page.get_by_label(label).fill(need)
        with browser_page.expect_response("**/match") as answer:
            browser_page.get_by_role("button", name=button).click()
        body = answer.value.json()
        expect(browser_page.locator("article.result").first).to_be_visible()
        lines, summaries = [], []
        for type_name, results in body["results"].items():
            lines += browser_page.locator(f"section[data-type={type_name}] article.result .summary").all_inner_texts()
            summaries += [r["explanation"]["summary"] for r in results]
        assert len(lines) == len(summaries) > 0
        if browser_page is page:
            assert [line.removeprefix("Why:").strip() for line in lines] == summaries
        else:
            assert all(line.startswith("匹配理由") for line in lines)
            assert not [line for line in lines if any(phrase in line for phrase in ENGLISH_REASONS)]
            assert any("共同词语" in line for line in lines) and any("在同类中处于中心" in line for line in lines)
            relations = browser_page.locator("ol.path .rel").all_inner_texts()
            assert relations and not {"about", "subject of", "matches", "at facility", "hosted by"} & set(relations)
            browser_page.get_by_role("button", name="推荐资源组合").click()
            member = browser_page.locator("article.bundle li.member .how").first
            expect(member).to_contain_text(re.compile(r"符合需求|所在设施|联系人|同一机构|共同主题"))
