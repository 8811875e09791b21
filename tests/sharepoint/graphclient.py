"""A GraphDriveClient wired to the stand-in, for the tests that talk to it directly."""

from __future__ import annotations

from pathlib import Path

from docautomation.sharepoint.auth import TokenProvider
from docautomation.sharepoint.graph import GraphDriveClient
from docautomation.sharepoint.runner import permission_hint
from docautomation.sharepoint.transport import GraphTransport, RetryPolicy, make_session
from docautomation.sharepoint.upload import FRAGMENT_UNIT
from tests.sharepoint.conftest import Tenant

OUT = "Dokument från docautomation/"


class Clock:
    """An injected sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_client(
    tenant: Tenant,
    *,
    auth: str = "secret",
    fragment: int = 16 * FRAGMENT_UNIT,
    policy: RetryPolicy | None = None,
    clock: Clock | None = None,
    **changes: object,
) -> GraphDriveClient:
    sp = tenant.settings(auth, **changes).sharepoint
    session = make_session(sp.ca_bundle, sp.timeout)
    tokens = TokenProvider(sp, session, cache_path=None)
    transport = GraphTransport(
        session,
        sp.graph_url,
        tokens,
        sleep=clock or Clock(),
        policy=policy or RetryPolicy(),
        permission_hint=permission_hint(sp),
    )
    return GraphDriveClient(transport, sp, fragment_size=fragment)


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / "src" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
