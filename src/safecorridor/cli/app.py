"""`safecorridor`: the command-line entry point. Sub-apps live in one module per concern."""

from __future__ import annotations

import typer

from safecorridor import __version__

app = typer.Typer(
    name="safecorridor",
    help="SafeCorridor: incidents, threat and movements for an infrastructure corridor.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"safecorridor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """SafeCorridor: incidents, threat and movements for an infrastructure corridor."""
    from pydantic import ValidationError  # lazy: as get_app's imports, --version stays light

    from safecorridor.ops.logs import configure_logging  # lazy: see get_app's docstring
    from safecorridor.settings import get_settings  # lazy: see get_app's docstring

    try:
        settings = get_settings()
    except ValidationError:
        return  # the command reports the bad setting when it reads the settings
    configure_logging(settings.log_format, settings.log_level)


_registered: list[bool] = []


def get_app() -> typer.Typer:
    """The CLI with every concern's commands registered once, explicitly, here.

    The command modules are imported here rather than at the top so that ``safecorridor
    --version`` and shell completion do not load numpy, H3 and the web stack first.
    """
    from safecorridor.cli import (  # lazy: see the docstring
        alerts,
        audit,
        interop,
        jwg,
        movements,
        records,
        risk,
        users,
    )
    from safecorridor.cli.extract import eval_app, extract_command  # lazy: see the docstring
    from safecorridor.cli.ingest import ingest_command  # lazy: see the docstring
    from safecorridor.cli.ops import backup_command, restore_command  # lazy: see the docstring
    from safecorridor.cli.review import review_app  # lazy: see the docstring
    from safecorridor.cli.worker import worker_command  # lazy: see the docstring

    if _registered:
        return app
    app.command("init")(records.init)
    app.command("demo")(records.demo)
    app.command("serve")(records.serve)
    app.command("export")(records.export_cmd)
    records.import_app.command("stix")(interop.import_stix)
    records.import_app.command("misp")(interop.import_misp)
    for name, sub in records.SUB_APPS.items():
        app.add_typer(sub, name=name)
    app.command("extract")(extract_command)
    app.command("ingest")(ingest_command)
    app.add_typer(review_app, name="review")
    app.add_typer(eval_app, name="eval")
    app.add_typer(risk.app, name="risk")
    app.add_typer(movements.app, name="movements")
    app.add_typer(alerts.app, name="alerts")
    app.add_typer(jwg.meetings_app, name="meetings")
    app.add_typer(jwg.actions_app, name="actions")
    app.add_typer(jwg.measures_app, name="measures")
    app.command("briefing")(jwg.briefing_command)
    app.command("worker")(worker_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.add_typer(users.app, name="users")
    app.add_typer(audit.app, name="audit")
    app.add_typer(interop.feeds_app, name="feeds")
    _registered.append(True)
    return app


def main() -> None:
    from sqlalchemy.exc import OperationalError, ProgrammingError  # lazy: see get_app

    try:
        get_app()()
    except OverflowError:  # an id option far past any record's (SQLite refuses to bind it)
        typer.echo(
            "error: a number given is larger than any id or count a record holds "
            "(at most 9,223,372,036,854,775,807)",
            err=True,
        )
        raise SystemExit(2) from None
    except (OperationalError, ProgrammingError):
        from safecorridor.db.engine import is_schema_current  # lazy: see get_app
        from safecorridor.db.session import get_engine  # lazy: see get_app

        engine = get_engine()
        if is_schema_current(engine):  # the schema is there: the error is another one
            raise
        typer.echo(
            f"error: the database {engine.url.render_as_string(hide_password=True)} has no"
            " SafeCorridor tables yet, or older ones: run `safecorridor init` first",
            err=True,
        )
        raise SystemExit(1) from None
