"""Every page family in Simplified Chinese: with the Chinese language chosen, each page (sign-in,
map, incidents, review, ingest, sites, routes, movements, alerts, errors, the public index)
shows Chinese headings, and none of its headings, labels, buttons, table headers or links is
left as an English string of the catalogue (TestClient); in the browser, the language switch
turns the map, the incident list, the movement board and the review queue Chinese and back.

The check is the catalogue's own: a text of the Chinese page that equals an English source
string with a (different) Chinese translation is an untranslated string. Data (a site's name,
a place) read the same in both languages and are no source strings, so they do not count.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import Engine

from safecorridor import i18n
from safecorridor.alerts.choices import Channel, RuleKind
from safecorridor.app import create_app
from safecorridor.movements.choices import MovementAction, MovementState
from safecorridor.risk.policy import load_policy
from safecorridor.risk.probability import percent, sentence
from safecorridor.taxonomy import zh_name
from safecorridor.taxonomy.choices import SiteType
from safecorridor.web.errors import TITLES
from safecorridor.web.templating import LABELS, RISK_SENTENCES, ROUTE_RISK_SENTENCES
from tests.web.conftest import map_ready, shoot

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")
#: the elements whose text is the page's own words (headings and the names of things)
CHROME = {"h1", "h2", "h3", "th", "label", "button", "legend", "summary", "dt", "caption", "a"}


def _english_strings() -> set[str]:
    """The catalogue's English strings that have a Chinese translation differing from them
    (placeholders make a string a pattern, not a text: those are left out)."""
    path = i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalogue = read_po(f)
    found = set()
    for m in catalogue:
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        assert m.string is not None
        string = m.string if isinstance(m.string, str) else m.string[0]
        if msgid and string and string != msgid and "%(" not in msgid and "<" not in msgid:
            found.add(msgid)
    return found


ENGLISH = _english_strings()


class _Chrome(HTMLParser):
    """The texts of the headings, labels, buttons, table headers and links of a page (and
    the ``title``, ``aria-label`` and ``placeholder`` attributes), outside script and style."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in ("br", "input", "img", "meta", "link", "option"):
            self.stack.append(tag)
        for key, value in attrs:
            if key in ("title", "aria-label", "placeholder") and value:
                self.texts.append((f"@{key}", value.strip()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if text and not self.skip and self.stack and self.stack[-1] in CHROME:
            self.texts.append((self.stack[-1], text))


def chrome(html: str) -> list[tuple[str, str]]:
    parser = _Chrome()
    parser.feed(html)
    return parser.texts


def untranslated(html: str) -> list[tuple[str, str]]:
    """(element, text) of the page's own words left as English strings of the catalogue."""
    return [(tag, text) for tag, text in chrome(html) if text in ENGLISH]


def chinese_headings(html: str) -> list[str]:
    return [text for tag, text in chrome(html) if tag in ("h1", "h2") and CJK.search(text)]


def _first_link(client: TestClient, listing: str, prefix: str) -> str:
    page = client.get(listing).text
    found = re.search(rf'href="({prefix}/\d+)"', page)
    assert found, f"no record linked from {listing}"
    return found.group(1)


def test_the_check_finds_an_english_heading() -> None:
    assert untranslated("<h1>Incidents</h1><h2>事件</h2><p>Incidents</p>") == [("h1", "Incidents")]
    assert untranslated('<button title="Close the panel">×</button>') == [
        ("@title", "Close the panel")
    ]
    assert untranslated("<h1>Gwadar Port</h1>") == []  # data, not a string of the catalogue
    assert chinese_headings("<h1>态势地图</h1><h2>Filters</h2>") == ["态势地图"]


# (user, path or a listing to take the first record of) per page family
FAMILIES = [
    ("analyst", "/", "map"),
    ("analyst", "/incidents", "incidents"),
    ("analyst", ("/incidents", "/incidents"), "incident"),
    ("analyst", ("/incidents", "/incidents", "/edit"), "incident edit"),
    ("analyst", "/review", "review"),
    ("analyst", "/ingest", "ingest"),
    ("site_manager", "/sites", "sites"),
    ("site_manager", ("/sites", "/sites"), "site"),
    ("site_manager", "/sites/new", "new site"),
    ("site_manager", "/routes", "routes"),
    ("site_manager", ("/routes", "/routes"), "route"),
    ("site_manager", "/routes/new", "new route"),
    ("site_manager", "/movements", "movements"),
    ("site_manager", "/movements/new", "new movement"),
    ("site_manager", ("/movements", "/movements"), "movement"),
    ("escort_officer", ("/movements", "/movements", "/checkin"), "check-in"),
    ("admin", "/alerts", "alerts"),
    ("analyst", "/incidents/99999999", "error"),
]


@pytest.mark.parametrize(("who", "where", "family"), FAMILIES, ids=[f[2] for f in FAMILIES])
def test_each_page_family_reads_in_chinese(web: Any, who: str, where: Any, family: str) -> None:
    client: TestClient = web(who)
    if isinstance(where, tuple):
        listing, prefix, *suffix = where
        path = _first_link(client, listing, prefix) + "".join(suffix)
    else:
        path = where
    english = client.get(path)
    chinese = client.get(path, headers=ZH)
    assert chinese.status_code == english.status_code, path
    assert chinese.status_code == (404 if family == "error" else 200), path
    assert 'lang="zh-Hans"' in chinese.text, path
    # the English page shows the catalogue's English strings, the Chinese one none of them
    assert untranslated(english.text), path
    assert untranslated(chinese.text) == [], path
    assert chinese_headings(chinese.text), f"{path}: no Chinese heading"
    assert not chinese_headings(english.text), path


def test_the_sign_in_page_and_the_public_index_read_in_chinese(demo: Engine) -> None:
    client = TestClient(create_app())
    for path in ("/login", "/"):
        page = client.get(path, headers=ZH).text
        assert untranslated(page) == [], path
        assert 'lang="zh-Hans"' in page, path
    assert "登录" in client.get("/login", headers=ZH).text
    assert "最新事件" in client.get("/", headers=ZH).text
    # a refused sign-in says why in the reader's language
    form = client.get("/login", headers=ZH).text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post(
        "/login",
        data={"csrf_token": token, "email": "nobody@x.example", "password": "wrong"},
        headers=ZH,
    )
    assert refused.status_code == 401 and "电子邮箱或密码错误" in refused.text


def test_labels_of_stored_codes_cover_their_vocabularies_and_are_translated() -> None:
    vocabularies = {
        "site_type": SiteType,
        "movement_state": MovementState,
        "movement_action": MovementAction,
        "rule_kind": RuleKind,
        "channel": Channel,
    }
    for name, enum in vocabularies.items():
        assert set(LABELS[name]) == {str(v) for v in enum}, name
    labels = [label for vocabulary in LABELS.values() for label in vocabulary.values()]
    labels += list(TITLES.values())
    assert [label for label in labels if i18n.gettext(label, "zh_Hans") == label] == []


@pytest.mark.browser
def test_the_language_switch_turns_the_map_incidents_and_movements_chinese(open_as: Any) -> None:
    page = open_as("analyst")
    map_ready(page)
    assert page.get_by_role("heading", name="Filters").is_visible()
    page.select_option("[data-testid=language]", value="zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    map_ready(page)
    assert page.get_by_role("heading", name="筛选").is_visible()
    assert page.get_by_role("heading", name="时间线").is_visible()
    assert page.get_by_role("button", name="应用").is_visible()
    # the words the map's script writes come in Chinese too
    expect(page.locator("#map-status")).to_contain_text("显示")
    assert "incidents shown" not in page.locator("#map-status").inner_text()
    legend = page.locator("#type-legend").inner_text()
    assert "战斗" in legend and "Battles" not in legend
    nav = page.get_by_role("navigation").first.inner_text()
    assert "事件" in nav and "人员转移" in nav and "Incidents" not in nav
    shoot(page, "map-zh")
    page.goto("/incidents")
    assert page.get_by_role("heading", name="事件", exact=True).is_visible()
    assert page.get_by_role("columnheader", name="日期").is_visible()
    page.goto("/movements")
    assert page.get_by_role("heading", name="人员转移看板").is_visible()
    page.goto("/review")
    assert page.get_by_role("heading", name="审核队列").is_visible()
    page.select_option("[data-testid=language]", value="en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("heading", name="Review queue").is_visible()
    assert page.js_errors == []


def test_incident_rows_name_their_event_types_in_chinese(web: Any) -> None:
    client: TestClient = web("analyst")
    english = client.get("/incidents").text
    chinese = client.get("/incidents", headers=ZH).text
    shown = set(re.findall(r"<td>([A-Z][^<]+)</td>", english))
    forms = {n: zh_name("event_types", n) or zh_name("sub_event_types", n) for n in shown}
    forms = {n: f for n, f in forms.items() if f}
    assert forms, "the demo world's incidents have types with Chinese forms"
    for name, form in forms.items():
        assert f"<td>{form}</td>" in chinese and f"<td>{name}</td>" not in chinese, name


def test_a_risk_reads_as_a_chinese_sentence_and_the_english_one_is_the_services(
    web: Any,
) -> None:
    client: TestClient = web("site_manager")
    for listing, prefix in (
        ("/sites", "/sites"),
        ("/routes", "/routes"),
        ("/movements", "/movements"),
    ):
        path = _first_link(client, listing, prefix)
        english = client.get(path).text
        chinese = client.get(path, headers=ZH).text
        sentence = re.search(r'class="probability"[^>]*>([^<]+)<', english)
        assert sentence and "chance of" in sentence.group(1), path
        # the badge before it shows the level: the sentence starts with the chance itself
        assert ":" not in sentence.group(1).split("chance")[0], path
        assert sentence.group(1).split("chance")[0].strip() in chinese, path
        shown = re.search(r'class="probability"[^>]*>([^<]+)<', chinese)
        assert shown and "概率为" in shown.group(1) and "chance" not in shown.group(1), path
        assert ("风险最高路段" in shown.group(1)) == (prefix != "/sites"), path


def test_the_translated_risk_sentences_say_in_english_what_the_service_says() -> None:
    policy = load_policy()
    km = f"{policy.probability_radius_km:g}"
    days = int(policy.levels["horizon_days"])
    values = {"level": "high", "p": percent(0.123), "km": km, "days": days, "at": "51"}
    for event in ("any", "fatal"):
        data = copy.deepcopy(policy.data)
        data["levels"]["event"] = event
        policy_of_event = replace(policy, data=data)
        said = sentence(policy_of_event, "high", 0.123)
        assert RISK_SENTENCES[event] % values == said
        at_stretch = sentence(
            policy_of_event, "high", 0.123, where=" of its riskiest stretch (km 51)"
        )
        assert ROUTE_RISK_SENTENCES[event] % values == at_stretch


def test_provinces_of_sites_and_an_incidents_targets_read_in_chinese(web: Any) -> None:
    """The site list and a site's page name its province, and an incident's page its target
    categories, in Chinese as the incident list does (they were left in English)."""
    client: TestClient = web("analyst")
    sites = client.get("/sites", headers=ZH).text
    balochistan = zh_name("places", "Balochistan")
    assert balochistan and f"<td>{balochistan}</td>" in sites
    assert "<td>Balochistan</td>" not in sites
    site = _first_link(client, "/sites", "/sites")
    page = client.get(site, headers=ZH).text
    provinces = [p for p in ("Balochistan", "Sindh", "Punjab", "Khyber Pakhtunkhwa") if p in page]
    assert not any(f", {p}" in page or f"<dd>{p}" in page for p in provinces), provinces
    incidents = client.get("/incidents", headers=ZH).text
    targeted = None
    for iid in re.findall(r'href="/incidents/(\d+)"', incidents):
        body = client.get(f"/incidents/{iid}", headers=ZH).text
        if "外国公民" in body or "走廊项目" in body:
            targeted = body
            break
    assert targeted is not None, "a demo incident targets foreign nationals or a project"
    assert "foreign nationals" not in targeted and "corridor project" not in targeted


def test_an_incidents_status_and_history_and_a_candidates_fields_read_in_chinese(
    web: Any, demo: Engine, tmp_path: Any
) -> None:
    """An incident's status and the actions of its history, and the review queue's event
    types, date precision and edit labels, were stored codes shown as they are."""
    from datetime import date

    from safecorridor.sources.ingest import IngestOptions, ingest

    report = tmp_path / "turbat.txt"
    report.write_text(
        "Gunmen attacked a Levies check post near Turbat on Monday, killing two personnel,"
        " officials said.\n",
        "utf-8",
    )
    ingest(engine=demo, sources=[str(report)], options=IngestOptions(published=date(2024, 5, 7)))
    client: TestClient = web("analyst")
    incident = _first_link(client, "/incidents", "/incidents")
    page = client.get(incident, headers=ZH).text
    assert "<dd>已确认</dd>" in page and "<dd>confirmed</dd>" not in page
    assert re.search(r"<td>(已创建|已导入|经审核采纳)</td>", page), "a history row in Chinese"
    assert not re.search(r"<td>(created|imported|accepted)</td>", page)
    queue = client.get("/review", headers=ZH).text
    assert 'data-candidate-id="' in queue, "the demo world's queue holds candidates"
    assert ">事件类型</label>" in queue and ">子事件类型</label>" in queue
    assert ">sub event type</label>" not in queue and ">event date</label>" not in queue
