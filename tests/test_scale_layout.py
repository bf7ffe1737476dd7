"""How translator actors fit a Ray cluster's nodes (translate_kit.scale.options.actor_layout), CPU
and GPU; no Ray needed. The GPU rows are the only check of `--device cuda --ray` here: no run on
GPU hardware has been made (README, "Running on a cluster")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate_kit.scale import ClusterError
from translate_kit.scale.options import actor_layout

TWO_CPU_NODES = [{"CPU": 1.0, "memory": 1e9}, {"CPU": 1.0, "memory": 1e9}]
GPU_NODES = [{"CPU": 8.0, "GPU": 2.0}, {"CPU": 16.0, "GPU": 1.0}, {"CPU": 4.0}]


def test_cpu_actors_take_the_thread_layouts_cores_and_fill_each_node():
    layout = actor_layout([{"CPU": 8.0}, {"CPU": 6.0}], "cpu", threads=4)
    assert (layout.count, layout.resources, layout.device, layout.threads) == (3, {"num_cpus": 4}, "cpu", 4)


def test_an_actor_never_asks_for_more_cpus_than_a_node_has():
    layout = actor_layout(TWO_CPU_NODES, "cpu", threads=8)  # a 16-core driver, one-CPU nodes
    assert layout.resources == {"num_cpus": 1} and layout.threads == 1 and layout.count == 2


def test_one_gpu_and_one_cpu_per_actor_on_cuda():
    layout = actor_layout(GPU_NODES, "cuda", threads=4)
    assert layout.count == 3 and layout.resources == {"num_gpus": 1, "num_cpus": 1}
    assert layout.device == "cuda" and layout.threads == 1


def test_a_named_gpu_index_becomes_the_actors_own_gpu():
    # Ray sets CUDA_VISIBLE_DEVICES to the actor's GPU: index 1 would not exist inside it
    assert actor_layout(GPU_NODES, "cuda:1", threads=4).device == "cuda"


def test_auto_uses_gpus_when_the_cluster_has_them_and_cpus_otherwise():
    assert actor_layout(GPU_NODES, "auto", threads=2).resources == {"num_gpus": 1, "num_cpus": 1}
    cpu = actor_layout(TWO_CPU_NODES, "auto", threads=1)
    assert cpu.resources == {"num_cpus": 1} and cpu.device == "cpu"


def test_workers_choose_the_count():
    assert actor_layout(GPU_NODES, "cuda", threads=1, workers=1).count == 1
    assert actor_layout(TWO_CPU_NODES, "cpu", threads=1, workers=5).count == 5


def test_cuda_on_a_cluster_without_gpus_is_one_clear_error_not_a_wait():
    with pytest.raises(ClusterError, match="--device cuda: the Ray cluster has no GPU"):
        actor_layout(TWO_CPU_NODES, "cuda", threads=1)
    with pytest.raises(ClusterError, match="no CPU"):
        actor_layout([{"GPU": 1.0}], "cpu", threads=1)


nodes = st.lists(st.fixed_dictionaries({"CPU": st.integers(0, 64).map(float),
                                        "GPU": st.integers(0, 8).map(float)}), min_size=1, max_size=12)


@given(nodes, st.sampled_from(["cpu", "cuda", "auto"]), st.integers(1, 32))
def test_every_actor_fits_a_node_and_together_they_fit_the_cluster(cluster, device, threads):
    try:
        layout = actor_layout(cluster, device, threads)
    except ClusterError:
        no_gpu, no_cpu = (all(n[kind] == 0 for n in cluster) for kind in ("GPU", "CPU"))
        gpu = device == "cuda" or (device == "auto" and not no_gpu)
        assert (gpu and no_gpu) or (not gpu and no_cpu)
        return
    if "num_gpus" in layout.resources:
        assert layout.count == sum(n["GPU"] for n in cluster)
        return
    cpus = layout.resources["num_cpus"]
    assert 1 <= cpus <= threads and any(n["CPU"] >= cpus for n in cluster)
    assert layout.count * cpus <= sum(n["CPU"] for n in cluster) and layout.threads == cpus
