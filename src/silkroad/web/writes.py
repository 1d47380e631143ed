"""Writes: upload a file and ingest it, behind a bearer token; progress of running ingests.

- With no token configured the write endpoints are off (403).
- ``Authorization: Bearer TOKEN`` is compared in constant time (:func:`hmac.compare_digest`);
  the token is read only from that header (never from the URL, so never in an access log) and
  never written to a log or an answer.
- The upload is streamed to disk under the store's ``uploads/`` directory as it arrives, and
  refused (413) past the size limit, partial file removed. Then the ingest runs in a
  background thread with the same guarantees as ``silkroad ingest`` (atomic, nothing lost);
  ``GET /api/v1/jobs/{id}`` shows its stage and progress, then its counts or its error.
"""

from __future__ import annotations

import hmac
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from silkroad.errors import InputError, SilkroadError
from silkroad.web import openapi as docs

if TYPE_CHECKING:
    from silkroad.web.state import Stores

KINDS = ("baci", "comtrade", "table")
#: Largest non-file form field (kind, reporter, force), bytes.
FIELD_LIMIT = 1024
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(filename: str | None, default: str) -> str:
    """A file name without directories or odd characters ('../../x.zip' → 'x.zip')."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _SAFE.sub("_", name).lstrip(".")
    return name[:120] or default


@dataclass
class Job:
    """One upload-and-ingest: its state and progress (what ``GET /jobs/{id}`` shows)."""

    id: str
    kind: str
    filename: str
    bytes: int = 0
    state: str = "queued"  # queued, running, done, failed
    stage: str | None = None
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    started: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "kind": self.kind,
            "filename": self.filename,
            "bytes": self.bytes,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "result": self.result,
            "error": self.error,
        }


class Jobs:
    """The write side of a server: the token, the upload limit and the ingest jobs."""

    def __init__(self, stores: Stores, *, token: str | None, upload_limit: int) -> None:
        self.stores = stores
        self._token = token.encode("utf-8") if token else None
        self.upload_limit = upload_limit
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the token
        return f"Jobs(writes={'on' if self._token else 'off'}, jobs={len(self.jobs)})"

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def authorize(self, request: Request) -> None:
        """Refuse a request without the right bearer token (constant-time comparison)."""
        if self._token is None:
            raise HTTPException(403, "write endpoints are off: the server has no token")
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode("utf-8"), self._token
        )
        if not ok:
            raise HTTPException(
                401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"}
            )

    def get(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise HTTPException(404, "no such job")
        return job

    def start(self, job: Job, path: Path, options: dict[str, Any]) -> None:
        with self._lock:
            self.jobs[job.id] = job
        thread = threading.Thread(
            target=self._run, args=(job, path, options), name=f"ingest-{job.id}", daemon=True
        )
        thread.start()

    def _run(self, job: Job, path: Path, options: dict[str, Any]) -> None:
        import silkroad as sr

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, int(done), int(total)

        job.state = "running"
        try:
            result = sr.ingest(
                sr.open(self.stores.home), job.kind, path, progress=progress, **options
            )
            job.result = result.to_dict()
            job.state = "done"
        except SilkroadError as exc:
            from silkroad.web.app import error_body, status_of

            job.error = error_body(type(exc).__name__, str(exc), status_of(exc), exc)["error"]
            job.state = "failed"
        except Exception as exc:  # an internal failure is reported on the job, not lost
            job.error = {"type": type(exc).__name__, "message": str(exc), "status": 500}
            job.state = "failed"
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)


async def receive_upload(
    request: Request, jobs: Jobs, folder: Path
) -> tuple[dict[str, str], dict[str, Path], int]:
    """Stream a multipart/form-data body to ``folder``: form fields, files by field, bytes.

    Files are written as they arrive; past ``jobs.upload_limit`` bytes the upload stops (413).
    """
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    boundary = opts.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise InputError(
            "the upload must be multipart/form-data",
            field="Content-Type",
            found=request.headers.get("content-type") or None,
            expected="multipart/form-data with fields kind and file",
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > jobs.upload_limit:
        raise HTTPException(413, f"the upload is larger than {jobs.upload_limit} bytes")

    fields: dict[str, str] = {}
    uploads: dict[str, Path] = {}
    state: dict[str, Any] = {"name": None, "filename": None, "fh": None, "buf": bytearray()}
    header: dict[str, bytes] = {"field": b"", "value": b""}
    headers: dict[bytes, bytes] = {}

    def on_part_begin() -> None:
        headers.clear()
        state.update(name=None, filename=None, fh=None, buf=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        headers[header["field"].lower()] = header["value"]
        header["field"], header["value"] = b"", b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(headers.get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if b"filename" in disp:
            filename = safe_name(disp[b"filename"].decode("utf-8", "replace"), name or "upload")
            target = folder / f"{name}-{filename}" if name != "file" else folder / filename
            state["filename"] = target
            state["fh"] = open(target, "wb")  # noqa: SIM115 (closed in on_part_end)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["fh"] is not None:
            state["fh"].write(data[start:end])
        else:
            state["buf"] += data[start:end]
            if len(state["buf"]) > FIELD_LIMIT:
                raise InputError(
                    "a form field is too long",
                    field=state["name"],
                    expected=f"at most {FIELD_LIMIT} bytes",
                )

    def on_part_end() -> None:
        if state["fh"] is not None:
            state["fh"].close()
            uploads[state["name"]] = state["filename"]
        elif state["name"]:
            fields[state["name"]] = state["buf"].decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > jobs.upload_limit:
                raise HTTPException(413, f"the upload is larger than {jobs.upload_limit} bytes")
            parser.write(chunk)
        parser.finalize()
    finally:
        if state["fh"] is not None and not state["fh"].closed:
            state["fh"].close()
    return fields, uploads, received


def router(jobs: Jobs) -> APIRouter:
    """``POST /api/v1/ingest`` and ``GET /api/v1/jobs[/{id}]``."""
    from silkroad.web.api import PREFIX, json_response

    r = APIRouter(prefix=PREFIX, tags=["writes"])
    auth = (401, 403)

    @r.post(
        "/ingest",
        status_code=202,
        summary="Upload a file and ingest it (needs the bearer token)",
        responses={
            202: {
                "description": "Accepted: the ingest runs; follow it at /api/v1/jobs/{id}.",
                "content": {
                    "application/json": {"schema": docs.JOB_SCHEMA, "example": docs.JOB_EXAMPLE}
                },
            },
            **docs.errors((400, *auth, 413)),
        },
        openapi_extra={
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["kind", "file"],
                            "properties": {
                                "kind": {"type": "string", "enum": list(KINDS)},
                                "file": {"type": "string", "format": "binary"},
                                "mapping": {
                                    "type": "string",
                                    "format": "binary",
                                    "description": "table: the YAML mapping (docs/tables.md)",
                                },
                                "reporter": {"type": "string", "description": "comtrade: ISO3"},
                                "force": {"type": "boolean"},
                            },
                        }
                    }
                },
            },
        },
    )
    async def upload(request: Request) -> Response:
        """Stream the file to disk, then ingest it in the background (same guarantees as the CLI)."""
        jobs.authorize(request)
        root = jobs.stores.home / "uploads"
        folder = root / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fields, files, size = await receive_upload(request, jobs, folder)
            kind = fields.get("kind", "").strip().lower()
            if kind not in KINDS:
                raise InputError(
                    "unknown source kind",
                    field="kind",
                    found=kind or None,
                    expected="baci, comtrade or table",
                )
            if "file" not in files:
                raise InputError(
                    "no file uploaded", field="file", expected="a file part named 'file'"
                )
            options: dict[str, Any] = {
                "force": fields.get("force", "").lower() in ("1", "true", "yes", "on")
            }
            if fields.get("reporter"):
                options["reporter"] = fields["reporter"].strip()
            if "mapping" in files:
                options["mapping"] = files["mapping"]
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = Job(id=folder.name, kind=kind, filename=files["file"].name, bytes=size)
        jobs.start(job, files["file"], options)
        return json_response(job.to_dict(), 202)

    @r.get(
        "/jobs",
        summary="Ingest jobs of this server (needs the bearer token)",
        responses={
            200: {
                "description": "The jobs, newest first.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"jobs": {"type": "array", "items": docs.JOB_SCHEMA}},
                        }
                    }
                },
            },
            **docs.errors(auth),
        },
        openapi_extra={"security": [{"bearer": []}]},
    )
    def list_jobs(request: Request) -> Response:
        jobs.authorize(request)
        items = sorted(jobs.jobs.values(), key=lambda j: -j.started)
        return json_response({"jobs": [j.to_dict() for j in items]})

    @r.get(
        "/jobs/{job_id}",
        summary="One ingest job: state, stage, progress, then counts or the error",
        responses={
            200: {
                "description": "The job.",
                "content": {
                    "application/json": {"schema": docs.JOB_SCHEMA, "example": docs.JOB_EXAMPLE}
                },
            },
            **docs.errors((*auth, 404)),
        },
        openapi_extra={"security": [{"bearer": []}]},
    )
    def job(request: Request, job_id: str) -> Response:
        jobs.authorize(request)
        return json_response(jobs.get(job_id).to_dict())

    return r
