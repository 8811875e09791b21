"""HTTP to Graph: timeouts, CA bundle, bearer tokens, Retry-After, one token refresh, error bodies."""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Protocol

import requests

from ..errors import AuthError, SyncError
from .drive import GraphError

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
_CONNECTION_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
_THROTTLED = {429, 503}
_TRANSIENT = {500, 502, 504}


class ConnectionLostError(SyncError):
    """Raised when the connection to SharePoint dropped and was not (or could not be) resent."""


class TokenSource(Protocol):
    """Gives bearer tokens; `invalidate` drops the cached one after a 401."""

    def token(self) -> str: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds on retrying: attempts per request and total seconds spent waiting per client."""

    attempts: int = 6
    max_total_wait: float = 300.0
    backoff_base: float = 1.0
    backoff_cap: float = 30.0


def user_agent() -> str:
    """Decorated User-Agent (Microsoft deprioritises undecorated traffic)."""
    try:
        version = metadata.version("docautomation")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"NONISV|Castor|docautomation/{version}"


class HttpSession(requests.Session):
    """A requests.Session that always passes `verify` and a timeout on every call.

    Passing `verify` per request matters: a session-level value is silently overridden by
    REQUESTS_CA_BUNDLE in the environment (psf/requests#3829), which would ignore ca_bundle.
    """

    def __init__(self, *, verify: str | bool, timeout: float) -> None:
        super().__init__()
        self._verify = verify
        self._timeout = timeout
        self.headers["User-Agent"] = user_agent()

    # requests' own signature spells out every keyword; passing them through is what matters.
    def request(  # type: ignore[override]
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> Any:
        """As requests.Session.request, with this session's verify and timeout as defaults."""
        if kwargs.get("verify") is None:
            kwargs["verify"] = self._verify
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().request(method, url, *args, **kwargs)


def make_session(ca_bundle: str, timeout: float) -> HttpSession:
    """The one HTTP session msal and the Graph client share."""
    return HttpSession(verify=ca_bundle or True, timeout=timeout)


class GraphTransport:
    """Sends Graph requests with retries; raises GraphError for answers the caller did not expect."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        tokens: TokenSource,
        *,
        sleep: Sleep = time.sleep,
        policy: RetryPolicy = RetryPolicy(),
        permission_hint: str = "",
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._sleep = sleep
        self._policy = policy
        self._hint = permission_hint
        self.waited = 0.0
        self.server_date: float | None = None

    def call(
        self,
        method: str,
        url: str,
        *,
        expect: Collection[int] = (200,),
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
        retry_connection: bool = True,
        what: str = "",
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; retry throttling, 5xx and dropped connections; refresh a 401 once.

        Args:
            method: HTTP method.
            url: a path under the Graph base URL ("/drives/…") or an absolute URL.
            expect: statuses returned to the caller; any other raises GraphError.
            auth: send the bearer token (False for pre-authenticated upload/download URLs).
            retry_connection: resend after a dropped connection (False when the caller resumes).
            what: Swedish description of the target for error messages.
        """
        full = url if url.startswith("https://") else self.base_url + url
        refreshed = False
        for attempt in range(1, self._policy.attempts + 1):
            sent = dict(headers or {})
            if auth:
                sent["Authorization"] = "Bearer " + self._tokens.token()
            try:
                response = self.session.request(method, full, headers=sent, **kwargs)
            except _CONNECTION_ERRORS as exc:
                if not retry_connection or attempt == self._policy.attempts:
                    raise ConnectionLostError(
                        f"Anslutningen till SharePoint bröts ({type(exc).__name__}) "
                        f"vid {what or method + ' ' + _short(full)}; försök igen senare."
                    ) from exc
                self._wait(self._backoff(attempt), full)
                continue
            self._note_date(response)
            status = response.status_code
            if status == 401 and auth and not refreshed:
                refreshed = True
                log.info("Graph svarade 401; hämtar en ny åtkomsttoken och försöker igen.")
                self._tokens.invalidate()
                continue
            if status in expect:
                return response
            retryable = status in _THROTTLED or status in _TRANSIENT
            if retryable and attempt < self._policy.attempts:
                self._wait(self._delay(response, attempt), full, status)
                continue
            raise self._error(response, method, full, what)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def _delay(self, response: requests.Response, attempt: int) -> float:
        if response.status_code in _THROTTLED:
            after = parse_retry_after(response.headers.get("Retry-After"))
            if after is not None:
                return after
        return self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        base = min(self._policy.backoff_cap, self._policy.backoff_base * 2.0 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)  # jitter keeps parallel clients apart

    def _wait(self, seconds: float, url: str, status: int | None = None) -> None:
        if self.waited + seconds > self._policy.max_total_wait:
            cause = f"svarar {status}" if status else "tappar anslutningen"
            raise SyncError(
                f"SharePoint {cause} och ber oss vänta {seconds:.0f} s till; den sammanlagda "
                f"väntetiden skulle bli över {self._policy.max_total_wait:.0f} s. "
                "Synkroniseringen avbryts och görs om vid nästa körning."
            )
        log.info("Väntar %.1f s (%s) innan nytt försök mot %s.", seconds, status, _short(url))
        self.waited += seconds
        self._sleep(seconds)

    def _note_date(self, response: requests.Response) -> None:
        date = response.headers.get("Date")
        if date:
            with contextlib.suppress(TypeError, ValueError):
                self.server_date = email.utils.parsedate_to_datetime(date).timestamp()

    def _error(self, response: requests.Response, method: str, url: str, what: str) -> GraphError:
        code, inner, request_id = error_codes(response)
        status = response.status_code
        target = what or f"{method} {_short(url)}"
        log.info(
            "Graph %s %s → %s %s %s request-id=%s", method, url, status, code, inner, request_id
        )
        if status == 401:
            return _AuthGraphError(
                f"Graph godtog inte åtkomsttoken (401 {code}) vid {target}, inte heller efter en "
                "ny inloggning. Kontrollera appens behörigheter och tenant.",
                status=status,
                code=code,
                inner=inner,
            )
        if status == 403:
            return GraphError(
                f"SharePoint nekade åtkomst (403 {code or 'accessDenied'}) vid {target}. "
                f"{self._hint}".rstrip(),
                status=status,
                code=code,
                inner=inner,
            )
        ref = f" (request-id {request_id})" if request_id else ""
        return GraphError(
            f"SharePoint svarade {status} {code} vid {target}{ref}.",
            status=status,
            code=code,
            inner=inner,
        )


class _AuthGraphError(GraphError, AuthError):
    """A 401 that survived a token refresh: a sign-in problem, not a network one."""

    exit_code = AuthError.exit_code


def error_codes(response: requests.Response) -> tuple[str, tuple[str, ...], str]:
    """(code, nested inner codes, request-id) from a Graph error body; empty when absent."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        return "", (), response.headers.get("request-id", "")
    code = str(error.get("code", ""))
    inner: list[str] = []
    node = error.get("innerError") or error.get("innererror")
    request_id = response.headers.get("request-id", "")
    while isinstance(node, dict):
        request_id = request_id or str(node.get("request-id", ""))
        if node.get("code"):
            inner.append(str(node["code"]))
        node = node.get("innerError") or node.get("innererror")
    return code, tuple(inner), request_id


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (a number or an HTTP date); None when absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _short(url: str) -> str:
    return url.split("?", 1)[0]
