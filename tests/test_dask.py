"""A catalogue built on a Dask cluster's workers is byte-identical to one built on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_publish
from tests.test_release import copy_manuscript, digests, verify_against_manifest


def test_build_on_a_local_dask_cluster_matches_a_local_build(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    books = copy_manuscript(tmp_path / "manuscript")
    assert run_publish("build", *books, "--out", tmp_path / "local", "--jobs", "1").code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        result = run_publish("build", *books, "--out", tmp_path / "cluster", "--executor", address)
    assert result.code == 0, result.stderr
    verify_against_manifest(tmp_path / "cluster")
    assert digests(tmp_path / "cluster") == digests(tmp_path / "local")


def test_unknown_executor_is_a_usage_error():
    assert run_publish("build", "--executor", "spark://x").code == 2
