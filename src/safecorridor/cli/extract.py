"""`safecorridor extract FILE` and `safecorridor eval extraction GOLD.jsonl`: run the rule
extractor over a text (nothing is stored) and score it against a gold file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

app = typer.Typer(help="Extract candidate events from news text.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate components against gold data.", no_args_is_help=True)


@app.command("extract")
def extract_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A UTF-8 text file."),
    published: str | None = typer.Option(None, "--published", help="Publication date, YYYY-MM-DD."),
    format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Print the candidate events a report carries (nothing is stored)."""
    from safecorridor.extraction import extract

    pub = None
    if published:
        try:
            pub = date.fromisoformat(published)
        except ValueError as exc:
            raise typer.BadParameter(f"--published must be YYYY-MM-DD, not {published!r}") from exc
    text = file.read_text("utf-8", errors="replace")
    events = extract(text, published=pub)
    if format == "json":
        typer.echo(
            json.dumps({"events": [e.to_dict() for e in events]}, ensure_ascii=False, indent=2)
        )
        return
    if format != "text":
        raise typer.BadParameter("--format must be text or json")
    if not events:
        typer.echo("no events found")
    for i, e in enumerate(events, 1):
        d = e.to_dict()
        place = ", ".join(str(x) for x in (d["location_name"], d["city"], d["province"]) if x)
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


@eval_app.command("extraction")
def eval_extraction(
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold JSONL file."),
    format: str = typer.Option("text", "--format", help="text or json."),
    errors: bool = typer.Option(False, "--errors", help="List the mismatches too."),
) -> None:
    """Precision, recall and F1 of the rule extractor per field and for whole events."""
    from safecorridor.extraction.evaluate import evaluate, load_gold

    report = evaluate(load_gold(gold))
    if format == "json":
        data = report.as_dict()
        if errors:
            data["errors"] = report.errors
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    typer.echo(f"documents: {report.documents}")
    typer.echo(f"{'field':<20}{'P':>7}{'R':>7}{'F1':>7}")
    rows = [("events", report.events), *report.fields.items()]
    for name, s in rows:
        typer.echo(f"{name:<20}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}")
    if errors:
        for err in report.errors:
            typer.echo(f"  {err['id']}: {err['field']} gold={err['gold']!r} pred={err['pred']!r}")


app.add_typer(eval_app, name="eval")
