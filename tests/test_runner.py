"""The runners: in this process, a local process pool and a Dask cluster map a function over
items with one context, and give the results in the items' order."""

from __future__ import annotations

import operator
import socket

import pytest
from distributed import LocalCluster

from safecorridor.runner import (
    ClusterUnreachableError,
    DaskRunner,
    LocalRunner,
    PoolRunner,
    make_runner,
)

ITEMS = list(range(23))  # more items than chunks, and not a multiple of them


def test_here_and_in_a_pool_the_results_keep_the_items_order() -> None:
    expected = [3 * i for i in ITEMS]
    with LocalRunner() as here:
        assert here.map(operator.mul, ITEMS, 3) == expected
    with PoolRunner(2) as pool:
        assert pool.map(operator.mul, ITEMS, 3) == expected
        assert pool.map(operator.add, ["a", "b"], "!") == ["a!", "b!"]
        assert pool.map(operator.mul, [], 3) == []


@pytest.mark.dask
def test_on_a_cluster_the_results_keep_the_items_order() -> None:
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        DaskRunner(cluster.scheduler_address, timeout=10) as dask,
    ):
        assert dask.workers() == 2
        assert dask.map(operator.mul, ITEMS, 3) == [3 * i for i in ITEMS]
        context = [1, 2]
        assert dask.map(operator.add, [[0], [9]], context) == [[0, 1, 2], [9, 1, 2]]
        assert dask.map(operator.add, [[5]], context) == [[5, 1, 2]]  # scattered once, reused
        assert dask.map(operator.add, [[5]], [7]) == [[5, 7]]  # a new context is sent
        assert dask.map(operator.mul, [], 3) == []


def test_make_runner_picks_one_and_refuses_two() -> None:
    assert isinstance(make_runner(), LocalRunner)
    with make_runner(workers=2) as pool:
        assert isinstance(pool, PoolRunner) and pool.workers == 2
    with pytest.raises(ValueError, match="use --workers or --dask, not both"):
        make_runner(workers=2, dask="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="at least one worker"):
        PoolRunner(0)


def test_an_unreachable_or_malformed_address_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ClusterUnreachableError) as refused:
        DaskRunner(f"tcp://127.0.0.1:{port}", timeout=2)
    assert str(refused.value) == (
        f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: Connection refused"
    )
    assert isinstance(refused.value, OSError)  # the CLI's "could not run" for ingest
    for bad in ("nowhere", "tcp://:8786", "tcp://host:port"):
        with pytest.raises(ClusterUnreachableError, match="is not a Dask scheduler address"):
            DaskRunner(bad, timeout=2)
    with pytest.raises(ClusterUnreachableError, match="no Dask scheduler address given"):
        DaskRunner("  ")
