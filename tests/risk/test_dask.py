"""`risk calibrate --dask` and `risk backtest --dask` on a real Dask cluster (a LocalCluster in
this process): the same output, to the byte, as a run here; and one clear line when the
scheduler cannot be reached."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from distributed import LocalCluster
from sqlalchemy import Engine
from typer.testing import CliRunner

from safecorridor.cli.risk import app
from safecorridor.risk.backtest import H3Backtest, select
from safecorridor.risk.data import read_ucdp_csv
from safecorridor.risk.policy import load_policy
from safecorridor.risk.windows import yearly_windows
from safecorridor.runner import DaskRunner
from safecorridor.settings import get_settings
from tests.conftest import UCDP_CSV

pytestmark = pytest.mark.dask
runner = CliRunner()
CUT = ["--train-until", "2004-01-01"]  # 433 incidents before it: a small, quick grid


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_calibrate_on_the_cluster_writes_the_same_policy(
    sqlite_engine: Engine, cluster: LocalCluster, tmp_path: Path
) -> None:
    outputs, texts = [], []
    for name, extra in (("here", []), ("dask", ["--dask", cluster.scheduler_address])):
        out = tmp_path / f"{name}.yaml"
        result = runner.invoke(
            app, ["calibrate", "--data", "ucdp-pakistan", *CUT, "--out", str(out), *extra]
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.output.replace(str(out), "OUT"))
        texts.append(out.read_text("utf-8"))
    assert "validated on 12 periods" in outputs[0]
    assert outputs[0] == outputs[1]
    assert texts[0] == texts[1] and "models:" in texts[0]


@pytest.mark.slow
def test_backtest_on_the_cluster_prints_the_same_tables(
    sqlite_engine: Engine, cluster: LocalCluster
) -> None:
    args = ["backtest", "--data", "ucdp-pakistan", *CUT, "--test-until", "2005-01-01"]
    here = runner.invoke(app, args)
    there = runner.invoke(app, [*args, "--dask", cluster.scheduler_address])
    assert here.exit_code == 0, here.output
    assert there.exit_code == 0, there.output
    assert "| h3 | 2004 |" in here.output and "| district | 2004 |" in here.output
    assert here.output == there.output


@pytest.mark.slow
def test_yearly_windows_run_side_by_side_with_the_same_tables(
    sqlite_engine: Engine, cluster: LocalCluster
) -> None:
    args = ["backtest", "--data", "ucdp-pakistan", "--train-until", "2003-01-01"]
    args += ["--test-until", "2005-01-01", "--level", "h3", "--yearly"]
    here = runner.invoke(app, args)
    there = runner.invoke(app, [*args, "--dask", cluster.scheduler_address])
    assert here.exit_code == 0, here.output
    assert there.exit_code == 0, there.output
    summary = [x.split("|")[2].strip() for x in here.output.splitlines() if x.startswith("| h3 |")]
    assert summary.count("2003") == summary.count("2004") == 1  # one summary row per year
    assert "2003-01-01..2004-01-01" in summary and "2004-01-01..2005-01-01" in summary
    assert here.output == there.output


def test_yearly_windows_cover_the_test_period() -> None:
    assert yearly_windows(date(2014, 1, 1), date(2016, 7, 1)) == [
        (date(2014, 1, 1), date(2015, 1, 1)),
        (date(2015, 1, 1), date(2016, 1, 1)),
        (date(2016, 1, 1), date(2016, 7, 1)),
    ]
    assert yearly_windows(date(2016, 2, 29), date(2018, 1, 1))[0][1] == date(2017, 2, 28)
    with pytest.raises(ValueError, match="at most 50 yearly windows"):
        yearly_windows(date(1900, 1, 1), date(2000, 1, 1))
    with pytest.raises(ValueError, match="must end after it starts"):
        yearly_windows(date(2000, 1, 1), date(2000, 1, 1))


def test_the_search_reduces_the_units_in_a_fixed_order(cluster: LocalCluster) -> None:
    """Below the CLI: the chosen candidate, its value to the last bit and every period."""
    inc = read_ucdp_csv(UCDP_CSV)
    inc = inc.select(inc.date < np.datetime64("2004-01-01"))
    bt = H3Backtest(inc, load_policy())
    span = np.timedelta64(365, "D")
    here = select(bt, train_until="2004-01-01", span=span)
    with DaskRunner(cluster.scheduler_address) as dask:
        there = select(bt, train_until="2004-01-01", span=span, runner=dask)
        assert dask.workers() == 2
    assert (here.chosen, here.label, here.value) == (there.chosen, there.label, there.value)
    assert len(here.periods) == 12 and here.periods == there.periods


def test_an_unreachable_scheduler_is_one_line_and_no_traceback(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAFECORRIDOR_DASK_TIMEOUT", "2")
    get_settings.cache_clear()
    address = f"tcp://127.0.0.1:{_closed_port()}"
    out = tmp_path / "p.yaml"
    for args in (
        ["calibrate", "--data", "ucdp-pakistan", *CUT, "--out", str(out)],
        ["backtest", "--data", "ucdp-pakistan", *CUT, "--test-until", "2005-01-01"],
    ):
        result = runner.invoke(app, [*args, "--dask", address])
        assert result.exit_code == 1
        assert (
            result.output.strip()
            == f"cannot reach the Dask scheduler at {address}: Connection refused"
        )
        assert "Traceback" not in result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        )
    assert not out.exists()
    bad = runner.invoke(app, ["calibrate", "--data", "ucdp-pakistan", *CUT, "--dask", "nowhere"])
    assert bad.exit_code == 1
    assert "'nowhere' is not a Dask scheduler address (tcp://HOST:PORT)" in bad.output
