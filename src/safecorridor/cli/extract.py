"""`safecorridor extract FILE` and `safecorridor eval extraction GOLD`: run the rule extractor
over a text (nothing is stored) and score it against gold events (a gold file with its texts,
or corpus annotations keyed by id with the texts in a folder; see
:mod:`safecorridor.extraction.corpus`)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from safecorridor.cli.common import fail, parse_day
from safecorridor.clock import system_clock, today
from safecorridor.extraction import RuleExtractor, calibration, extract, report_published
from safecorridor.extraction.corpus import CorpusError, find_index, load_records, read_split, sha256
from safecorridor.extraction.evaluate import Report, evaluate
from safecorridor.settings import get_settings
from safecorridor.sources.fetch import ReadOptions, SourceError, file_documents, report_text

app = typer.Typer(help="Extract candidate events from news text.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate components against gold data.", no_args_is_help=True)


@app.command("extract")
def extract_command(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="A text or HTML file with one report (UTF-8, UTF-16 with its mark, or a legacy "
        "encoding that is recognised; else name it with --encoding).",
    ),
    published: str | None = typer.Option(None, "--published", help="Publication date, YYYY-MM-DD."),
    format: str = typer.Option("text", "--format", help="text or json."),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Text encoding of the file (default: UTF-8, else detected)."
    ),
) -> None:
    """Print the candidate events a report carries (nothing is stored). The file is read as
    `ingest` reads it: an empty, binary or too large file is refused with the reason."""
    pub = parse_day(published, "--published", published=True)
    format = format.strip().lower()  # "JSON" is json
    if format not in ("text", "json"):
        raise typer.BadParameter("--format must be text or json")
    text = _report_text(file, encoding)
    own = report_published(text) if pub is None else None  # "Published in Dawn, May 7th, 2024"
    now = today(system_clock)
    misprint = own if own is not None and own > now else None
    if misprint is not None:
        own = None  # as ingest does: a day after today is no publication day
    events = extract(text, published=pub or own, own_date=False)
    if format == "json":
        typer.echo(
            json.dumps({"events": [e.to_dict() for e in events]}, ensure_ascii=False, indent=2)
        )
        return
    if own is not None:
        typer.echo(f"publication date: {own.isoformat()}, as the report gives it", err=True)
    elif misprint is not None:
        typer.echo(
            f"the report gives {misprint.isoformat()} as its publication date, which is after"
            f" today ({now.isoformat()}): a misprint, not used",
            err=True,
        )
    if not events:
        typer.echo("no events found")
    elif pub is None and own is None and any(e.event_date is None for e in events):
        typer.echo(
            "note: no --published date (and none the report gives can be used), so days told"
            " relative to it ('on Monday', 'last week') stay undated (?); days and months are"
            " read in the latest year the text gives, or shown --MM-DD when it gives none",
            err=True,
        )
    for i, e in enumerate(events, 1):
        d = e.to_dict()
        district = d["district"] and d["district"] != d["city"] and f"{d['district']} district"
        place = ", ".join(
            str(x) for x in (d["location_name"], d["city"], district, d["province"]) if x
        )
        typer.echo(
            f"{i}. {d['kind']} ({d['sub_event_type'] or '-'}) {d['event_date'] or '?'} "
            f"[{d['date_precision'] or '-'}] {place or '?'}  confidence {d['confidence']}"
        )
        for key in (
            "perpetrator",
            "claimed_by",
            "target",
            "fatalities",
            "foreign_fatalities",
            "foreign_nationality",
            "injured",
            "abducted",
            "attackers_killed",
            "total_fatalities",
        ):
            if d[key] is not None:
                typer.echo(f"   {key}: {d[key]}")


def _report_text(file: Path, encoding: str | None) -> str:
    """The file's one report as `ingest` reads it, or the one-line reason it cannot be."""
    opts = ReadOptions(max_bytes=get_settings().ingest_max_bytes, encoding=encoding)
    docs = list(file_documents(file, opts))
    if len(docs) != 1 or isinstance(docs[0], SourceError):
        reason = next((str(d) for d in docs if isinstance(d, SourceError)), None)
        raise fail(reason or f"{file}: holds {len(docs)} reports; `extract` reads one")
    try:
        return report_text(docs[0])
    except SourceError as exc:
        raise fail(str(exc)) from None


@eval_app.command("extraction")
def eval_extraction(
    gold: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="Gold JSONL: records with their text, or annotations keyed by id (with --texts).",
    ),
    texts: Path | None = typer.Option(
        None,
        "--texts",
        exists=True,
        file_okay=False,
        help="Folder of the texts: news-dev (texts/NNN.txt, index.jsonl) or SATP (NAME.tsv).",
    ),
    index: Path | None = typer.Option(
        None,
        "--index",
        exists=True,
        dir_okay=False,
        help="index.jsonl with publication dates and outlets (default: the one by the texts).",
    ),
    split: Path | None = typer.Option(
        None, "--split", exists=True, dir_okay=False, help="A split file: score one part only."
    ),
    part: str = typer.Option("dev", "--part", help="The part of --split to score: dev or test."),
    format: str = typer.Option("text", "--format", help="text or json."),
    errors: bool = typer.Option(False, "--errors", help="List every mismatch too."),
    worst: int = typer.Option(10, "--worst", min=0, max=1000, help="How many worst events."),
    withhold_dates: bool = typer.Option(
        False,
        "--withhold-dates",
        help="Score the dated reports only, read as if they had no publication date (as web "
        "copies often come): what a missing date costs. Gold dates said relative to "
        "publication cannot be found then.",
    ),
) -> None:
    """Precision, recall and F1 of the rule extractor for whole events and per field, per
    outlet, the worst events with their errors, and a reliability table of field confidences."""
    format = format.strip().lower()  # "JSON" is json
    if format not in ("text", "json"):
        raise typer.BadParameter("--format must be text or json")
    try:
        chosen = read_split(split, part) if split is not None else None
        records = load_records(gold, texts=texts, index=index, split=chosen)
    except CorpusError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if chosen is not None and chosen.index_sha256:
        used = index or (find_index(texts) if texts is not None else None)
        if used is not None and sha256(used) != chosen.index_sha256:
            typer.echo(
                f"warning: {split} was made from another {used.name} (its SHA-256 differs)",
                err=True,
            )
    if withhold_dates:
        records = [dict(r, published=None) for r in records if r.get("published")]
    report = evaluate(records)
    if format == "json":
        data = report.as_dict(worst)
        if chosen is not None:
            data["split"] = {"file": str(split), "part": part}
        if withhold_dates:
            data["dates_withheld"] = True
        if errors:
            data["errors"] = report.errors
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    where = f" ({split.name if split else ''}, part {part})" if chosen is not None else ""
    if withhold_dates:
        where += ", the dated ones read without their publication dates"
    typer.echo(f"documents: {report.documents}{where}")
    typer.echo(_render(report, worst))
    if errors:
        for err in report.errors:
            typer.echo(f"  {err['id']}: {err['field']} gold={err['gold']!r} pred={err['pred']!r}")


@eval_app.command("fit-confidence")
def fit_confidence(
    corpus: Path = typer.Option(
        ...,
        "--corpus",
        exists=True,
        file_okay=False,
        help="The annotations folder (tests/extraction/corpus: news-dev.jsonl, satp.jsonl, "
        "split.json).",
    ),
    shared: Path = typer.Option(
        ..., "--shared", help="The folder holding data/news-dev and data/satp-dev."
    ),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The calibration map to write."),
    unseen: Path | None = typer.Option(
        None,
        "--unseen",
        file_okay=False,
        help="A gold folder (gold.jsonl, texts/, index.jsonl) of articles the rules were never "
        "fitted to (tests/extraction/calibration): the transfer of an article's confidences "
        "is fitted on it. Without it the map has no transfer.",
    ),
) -> None:
    """Fit the calibration map of field confidences on the development annotations (the dev
    split of news-dev and SATP; the test split is never read), and with ``--unseen`` the
    transfer of an article's confidences on articles the rules have never seen; write it."""
    news, satp = shared / "data" / "news-dev", shared / "data" / "satp-dev"
    if not news.is_dir() or not satp.is_dir():
        typer.echo(f"error: {shared}/data has no news-dev or satp-dev: nothing to fit", err=True)
        raise typer.Exit(2)
    if unseen is not None and not (unseen / "gold.jsonl").is_file():
        typer.echo(f"error: --unseen {unseen}: no gold.jsonl in it", err=True)
        raise typer.Exit(2)
    try:
        dev = read_split(corpus / "split.json", "dev")
        records = load_records(corpus / "news-dev.jsonl", texts=news, split=dev)
        records += load_records(corpus / "satp.jsonl", texts=satp)
        articles = []
        if unseen is not None:
            articles = [
                r
                for r in load_records(unseen / "gold.jsonl", texts=unseen)
                if calibration.is_article(r["text"])
            ]
    except CorpusError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    report = evaluate(records, RuleExtractor(calibrated=False))
    rename = {"date": "event_date"}
    table = calibration.fit(
        (rename.get(j.field, j.field), j.basis, j.correct) for j in report.judgements
    )
    said = "no transfer (no --unseen)"
    if articles:
        mapped = evaluate(articles, RuleExtractor(table=calibration.read_map(table)))
        try:
            table = calibration.with_transfer(
                table,
                ((j.confidence, j.correct) for j in mapped.judgements),
                about=f"fitted on {len(articles)} articles of {unseen} (never fitted to by "
                "the rules, errors never read)",
            )
        except ValueError as exc:
            typer.echo(f"error: --unseen {unseen}: {exc}", err=True)
            raise typer.Exit(2) from exc
        t = table["transfer"]
        said = (
            f"transfer fitted on {t['values']} values of {len(articles)} articles "
            f"(share right {t['share_right']}: slope {t['slope']}, intercept {t['intercept']})"
        )
    elif unseen is not None:
        typer.echo(
            f"error: --unseen {unseen}: no article of {calibration.ARTICLE_WORDS} words "
            "or more in it",
            err=True,
        )
        raise typer.Exit(2)
    out.write_text(json.dumps(table, indent=1) + "\n", "utf-8")
    typer.echo(
        f"{len(report.judgements)} values of {report.documents} documents; "
        f"{len(table['bases'])} kinds of evidence written to {out}; {said}"
    )


def _render(report: Report, worst: int) -> str:
    """The readable text form of a report."""
    lines = [f"{'field':<20}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for name, s in [("events", report.events), *report.fields.items()]:
        if not s.support:  # neither gold nor prediction has a value: nothing to score
            lines.append(f"{name:<20}{'-':>7}{'-':>7}{'-':>7}{0:>6}{0:>6}{0:>6}")
            continue
        lines.append(
            f"{name:<20}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}"
        )
    lines.append(f"{'mean field F1':<34}{report.mean_field_f1:>7.3f}  (fields with a value)")
    lines += ["", f"{'kind':<20}{'gold':>6}{'pred':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}"]
    for row in report.by_kind():
        lines.append(
            f"{row['kind']:<20}{row['gold']:>6}{row['predicted']:>6}{row['tp']:>7}"
            f"{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
        )
    lines += ["", f"{'outlet':<40}{'docs':>5}{'event F1':>10}{'field F1':>10}"]
    by_size = sorted(report.outlets.items(), key=lambda kv: (-kv[1].documents, kv[0]))
    for name, r in by_size:
        lines.append(f"{name[:39]:<40}{r.documents:>5}{r.events.f1:>10.3f}{r.mean_field_f1:>10.3f}")
    if worst:
        bad = report.worst(worst)
        head = f"worst {len(bad)} events (of the {worst} asked; the others have no error)"
        if len(bad) == worst:
            head = f"worst {worst} events"
        lines += ["", head if bad else f"worst {worst} events: none has an error"]
        for o in bad:
            lines.append(
                f"  {o.id} ({o.outlet}): gold {o.gold_kind or '-'}, pred {o.pred_kind or '-'}"
            )
            for e in o.errors:
                if "error" in e:
                    lines.append(f"      {e['field']}: {e['error']}")
                else:
                    lines.append(f"      {e['field']}: gold {e['gold']!r}, pred {e['pred']!r}")
    ece, auc = report.calibration_error(), report.ranking()
    lines += [
        "",
        "reliability of field confidences"
        + (f" (calibration error {ece:.3f}" if ece is not None else "")
        + (f"; ranking AUC {auc:.3f}, 0.5 = chance" if auc is not None else "")
        + (")" if ece is not None else ""),
        "(each predicted value by its confidence: count, how many gold confirms, their share,"
        " and the mean confidence; calibrated, the share matches the band; the error is the"
        " values' mean gap between the two)",
        f"{'band':<10}{'count':>7}{'right':>7}{'share':>8}{'mean conf':>11}",
    ]
    for row in report.reliability():
        share = f"{row['share_correct']:.3f}" if row["count"] else "-"
        mean = f"{row['mean_confidence']:.3f}" if row["count"] else "-"
        lines.append(f"{row['band']:<10}{row['count']:>7}{row['correct']:>7}{share:>8}{mean:>11}")
    return "\n".join(lines)


app.add_typer(eval_app, name="eval")
