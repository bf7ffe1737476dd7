"""Starting or joining the Ray cluster a run works on, with a bounded wait and clear errors.

`connect(None)` starts a private local Ray instance sized to this machine's cores and stops it
afterwards; `connect("auto")` joins the cluster this node belongs to (`ray start` ran here);
`connect("host:port")` joins a cluster's head (GCS port, 6379 by default) and
`connect("ray://host:10001")` goes through the Ray Client server (a translation run then drives
from inside the cluster: translate_kit.scale.client).

Ray waits a long time for a head that never answers (ray.init gives up only after minutes), so
an address is first probed with a plain TCP connection (a host that is down, a closed port or a
firewall that drops packets is one line within 10 s), then joined with a bound on the whole
attempt (something that accepts connections but is no Ray head: one line after 60 s).

Authentication: since Ray 2.59 a local instance runs with token authentication (RAY_AUTH_MODE=
token) and ray.init generates the token itself (~/.ray/auth_token). A cluster started with
authentication is joined with the same token, from RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or
~/.ray/auth_token (`ray get-auth-token` prints it on the head); a refused token becomes one line
saying so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..errors import TranslateKitError

INSTALL_HINT = "Ray is not installed: pip install 'translate-kit[ray]'"
DEFAULT_GCS_PORT = 6379
DEFAULT_CLIENT_PORT = 10001
PROBE_TIMEOUT = 10.0
JOIN_TIMEOUT = 60.0
CLIENT_RETRY_SECONDS = 2.0


class ClusterError(TranslateKitError):
    """The cluster cannot be reached or joined; the message says which address and why."""


def require_ray():
    """The `ray` module (with Ray Data), or a TranslateKitError saying how to install the extra."""
    try:
        import ray
        import ray.data  # noqa: F401  (Ray Data is part of the extra)
    except ImportError:
        raise TranslateKitError(INSTALL_HINT) from None
    return ray


def _endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) to probe for an explicit address; None for `auto`."""
    if address == "auto":
        return None
    if address.startswith("ray://"):
        parts = urlsplit(address)
        return parts.hostname or "127.0.0.1", parts.port or DEFAULT_CLIENT_PORT
    host, _, port = address.rpartition(":")
    if not host:
        return address, DEFAULT_GCS_PORT
    try:
        return host, int(port)
    except ValueError:
        raise ClusterError(
            f"bad Ray address {address!r}: expected HOST:PORT, ray://HOST:PORT or auto"
        ) from None


def probe(address: str, timeout: float = PROBE_TIMEOUT) -> None:
    """Raise ClusterError unless the head at `address` accepts a TCP connection within `timeout`."""
    endpoint = _endpoint(address)
    if endpoint is None:
        return
    try:
        with socket.create_connection(endpoint, timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, TimeoutError):
            reason = f"no answer within {timeout:g} s"
        raise ClusterError(
            f"cannot reach the Ray cluster at {address}: {reason} "
            "(is `ray start --head` running there, and the port open?)"
        ) from None


@contextlib.contextmanager
def connect(
    address: str | None, *, num_cpus: int | None = None, timeout: float = JOIN_TIMEOUT
) -> Iterator[dict]:
    """Ray connected for the duration of the block; yields each live node's resources.

    A run joined to a cluster that is already connected in this process (a test's cluster, a
    notebook) reuses that connection and leaves it open.
    """
    ray = require_ray()
    if ray.is_initialized():
        yield node_resources()
        return
    quiet_logs = {"logging_level": logging.WARNING, "log_to_driver": False}
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # no retry chatter from Ray's C++ core
    try:
        if address:
            probe(address, min(timeout, PROBE_TIMEOUT))
            _bounded(lambda: _join(ray, address, quiet_logs, time.monotonic() + timeout), address, timeout)
        else:
            # "local": always a new instance; without it ray.init joins any Ray found running here
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, **quiet_logs)
    except ConnectionError as exc:
        where = address or "auto"
        raise ClusterError(f"cannot join the Ray cluster at {where}: {_first_line(exc)}") from None
    except (RuntimeError, ValueError) as exc:
        text = str(exc)
        if "auth" in text.lower() or "token" in text.lower():
            raise ClusterError(
                f"the Ray cluster at {address} refused this client's token: set RAY_AUTH_TOKEN (or "
                "RAY_AUTH_TOKEN_PATH) to the cluster's token (`ray get-auth-token` on the head)"
            ) from None
        raise ClusterError(f"cannot start or join Ray ({address or 'local'}): {_first_line(exc)}") from None
    try:
        yield node_resources()
    finally:
        ray.shutdown()


def _join(ray, address: str, options: dict, deadline: float) -> None:
    """ray.init(address), tried again (until `deadline`) when a Ray Client server refuses a session
    at first: its head starts the per-client server and runtime-env agent lazily, and a client that
    comes right after `ray start` can be turned away ("Initialization failure from server")."""
    while True:
        try:
            ray.init(address=address, **options)
            return
        except ConnectionError:
            if not address.startswith("ray://") or time.monotonic() + CLIENT_RETRY_SECONDS > deadline:
                raise
            ray.shutdown()  # drop the refused client session before trying again
            time.sleep(CLIENT_RETRY_SECONDS)


def node_resources() -> list[dict[str, float]]:
    """The resources of every live node ({"CPU": 8.0, "GPU": 1.0, ...}), as actors must fit them."""
    return [node["Resources"] for node in require_ray().nodes() if node.get("Alive")]


def _bounded(call, address: str, timeout: float) -> None:
    """`call()` (ray.init), or ClusterError after `timeout` seconds: something that accepts TCP
    connections without being a Ray head (a proxy, another service) would keep Ray retrying for
    minutes. The abandoned attempt runs on in a daemon thread, which never holds up the exit."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:  # handed to the caller's thread below
            outcome.append(exc)

    thread = threading.Thread(target=attempt, name="ray-init", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise ClusterError(
            f"cannot join the Ray cluster at {address}: no Ray answer within {timeout:g} s "
            "(is it a Ray head's address, and the same Ray version?)"
        )
    if outcome[0] is not None:
        raise outcome[0]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def in_cluster_node() -> str | None:
    """The id of the node this driver runs on (None through Ray Client, which has no local node)."""
    ray = require_ray()
    with contextlib.suppress(Exception):
        from ray.util.client import ray as client

        if client.is_connected():
            return None
    return ray.get_runtime_context().get_node_id()


def environment_address() -> str | None:
    """RAY_ADDRESS, which Ray's job runner sets for a submitted driver."""
    return os.environ.get("RAY_ADDRESS") or None
