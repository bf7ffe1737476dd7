"""`ray://` addresses (Ray Client): a Ray head started by the test with a client server, joined
through `ray://127.0.0.1:PORT`. Ray Data cannot run in a client process, so the run's driver runs
as a task in the cluster (translate_kit.scale.client): the local run's bytes, progress relayed
to the caller, and a bad output place one line here. `corpus build` (plain Ray tasks, which do
run through a client) gives the local build's corpus."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import scale_helpers
from scale_helpers import corpus_build, local_reference, tree, wait_for, write_documents, write_pairs

from translate_kit.api import TranslateOptions
from translate_kit.errors import TranslateKitError
from translate_kit.scale import RayOptions, translate_documents_on_ray

ray = scale_helpers.import_ray()
READ = ("--field", "text", "--column", "text")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client_address():
    from ray.cluster_utils import Cluster

    with socket.socket() as probe:  # a free port for the client server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.MonkeyPatch.context() as environ:  # the cluster's Python finds translate_kit, as on any node
        environ.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        head = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "ray_client_server_port": port})
    wait_for(lambda: _listening(port), 90, "Ray Client server listening")  # it starts after the head
    yield f"ray://127.0.0.1:{port}"
    head.shutdown()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_a_ray_client_address_runs_the_driver_in_the_cluster(client_address, tiny_model_hi_en, tmp_path):
    documents = write_documents(tmp_path / "news", count=4)
    reference = local_reference(documents, tmp_path / "local", tiny_model_hi_en, *READ)
    options = TranslateOptions(model=str(tiny_model_hi_en), threads=2, use_memory=False, fields=("text",),
                               columns=("text",))
    updates: list[tuple[int, int, int]] = []
    result = translate_documents_on_ray(str(documents), str(tmp_path / "out"), options,
                                        ray_options=RayOptions(address=client_address, shard_bytes=1),
                                        progress=lambda *update: updates.append(update))
    assert not result.errors and result.stats["documents"] == 9 and result.stats["shards"] == 9
    assert tree(tmp_path / "out") == reference
    assert updates[0][0] == 0 and updates[-1] == (9, 9, result.stats["sentences"])
    assert not ray.is_initialized()  # the client connection is closed after the run

    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    with pytest.raises(TranslateKitError, match="not writable"):
        translate_documents_on_ray(str(documents), str(blocker / "out"), options,
                                   ray_options=RayOptions(address=client_address))


def test_corpus_build_through_a_ray_client_address_equals_the_local_build(client_address, tmp_path):
    hi, en = write_pairs(tmp_path / "heaps", count=3)
    corpus_build(str(hi), str(en), "-o", str(tmp_path / "local"))
    corpus_build(str(hi), str(en), "-o", str(tmp_path / "ray"), "--ray", client_address)
    local = tree(tmp_path / "local")
    assert tree(tmp_path / "ray") == local and local["corpus.hi"].count(b"\n") > 10
    assert not ray.is_initialized()
