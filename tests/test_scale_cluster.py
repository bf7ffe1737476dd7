"""A two-node Ray cluster on this machine (`ray.cluster_utils.Cluster`, one CPU per node), started
once for the module: `translate --ray` spreads its shards over both nodes and writes the local
run's bytes; `corpus build --ray` (with and without document pairing) aligns each pair as a task
and writes the local build's corpus."""

from __future__ import annotations

import pytest
import scale_helpers
from scale_helpers import (
    corpus_build,
    local_reference,
    node_count,
    translate,
    tree,
    write_documents,
    write_pairs,
)

ray = scale_helpers.import_ray()
READ = ("--field", "text", "--column", "text")


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    nodes.add_node(num_cpus=1)
    ray.init(address=nodes.address, logging_level="WARNING", log_to_driver=False)
    nodes.wait_for_nodes()
    yield nodes
    ray.shutdown()
    nodes.shutdown()


def test_two_nodes_write_the_local_runs_bytes(cluster, tiny_model_hi_en, tmp_path):
    documents = write_documents(tmp_path / "news")
    reference = local_reference(documents, tmp_path / "local", tiny_model_hi_en, *READ)
    result = translate(str(documents), "-o", str(tmp_path / "out"), "--model", str(tiny_model_hi_en),
                       "--threads", "1", "--no-cache", "-q", *READ, "--ship-model", "--ray", "auto")
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out") == reference
    assert node_count(tmp_path / "out" / ".translate-kit-shards") == 2  # both nodes translated shards


@pytest.mark.parametrize("pairing", [(), ("--pair-documents",)], ids=["by-name", "pair-documents"])
def test_corpus_build_on_two_nodes_equals_the_local_build(cluster, tmp_path, pairing):
    hi, en = write_pairs(tmp_path / "heaps")
    corpus_build(str(hi), str(en), "-o", str(tmp_path / "local"), *pairing)
    corpus_build(str(hi), str(en), "-o", str(tmp_path / "ray"), *pairing, "--ray", "auto")
    local, spread = tree(tmp_path / "local"), tree(tmp_path / "ray")
    assert local == spread and local["corpus.hi"].count(b"\n") > 10
