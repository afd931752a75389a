"""The pack as a PDF: pypdf reads the headings, the figures and the marking on every page, in
English and in Chinese (with CJK text present and a CJK font embedded); and the worker sends
each delegation its pack, in its language, with the PDF attached."""

from __future__ import annotations

import email
import io
import re
from datetime import UTC, date, datetime
from typing import cast

import pypdf
from pypdf.generic import DictionaryObject
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.alerts.models import Alert
from safecorridor.alerts.worker import WorkerContext, run_step
from safecorridor.jwg import briefing
from safecorridor.jwg import service as jwg
from safecorridor.jwg.models import BriefingPack
from safecorridor.jwg.render import cjk_font
from safecorridor.jwg.schemas import MeetingCreate
from tests.alerts.conftest import SmtpSink
from tests.jwg.conftest import JwgWorld

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _pages(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        fonts = cast(DictionaryObject, page["/Resources"].get_object()).get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


def test_the_english_pdf_has_its_headings_figures_and_marking_on_every_page(
    session: Session, jwg_world: JwgWorld
) -> None:
    pack = briefing.build_pack(
        session,
        organisation_id=jwg_world.secretariat,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 6, 30),
        built_by="test",
        now=NOW,
    )
    assert pack.pdf is not None and pack.pdf.startswith(b"%PDF")
    pages = _pages(pack.pdf)
    assert len(pages) >= 3
    for text in pages:
        assert "TLP:AMBER+STRICT" in text  # the running marking of every page
    whole = "\n".join(pages)
    for heading in (
        "Briefing pack",
        "Summary",
        "The period in numbers",
        "Map of incidents and of the threat surface",
        "Trend",
        "Significant incidents",
        "Activity by actor",
        "Sites and routes whose level rose",
        "Movements",
        "Action items and measures since the last meeting",
    ):
        assert heading in whole, heading
    # the summary's figures: 4 incidents this half-year (7 killed on Secret Ridge among them)
    assert re.search(r"Incidents\s+4\s+\d+", whole)
    assert "Secret Ridge" in whole
    assert "Baloch Liberation Army" in whole  # the factory's claimant, units rolled up


def test_the_chinese_pdf_is_in_chinese_with_a_cjk_font(
    session: Session, jwg_world: JwgWorld
) -> None:
    assert cjk_font() is not None, (
        "fonts-noto-cjk is missing: run scripts/ensure-system-packages.sh"
    )
    pack = briefing.build_pack(
        session,
        organisation_id=jwg_world.agency,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 6, 30),
        locale="zh_Hans",
        built_by="test",
        now=NOW,
    )
    assert pack.pdf is not None
    pages = _pages(pack.pdf)
    whole = "\n".join(pages)
    for heading in ("简报材料", "摘要", "本期数据", "重大事件", "各行为体的活动", "趋势"):
        assert heading in whole, heading
    assert all("TLP:AMBER" in text for text in pages)
    assert "俾路支解放军" in whole  # the actor's Chinese form from the taxonomy
    assert "2024年" in whole  # dates in the Chinese way
    assert len(CJK.findall(whole)) > 200
    assert any("CJK" in name for name in _fonts(pack.pdf))
    assert "Secret Ridge" not in whole


def test_the_worker_sends_each_delegation_its_pack_with_the_pdf(
    engine: Engine,
    session: Session,
    jwg_world: JwgWorld,
    jwg_ctx: WorkerContext,
    smtp_sink: SmtpSink,
) -> None:
    w = jwg_world
    jwg.create_meeting(
        session=session,
        meeting_in=MeetingCreate.model_validate(
            {
                "number": 10,
                "held_on": "2024-07-15",
                "delegations": [
                    {"organisation": w.agency, "language": "zh_Hans"},
                    {"organisation": w.secretariat, "language": "en"},
                ],
            }
        ),
        viewer=None,
        owner_org_id=w.secretariat,
    )
    session.commit()
    # too early: 9 days before, with packs sent 7 days before
    assert run_step(jwg_ctx, "briefings", now=datetime(2024, 7, 6, 5, 0)).found == 0
    run = run_step(jwg_ctx, "briefings", now=datetime(2024, 7, 9, 5, 0))
    assert run.status == "ok", run.error
    assert run.found == 2
    assert run_step(jwg_ctx, "briefings", now=datetime(2024, 7, 10, 5, 0)).found == 0  # once
    with Session(engine) as s:
        packs = {p.owner_org_id: p for p in s.scalars(select(BriefingPack))}
        assert packs[w.agency].language == "zh_Hans" and packs[w.agency].tlp == "AMBER"
        assert packs[w.secretariat].tlp == "AMBER+STRICT"
        assert all(p.sent_at is not None for p in packs.values())
        alerts = {
            a.organisation_id: a
            for a in s.scalars(select(Alert).where(Alert.kind == "briefing_pack"))
        }
        assert len(alerts) == 2
        # each delegation's alert is in its pack's language
        chinese = alerts[w.agency]
        assert "简报材料" in chinese.title and "TLP:AMBER" in chinese.title, chinese.title
        assert "Briefing pack" not in chinese.title and "holds only" not in chinese.body
        assert "贵机构" in chinese.body
        assert alerts[w.secretariat].title.startswith("Briefing pack for the ")
    run_step(jwg_ctx, "deliveries", now=datetime(2024, 7, 9, 5, 1))
    mails = smtp_sink.to("agency_manager@jwg-test.example")
    assert len(mails) == 1
    message = email.message_from_string(mails[0])
    attached = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert len(attached) == 1 and "TLP-AMBER" in (attached[0].get_filename() or "")
    pdf = attached[0].get_payload(decode=True)
    assert isinstance(pdf, bytes)
    assert "简报材料" in "\n".join(_pages(pdf))
    assert not smtp_sink.to("outsider_admin@jwg-test.example")
