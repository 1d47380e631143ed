"""HTTP with the manners a statistics API expects: retries with back-off, resumable files,
a response cache, and a secret key that is never printed, logged or cached.

Retries: connection drops, truncated bodies, HTTP 429 and 5xx, up to ``retries`` times, waiting
``Retry-After`` seconds (or the N of a "try again in N seconds" body), else an exponential
back-off from ``backoff`` seconds. Files are written to ``NAME.part`` and resumed with a Range
request after a drop; they are renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from silkroad.errors import DownloadError, InputError

__all__ = ["DownloadError", "Http", "Progress"]  # DownloadError re-exported from its old home

RETRY_STATUS = {429, 500, 502, 503, 504}
TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)

Progress = Callable[[str, int, int], None]


class Http:
    """A small client; ``secret_headers`` are sent but never appear in messages or the cache."""

    def __init__(
        self,
        *,
        retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 60.0,
        cache_dir: Path | None = None,
        secret_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.cache_dir = cache_dir
        self.sleep = sleep
        self.progress = progress
        self._secrets = dict(secret_headers or {})
        # A secret header must not follow a redirect to another host (httpx strips only
        # Authorization), so redirects are followed only when there is no secret to leak.
        self.client = httpx.Client(timeout=timeout, follow_redirects=not self._secrets)
        self.requests = 0  # requests sent (a cached answer sends none)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- retries -----------------------------------------------------------------------
    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            after = response.headers.get("Retry-After", "")
            if after.strip().isdigit():
                return float(after)
            try:
                body = response.text
            except httpx.ResponseNotRead:  # a streamed body that was cut off
                body = ""
            m = TRY_AGAIN.search(body)
            if m:
                return float(m.group(1))
        return self.backoff * (2**attempt)

    def _redact(self, text: str) -> str:
        for value in self._secrets.values():
            if value:
                text = text.replace(value, "***")
        return text

    def _fail(self, url: str, what: str) -> DownloadError:
        one_line = " ".join(self._redact(what).split())
        return DownloadError(one_line, path=self._redact(url), expected="a successful response")

    def _send(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
              headers: Mapping[str, str] | None = None) -> httpx.Response:  # fmt: skip
        self.requests += 1
        return self.client.request(
            method, url, params=params, headers={**(headers or {}), **self._secrets}
        )

    # --- JSON --------------------------------------------------------------------------
    def get_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        validate: Callable[[dict[str, Any]], None] | None = None,
        cache_as: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """GET a JSON document; answered from the cache when the same request was made before.

        ``validate`` may raise on an answer that must not be kept (empty, an error): such answers
        are never cached, so asking again later does call the server. ``cache_as`` turns an
        answer into what the cache keeps and what is returned (e.g. a small marker in place of a
        capped answer that will be split anyway).
        """
        key = hashlib.sha256(
            json.dumps([url, sorted((params or {}).items())], default=str).encode()
        ).hexdigest()
        cached = self.cache_dir / f"{key}.json" if self.cache_dir else None
        if cached is not None and cached.exists():
            return json.loads(cached.read_text(encoding="utf-8"))
        last = "no attempt"
        for attempt in range(self.retries + 1):
            response = None
            try:
                response = self._send("GET", url, params=params)
                if response.status_code in RETRY_STATUS:
                    last = f"HTTP {response.status_code}"
                elif response.status_code >= 400:
                    raise self._fail(url, f"HTTP {response.status_code}: {response.text[:200]}")
                else:
                    data = response.json()
                    if validate is not None:
                        validate(data)
                    if cache_as is not None:
                        data = cache_as(data)
                    if cached is not None:
                        cached.parent.mkdir(parents=True, exist_ok=True)
                        tmp = cached.with_suffix(".part")
                        tmp.write_text(json.dumps(data), encoding="utf-8")
                        tmp.replace(cached)
                    return data
            except (httpx.TransportError, json.JSONDecodeError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            if attempt < self.retries:
                self.sleep(self._wait(attempt, response))
        raise self._fail(url, f"giving up after {self.retries + 1} attempts ({last})")

    # --- files -------------------------------------------------------------------------
    def fetch_file(self, url: str, dest: Path) -> Path:
        """Download ``url`` to ``dest``, resuming a partial ``dest.part`` with a Range request."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        last = "no attempt"
        for attempt in range(self.retries + 1):
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            response = None
            try:
                with self.client.stream(
                    "GET", url, headers={**headers, **self._secrets}
                ) as response:
                    self.requests += 1
                    if response.status_code in RETRY_STATUS:
                        last = f"HTTP {response.status_code}"
                        response.read()
                    elif response.status_code == 416 and have:  # already complete
                        part.replace(dest)
                        return dest
                    elif response.status_code >= 400:
                        response.read()
                        raise self._fail(url, f"HTTP {response.status_code}")
                    else:
                        if response.status_code != 206:
                            have = 0  # the server ignored the Range: start again
                        total = _total(response, have)
                        with open(part, "ab" if have else "wb") as fh:
                            done = have
                            for chunk in response.iter_bytes():  # as it arrives
                                fh.write(chunk)
                                done += len(chunk)
                                if self.progress:
                                    self.progress("download", done, total or done)
                        if total is not None and part.stat().st_size != total:
                            last = f"truncated at {part.stat().st_size} of {total} bytes"
                        else:
                            part.replace(dest)
                            return dest
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if attempt < self.retries:
                self.sleep(self._wait(attempt, response if response is not None else None))
        raise self._fail(url, f"giving up after {self.retries + 1} attempts ({last})")


def _total(response: httpx.Response, have: int) -> int | None:
    """Full size of the file from Content-Range (206) or Content-Length (200)."""
    rng = response.headers.get("Content-Range", "")
    if "/" in rng and rng.rsplit("/", 1)[1].isdigit():
        return int(rng.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    if length and length.isdigit():
        return int(length) + (have if response.status_code == 206 else 0)
    return None


def require_key(env: Mapping[str, str], name: str) -> str:
    """The API key from environment variable ``name`` (never from the command line)."""
    key = env.get(name, "").strip()
    if not key:
        raise InputError(
            f"no API key in the environment variable {name}",
            field="--key-env",
            expected="export it first (the key is never printed or stored)",
        )
    return key
