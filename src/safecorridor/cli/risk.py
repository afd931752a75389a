"""`safecorridor risk ...`: threat surface, site and route risk, backtests, calibration and the
deployment's active policy.

Every command that computes a figure uses the deployment's active policy
(``risk.policies.active_policy``: the latest activated, else the shipped default) unless
``--policy FILE`` is given, and prints each level with the probability it stands for.
"""

from __future__ import annotations

import json
import shlex
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import typer
from h3.api import basic_int as h3i
from sqlalchemy.orm import Session

from safecorridor import datasets
from safecorridor.cli.common import check_limit
from safecorridor.clock import system_clock, today
from safecorridor.db.session import session_scope
from safecorridor.registry import service as registry
from safecorridor.risk import service
from safecorridor.risk.backtest import (
    calibration_table,
    markdown_table,
    reliability_table,
    score_surface,
    summary_table,
)
from safecorridor.risk.calibrate import CalibrationError, calibrate
from safecorridor.risk.corridor import score_route
from safecorridor.risk.data import read_store, read_ucdp_csv
from safecorridor.risk.policies import (
    PolicyNotFoundError,
    activate_file,
    activate_policy,
    activate_version,
    active_policy,
    active_policy_text,
    policy_history,
)
from safecorridor.risk.policy import PolicyError, default_policy_text, dump_policy, load_policy
from safecorridor.risk.service import record_result, surface_from_store
from safecorridor.risk.windows import BacktestContext, backtest_windows, yearly_windows
from safecorridor.runner import ClusterUnreachableError, make_runner
from safecorridor.settings import get_settings

app = typer.Typer(
    help="Threat surface, site and route risk at a date, backtests, calibration and the policy.",
    no_args_is_help=True,
)
policy_app = typer.Typer(
    help="The deployment's active risk policy: show it, list its history, activate another.",
    invoke_without_command=True,
)
app.add_typer(policy_app, name="policy")

AS_OF_HELP = "Compute with the incidents known before this date (YYYY-MM-DD; default today)."
POLICY_HELP = "Risk policy file (YAML or TOML); default: the deployment's active policy."
SOURCE_HELP = "Only incidents of this source dataset (e.g. ucdp, acled, manual)."
RECORDED_HELP = "Also leave out incidents recorded after --as-of (replay what was known then)."
DASK_HELP = (
    "Run the validation grid and the model fits on the Dask cluster at this scheduler address"
    " (e.g. tcp://10.0.0.21:8786); the results are the same as here."
)
DATA_HELP = (
    "A UCDP GED CSV file to read directly, or the name of a shipped data set (e.g. ucdp-pakistan)."
)


def _date(value: str | None, default: date | None = None) -> date:
    if not value:
        return default or today(system_clock)
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _policy_file(path: Path) -> Any:
    try:
        return load_policy(path)
    except (OSError, PolicyError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--policy") from exc


def _policy(session: Session, path: Path | None) -> Any:
    """``--policy FILE``, else the deployment's active policy."""
    if path is not None:
        return _policy_file(path)
    try:
        return active_policy(session)
    except PolicyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


def _data_file(value: str) -> tuple[Path, str, str]:
    """(file, dataset name, description) of ``--data``: a shipped data set's name or a file."""
    if value in datasets.SHIPPED:
        path = datasets.path(value)
        return path, value, f"shipped data set {value} ({path.name})"
    path = Path(value)
    if not path.is_file():
        known = ", ".join(datasets.SHIPPED)
        raise typer.BadParameter(
            f"{value!r} is neither a file nor a shipped data set ({known})", param_hint="--data"
        )
    return path, path.name.split(".")[0], f"file {path.name}"


def served_surface(
    session: Session,
    *,
    as_of: date,
    policy: Any,
    source: str | None = None,
    as_recorded: bool = False,
) -> Any:
    """The surface `risk surface --as-of` serves; `risk backtest --surface-as-served` scores
    exactly this (same function, same policy)."""
    return surface_from_store(
        session, as_of=as_of, policy=policy, source_dataset=source, as_recorded=as_recorded
    )


@policy_app.callback()
def policy_main(ctx: typer.Context) -> None:
    """Without a command: print the active policy (as `risk policy show`)."""
    if ctx.invoked_subcommand is None:
        policy_show(default=False)


@policy_app.command("show")
def policy_show(
    default: Annotated[
        bool, typer.Option("--default", help="The shipped default instead of the active one.")
    ] = False,
) -> None:
    """Print the active policy's file (copy it, edit it, pass it with --policy or activate it)."""
    if default:
        typer.echo(default_policy_text(), nl=False)
        return
    with session_scope() as session:
        text = active_policy_text(session)
    typer.echo(text, nl=not text.endswith("\n"))


@policy_app.command("list")
def policy_list(
    limit: Annotated[int, typer.Option(help="At most this many activations.")] = 50,
) -> None:
    """The history of the active policy, newest first (the first line is the active one)."""
    check_limit(limit)
    with session_scope() as session:
        rows = policy_history(session, limit=limit)
        lines = []
        for i, r in enumerate(rows):
            data = (r.summary or {}).get("data") or {}
            fitted = (r.summary or {}).get("train_until")
            about = "not calibrated here"
            if fitted:
                about = (
                    f"fitted before {fitted} on {data.get('dataset', '?')}"
                    f" ({data.get('incidents', '?')} incidents"
                    f" {data.get('first_date', '?')}..{data.get('last_date', '?')})"
                )
            lines.append(
                f"{'*' if i == 0 else ' '} #{r.id} {r.activated_at:%Y-%m-%d %H:%M} {r.version}"
                f" ({r.sha256[:12]}) {about}{'; ' + r.note if r.note else ''}"
            )
    if not lines:
        shipped = load_policy(None)
        typer.echo(
            f"no policy activated: the shipped default {shipped.version}"
            f" ({shipped.sha256[:12]}) is in use"
        )
        return
    typer.echo("\n".join(lines))


@policy_app.command("activate")
def policy_activate(
    ref: Annotated[
        str,
        typer.Argument(
            metavar="VERSION|FILE|default",
            help="A stored version, a policy file (YAML or TOML), or 'default' (shipped).",
        ),
    ],
    note: Annotated[str, typer.Option(help="Why (kept in the history).")] = "",
) -> None:
    """Make a policy the deployment's active policy (appended to the history)."""
    path = Path(ref)
    try:
        with session_scope() as session:
            if ref != "default" and (path.suffix.lower() in (".yaml", ".yml", ".toml")):
                if not path.is_file():
                    raise PolicyNotFoundError(f"no policy file {ref}")
                row = activate_file(session, path, note=note, now=system_clock.now())
            else:
                row = activate_version(session, ref, note=note, now=system_clock.now())
            text = f"active policy: {row.version} ({row.sha256[:12]}), #{row.id}"
    except (PolicyNotFoundError, PolicyError, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(text)


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
    """Compute the threat surface and the probabilities; write GeoJSON and a PNG map."""
    day = _date(as_of)
    with session_scope() as session:
        pol = _policy(session, policy)
        surf = served_surface(
            session, as_of=day, policy=pol, source=source, as_recorded=as_recorded
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
        summary = surf.to_dict()
        if save:
            record_result(
                session,
                kind="surface",
                as_of=day,
                policy=surf.policy,  # as served: recalibrated for the quarter, if it asks
                score=float(surf.values.max(initial=0.0)),
                details={**summary, "files": written},
            )
    typer.echo(surf.explain())
    for path in written:
        typer.echo(f"wrote {path}")


def draw_surface(surf: Any, path: Path) -> None:
    """A PNG map of the surface: each cell with probabilities coloured by its level (the
    web's colours), the borders of Pakistan and its neighbours, and a legend of the levels
    with the chance each stands for."""
    import matplotlib  # heavy: loaded for a PNG only

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # heavy: as above
    from matplotlib.collections import PolyCollection  # heavy: as above
    from matplotlib.patches import Patch  # heavy: as above

    from safecorridor.geo import base_map  # numpy and a file read, for a PNG only
    from safecorridor.taxonomy import level_colours  # for a PNG only

    colour_of = level_colours()
    pol = surf.policy
    bands = {str(k): float(v) for k, v in pol.levels["bands"].items()}
    names = list(bands)
    fig, ax = plt.subplots(figsize=(9, 9), dpi=120)
    cells = surf.prob_cells
    if len(cells):
        levels = surf.level_of_cells(cells)
        polys = [[(lng, lat) for lat, lng in h3i.cell_to_boundary(int(c))] for c in cells]
        colours = [colour_of.get(str(lv), "#999999") for lv in levels]
        ax.add_collection(PolyCollection(polys, facecolors=colours, linewidths=0, alpha=0.85))
    for kind, rings in base_map():
        for ring in rings:
            width = 0.8 if kind == "country" else 0.3
            ax.plot(ring[:, 0], ring[:, 1], color="#333333", linewidth=width)
    west, south, east, north = 60.5, 23.5, 78.0, 37.5  # Pakistan, and the cells beyond it
    if len(cells):
        lat, lng = np.array([h3i.cell_to_latlng(int(c)) for c in cells]).T
        west, east = min(west, lng.min() - 0.3), max(east, lng.max() + 0.3)
        south, north = min(south, lat.min() - 0.3), max(north, lat.max() + 0.3)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    uppers = [*list(bands.values())[1:], 1.0]
    legend = [
        Patch(color=colour_of.get(n, "#999999"), label=f"{n}: {_band(lo, hi)}")
        for n, lo, hi in zip(names, bands.values(), uppers, strict=True)
    ]
    event = "fatal incident" if pol.levels["event"] == "fatal" else "incident"
    ax.legend(
        handles=legend,
        loc="lower right",
        title=f"chance of a {event}\nwithin {pol.probability_radius_km:g} km in"
        f" {pol.levels['horizon_days']} days",
        fontsize=8,
        title_fontsize=8,
    )
    ax.set_title(f"Threat levels as of {surf.as_of}\npolicy {pol.version}", fontsize=11, loc="left")
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def _band(lo: float, hi: float) -> str:
    return f"{100 * lo:.0f}% or more" if hi >= 1.0 else f"{100 * lo:.0f}-{100 * hi:.0f}%"


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
    day = _date(as_of)
    with session_scope() as session:
        try:
            site = registry.find_site(session, ref) if kind == "site" else None
            route = registry.find_route(session, ref) if kind == "route" else None
        except registry.LookupFailedError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
        pol = _policy(session, policy)
        surf = served_surface(
            session, as_of=day, policy=pol, source=source, as_recorded=as_recorded
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
            service.record_figure(session, figure, surf.policy)
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
    """A site's level with the probability it stands for, its score and explanation."""
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
    """A route's level and probabilities, the riskiest segments and the measures required."""
    _assess("route", ref, as_of, policy, source, as_recorded, as_json, save)


@app.command("warm")
def warm_cmd(
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit now the policy served in --as-of's quarter to every group of readers (trusted,
    each organisation, each user with RED grants) and keep the fits in the store, so no
    page or API call pays for the fit. The worker's risk_fits step does this by itself."""
    day = _date(as_of)
    with session_scope() as session:
        pol = _policy(session, policy)
        warmed = service.warm_fits(
            session, lambda: session_scope(write=True), as_of=day, policy=pol
        )
    if as_json:
        typer.echo(json.dumps([w.__dict__ for w in warmed], indent=2))
        return
    if not warmed:
        typer.echo(f"{pol.version} is served as it is (recalibrate: never): nothing to fit")
        return
    for w in warmed:
        if w.version == pol.version:
            what = "served as it is (too few incidents, or the policy was fitted on them)"
        else:
            what = f"{w.version}, {'stored' if w.stored else 'already in the store'}"
        typer.echo(f"{w.readers}: {w.incidents} incidents readable before the quarter: {what}")


def _read_incidents(
    data: str | None, source: str | None, *, until: date | None = None
) -> tuple[Any, str, str]:
    """(incidents, dataset name, description of the source) of ``--data`` or ``--source``."""
    if data is not None:
        path, name, described = _data_file(data)
        incidents = read_ucdp_csv(path)
        return incidents, name, described
    with session_scope() as session:
        incidents = read_store(session, source_dataset=source, as_of=until)
    return incidents, source or "all", "store"


def _runner(dask: str | None) -> Any:
    """The runner of ``--dask ADDRESS`` (else this process); an unreachable scheduler is a
    one-line error."""
    try:
        return make_runner(dask=dask, timeout=get_settings().dask_timeout)
    except ClusterUnreachableError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


def _command(name: str, options: list[tuple[str, Any]]) -> str:
    parts = ["safecorridor", "risk", name]
    for flag, value in options:
        if value is None or value is False:
            continue
        parts.append(flag)
        if value is not True:
            parts.append(str(value))
    return shlex.join(parts)


@app.command("calibrate")
def calibrate_cmd(
    source: Annotated[
        str | None, typer.Option("--source", help="Fit on the store's incidents of this dataset.")
    ] = None,
    data: Annotated[str | None, typer.Option("--data", help=DATA_HELP)] = None,
    train_until: Annotated[
        str | None,
        typer.Option("--train-until", help="Fit on incidents before this date (default today)."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="The policy to start from (default: the active policy)."),
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Version of the new policy.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the policy here (default risk-policy-VERSION.yaml)."),
    ] = None,
    activate: Annotated[
        bool, typer.Option("--activate", help="Make it the deployment's active policy.")
    ] = False,
    dask: Annotated[str | None, typer.Option("--dask", help=DASK_HELP)] = None,
) -> None:
    """Fit the surface and probability parameters on the history before --train-until with
    rolling validation; write a new versioned policy file; optionally activate it."""
    if (data is None) == (source is None):
        raise typer.BadParameter("give exactly one of --data FILE|NAME and --source DATASET")
    t0 = _date(train_until)
    incidents, dataset, described = _read_incidents(data, source, until=t0)
    if policy is not None:
        base = _policy_file(policy)
    else:
        with session_scope() as session:
            base = _policy(session, None)
    command = _command(
        "calibrate",
        [
            ("--data", data),
            ("--source", source),
            ("--train-until", t0.isoformat()),
            ("--policy", policy.name if policy else None),
            ("--version", version),
        ],
    )
    try:
        with _runner(dask) as runner:
            result = calibrate(
                incidents,
                base=base,
                train_until=t0,
                dataset=dataset,
                source=described,
                command=command,
                version=version,
                runner=runner,
            )
    except CalibrationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    pol = result.policy
    target = out or Path(f"risk-policy-{pol.version}.yaml")
    text = dump_policy(pol.data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    d = result.data
    typer.echo(
        f"calibrated {pol.version} ({pol.sha256[:12]}) on {d.incidents} incidents of"
        f" {d.dataset}, {d.first_date}..{d.last_date} (sha256 {d.sha256[:12]})"
    )
    typer.echo(f"surface: {result.selection.label}")
    periods = result.selection.periods
    won = sum(1 for p in periods if p["beats_baselines"])
    typer.echo(
        f"  validated on {result.selection.validation}: beats both count baselines in"
        f" {won} of {len(periods)}"
    )
    for key, v in result.probability_report["validation"].items():
        typer.echo(
            f"probability {key}: Brier {v['brier']:.4f} vs base rate {v['brier_base_rate']:.4f}"
            f" on {v['scored_on']} ({v['cells']} cells)"
        )
    typer.echo(f"wrote {target}")
    if activate:
        with session_scope() as session:
            row = activate_policy(session, pol, text=text, note=command, now=system_clock.now())
            typer.echo(f"active policy: {row.version} ({row.sha256[:12]}), #{row.id}")


def _print_calibration(results: list[Any], policy: Any) -> None:
    outcome = policy.level_outcome
    typer.echo("")
    typer.echo(calibration_table(results))
    for r in results:
        for c in r.calibration:
            if c.outcome != outcome:
                continue
            typer.echo(f"\nreliability of {outcome} from {r.train_until}, by level band:")
            typer.echo(reliability_table(c.by_level))
            typer.echo(f"\nreliability of {outcome} from {r.train_until}, by tenths:")
            typer.echo(reliability_table(c.by_tenth))


@app.command("backtest")
def backtest_cmd(
    train_until: str = typer.Option(
        ..., "--train-until", help="Fit on incidents before this date."
    ),
    test_until: str = typer.Option(
        ..., "--test-until", help="Test on incidents from --train-until to this date."
    ),
    data: str = typer.Option(None, "--data", help=DATA_HELP),
    source: str = typer.Option(
        None, "--source", help="Use incidents in the store of this dataset (e.g. ucdp)."
    ),
    level: str = typer.Option("both", "--level", help="h3, district or both."),
    policy: Path = typer.Option(None, "--policy", help=POLICY_HELP),
    validate: bool = typer.Option(
        True,
        "--validate/--no-validate",
        help="Calibrate on the periods before --train-until (else use the policy as it is).",
    ),
    area: str = typer.Option(
        "events",
        "--area",
        help="H3 study area: events (cells holding an incident + 2 rings) or hull.",
    ),
    as_served: bool = typer.Option(
        False,
        "--surface-as-served",
        help=(
            "Score exactly what `risk surface --as-of TRAIN_UNTIL` serves (the store, the"
            " active policy or --policy; H3 only)."
        ),
    ),
    save: bool = typer.Option(False, "--save/--no-save", help="Record the results in the store."),
    yearly: bool = typer.Option(
        False,
        "--yearly",
        help=(
            "One test window per year from --train-until to --test-until, each fitted on the"
            " history before its own start (with --dask: the windows run side by side)."
        ),
    ),
    dask: str = typer.Option(None, "--dask", help=DASK_HELP),
) -> None:
    """Fit before a cut-off, score every cell/district, compare with the test period:
    AUC / PAI / hit rates against count baselines, and the calibration of the probabilities
    (Brier score against the base rate, reliability tables)."""
    if level not in ("h3", "district", "both"):
        raise typer.BadParameter("--level is h3, district or both")
    if area not in ("events", "hull"):
        raise typer.BadParameter("--area is events or hull")
    t0, t1 = _date(train_until), _date(test_until)
    if t1 <= t0:
        raise typer.BadParameter("--test-until must be after --train-until")
    results = []
    if as_served:
        if data is not None:
            raise typer.BadParameter("--surface-as-served scores the store: use --source")
        if dask is not None or yearly:
            raise typer.BadParameter(
                "--surface-as-served scores one served surface: leave out --dask and --yearly"
            )
        with session_scope() as session:
            pol = _policy(session, policy)
            surf = served_surface(session, as_of=t0, policy=pol, source=source)
            incidents = read_store(session, source_dataset=source)
        if len(incidents) == 0:
            typer.echo("no incidents", err=True)
            raise typer.Exit(1)
        results.append(score_surface(surf, incidents, test_until=t1, area=area))
    else:
        if (data is None) == (source is None):
            raise typer.BadParameter("give exactly one of --data FILE|NAME and --source DATASET")
        incidents, dataset, described = _read_incidents(data, source)
        if len(incidents.select(incidents.date < np.datetime64(t1, "D"))) == 0:
            typer.echo("no incidents", err=True)
            raise typer.Exit(1)
        if policy is not None:
            pol = _policy_file(policy)
        else:
            with session_scope() as session:
                pol = _policy(session, None)
        try:
            spans = yearly_windows(t0, t1) if yearly else [(t0, t1)]
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--yearly") from exc
        levels = ["h3", "district"] if level == "both" else [level]
        units = [(lv, a.isoformat(), b.isoformat()) for lv in levels for a, b in spans]
        context = BacktestContext(incidents, pol, validate, area, dataset, described)
        try:
            with _runner(dask) as runner:
                results.extend(backtest_windows(units, context, runner))
        except CalibrationError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
    typer.echo(markdown_table(results))
    typer.echo("")
    typer.echo(summary_table(results))
    for r in results:
        typer.echo(
            f"{r.level}: {r.n_units} units, {r.n_test} test incidents; model: {r.chosen}"
            + (f"; validated on {r.validation}" if r.validation else "")
        )
    calibrated = [r for r in results if r.calibration]
    if calibrated:
        _print_calibration(calibrated, pol)
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
                        "as_served": as_served,
                        "metrics": {
                            x.method: {
                                "hit": {str(k): v for k, v in x.hit.items()},
                                "pai": {str(k): v for k, v in x.pai.items()},
                                "auc": x.auc,
                            }
                            for x in r.metrics
                        },
                        "calibration": [c.to_dict() for c in r.calibration],
                    },
                )
