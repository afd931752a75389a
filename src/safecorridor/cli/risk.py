"""`safecorridor risk ...`: threat surface, site and route risk, backtests."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import typer

from safecorridor.db.session import session_scope

app = typer.Typer(
    help="Threat surface, site and route risk at a date, and backtests of the risk model.",
    no_args_is_help=True,
)

AS_OF_HELP = "Compute with the incidents known before this date (YYYY-MM-DD; default today)."
POLICY_HELP = "Risk policy file (YAML or TOML); default: the shipped policy."
SOURCE_HELP = "Only incidents of this source dataset (e.g. ucdp, acled, manual)."
RECORDED_HELP = "Also leave out incidents recorded after --as-of (replay what was known then)."


def _date(value: str | None, default: date | None = None) -> date:
    if not value:
        return default or date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _policy(path: Path | None) -> Any:
    from safecorridor.risk.policy import PolicyError, load_policy

    try:
        return load_policy(path)
    except (OSError, PolicyError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--policy") from exc


@app.command("policy")
def policy_cmd() -> None:
    """Print the shipped policy (copy it to a file, edit it, pass it with --policy)."""
    from safecorridor.risk.policy import default_policy_text

    typer.echo(default_policy_text(), nl=False)


@app.command("surface")
def surface_cmd(
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    out: Path = typer.Option(
        Path("risk-surface"), "--out", help="Output path without suffix: writes .geojson and .png."
    ),
    policy: Path = typer.Option(None, "--policy", help=POLICY_HELP),
    source: str = typer.Option(None, "--source", help=SOURCE_HELP),
    as_recorded: bool = typer.Option(False, "--as-recorded", help=RECORDED_HELP),
    png: bool = typer.Option(True, "--png/--no-png", help="Also draw a PNG map."),
    save: bool = typer.Option(True, "--save/--no-save", help="Record the result in the store."),
) -> None:
    """Compute the threat surface; write the cells as GeoJSON and a PNG map."""
    from safecorridor.risk.service import record_result, surface_from_store

    day = _date(as_of)
    pol = _policy(policy)
    with session_scope() as session:
        surf = surface_from_store(
            session, as_of=day, policy=pol, source_dataset=source, as_recorded=as_recorded
        )
        geo = surf.to_geojson()
        out.parent.mkdir(parents=True, exist_ok=True)
        gj = out.with_suffix(".geojson")
        gj.write_text(json.dumps(geo), encoding="utf-8")
        written = [str(gj)]
        if png:
            pth = out.with_suffix(".png")
            draw_surface(surf, pth)
            written.append(str(pth))
        if save:
            record_result(
                session,
                kind="surface",
                as_of=day,
                policy=pol,
                score=float(surf.values.max(initial=0.0)),
                details={
                    "cells": len(surf.cells),
                    "incidents": len(surf.incidents),
                    "files": written,
                },
            )
    typer.echo(
        f"surface as of {day}: {len(surf.incidents)} incidents, {len(surf.cells)} cells,"
        f" max threat {float(surf.values.max(initial=0.0)):.3f};"
        f" policy {pol.version} ({pol.sha256[:12]})"
    )
    for path in written:
        typer.echo(f"wrote {path}")


def draw_surface(surf: Any, path: Path) -> None:
    """A PNG map of the surface: cells as hexagons coloured by log threat."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from h3.api import basic_int as h3i
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import LogNorm

    fig, ax = plt.subplots(figsize=(8, 8), dpi=120)
    if len(surf.cells):
        polys = [[(lng, lat) for lat, lng in h3i.cell_to_boundary(int(c))] for c in surf.cells]
        vals = np.maximum(surf.values, 1e-6)
        lo = max(float(np.percentile(vals, 5)), 1e-6)
        coll = PolyCollection(
            polys,
            array=vals,
            cmap="inferno_r",
            norm=LogNorm(lo, float(vals.max()) + 1e-9),
            linewidths=0,
        )
        ax.add_collection(coll)
        ax.autoscale_view()
        fig.colorbar(coll, ax=ax, shrink=0.7, label="threat")
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Threat surface as of {surf.as_of} (policy {surf.policy.version})")
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


AsOfOpt = Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help=POLICY_HELP)]
SourceOpt = Annotated[str | None, typer.Option("--source", help=SOURCE_HELP)]
RecordedOpt = Annotated[bool, typer.Option("--as-recorded", help=RECORDED_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
SaveOpt = Annotated[bool, typer.Option("--save/--no-save", help="Record the result in the store.")]


def _assess(
    kind: Literal["site", "route"],
    ref: str,
    as_of: str | None,
    policy: Path | None,
    source: str | None,
    as_recorded: bool,
    as_json: bool,
    save: bool,
) -> None:
    """Score one site or route against the surface at ``as_of`` and print the explanation."""
    from safecorridor.registry import service as registry
    from safecorridor.risk import service
    from safecorridor.risk.corridor import score_route

    day = _date(as_of)
    pol = _policy(policy)
    with session_scope() as session:
        try:
            site = registry.find_site(session, ref) if kind == "site" else None
            route = registry.find_route(session, ref) if kind == "route" else None
        except registry.LookupFailedError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
        surf = service.surface_from_store(
            session, as_of=day, policy=pol, source_dataset=source, as_recorded=as_recorded
        )
        risk: Any
        if site is not None:
            posture = service.site_postures(session, None, [site], as_of=day)[site.id]
            risk = service.score_site_with(surf, site, posture)
            figure = service.RiskFigure("site", site.id, site.name, day, risk)
        else:
            assert route is not None
            risk = score_route(surf, route, places=service.visible_places(session, None, pol))
            figure = service.RiskFigure("route", route.id, route.name, day, risk)
        if save:
            service.record_figure(session, figure, pol)
    typer.echo(json.dumps(risk.to_dict(), indent=2) if as_json else risk.explain())


@app.command("site")
def site_cmd(
    ref: Annotated[
        str, typer.Argument(metavar="NAME|ID", help="Site id, exact name or unique part of it.")
    ],
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
    source: SourceOpt = None,
    as_recorded: RecordedOpt = False,
    as_json: JsonOpt = False,
    save: SaveOpt = True,
) -> None:
    """A site's risk level, score and explanation."""
    _assess("site", ref, as_of, policy, source, as_recorded, as_json, save)


@app.command("route")
def route_cmd(
    ref: Annotated[
        str, typer.Argument(metavar="NAME|ID", help="Route id, exact name or unique part of it.")
    ],
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
    source: SourceOpt = None,
    as_recorded: RecordedOpt = False,
    as_json: JsonOpt = False,
    save: SaveOpt = True,
) -> None:
    """A route's risk level, the riskiest segments and the protective measures required."""
    _assess("route", ref, as_of, policy, source, as_recorded, as_json, save)


@app.command("backtest")
def backtest_cmd(
    train_until: str = typer.Option(
        ..., "--train-until", help="Fit on incidents before this date."
    ),
    test_until: str = typer.Option(
        ..., "--test-until", help="Test on incidents from --train-until to this date."
    ),
    data: Path = typer.Option(
        None, "--data", help="A UCDP GED CSV file to read directly.", exists=True, dir_okay=False
    ),
    source: str = typer.Option(
        None, "--source", help="Use incidents in the store of this dataset (e.g. ucdp)."
    ),
    level: str = typer.Option("both", "--level", help="h3, district or both."),
    policy: Path = typer.Option(None, "--policy", help=POLICY_HELP),
    validate: bool = typer.Option(
        True,
        "--validate/--no-validate",
        help="Tune the parameters on the periods before --train-until.",
    ),
    save: bool = typer.Option(False, "--save/--no-save", help="Record the results in the store."),
) -> None:
    """Fit before a cut-off, score every cell/district, compare with the test period."""
    from safecorridor.risk.backtest import DistrictBacktest, H3Backtest, markdown_table, run_window
    from safecorridor.risk.data import read_store, read_ucdp_csv
    from safecorridor.risk.service import record_result

    if (data is None) == (source is None):
        raise typer.BadParameter("give exactly one of --data FILE and --source DATASET")
    if level not in ("h3", "district", "both"):
        raise typer.BadParameter("--level is h3, district or both")
    t0, t1 = _date(train_until), _date(test_until)
    if t1 <= t0:
        raise typer.BadParameter("--test-until must be after --train-until")
    pol = _policy(policy)
    if data is not None:
        incidents = read_ucdp_csv(data)
    else:
        with session_scope() as session:
            incidents = read_store(session, source_dataset=source, as_of=t1)
    incidents = incidents.select(incidents.date < np.datetime64(t1, "D"))
    if len(incidents) == 0:
        typer.echo("no incidents", err=True)
        raise typer.Exit(1)
    levels = ["h3", "district"] if level == "both" else [level]
    results = []
    for lv in levels:
        bt = H3Backtest(incidents, pol) if lv == "h3" else DistrictBacktest(incidents, pol)
        results.append(run_window(bt, train_until=t0, test_until=t1, validate=validate))
    typer.echo(markdown_table(results))
    for r in results:
        typer.echo(
            f"{r.level}: {r.n_units} units, {r.n_test} test incidents; model: {r.chosen}"
            + (f"; validated on {r.validation}" if r.validation else "")
        )
    if save:
        with session_scope() as session:
            for r in results:
                m = r.by_method()["model"]
                record_result(
                    session,
                    kind="backtest",
                    as_of=t0,
                    policy=pol,
                    subject_name=f"{r.level} {r.train_until}..{r.test_until}",
                    score=m.auc,
                    details={
                        "chosen": r.chosen,
                        "metrics": {
                            x.method: {
                                "hit": {str(k): v for k, v in x.hit.items()},
                                "pai": {str(k): v for k, v in x.pai.items()},
                                "auc": x.auc,
                            }
                            for x in r.metrics
                        },
                    },
                )
