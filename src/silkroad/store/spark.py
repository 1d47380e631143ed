"""The Spark engine: the same Ibis queries over the store's Parquet files, run on PySpark.

Queries go to Spark; everything the store writes itself (year files, the quarantine, the pair
totals, the comparisons an ingest makes) stays on DuckDB and Arrow, inherited from
:class:`~silkroad.store.engine.DuckDBEngine`: a cluster reads a store, a single machine writes
it. Chosen with ``SILKROAD_ENGINE=spark`` (``pip install 'silkroad[spark]'``, Java 17).

One Spark application per process: the first :meth:`SparkEngine.connect` starts the session
(master ``SILKROAD_SPARK_MASTER``, default ``local[2]``) and every later one, from any store,
gets its own SQL session over the same context, so that temporary views of two stores never
collide and the JVM starts once. The session is fixed to what DuckDB does: time zone UTC, ANSI
mode off; local runs get few shuffle partitions. No Maven download, ever: the configuration
refuses ``spark.jars.packages``.

>>> import silkroad as sr  # doctest: +SKIP
>>> store = sr.open("/data/silkroad", engine=SparkEngine(master="local[2]"))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from silkroad import settings
from silkroad.errors import InputError, SilkroadError
from silkroad.store.engine import DuckDBEngine

#: Spark settings silkroad always sets (DuckDB's semantics); a user's overrides win.
BASE_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}
#: Added for a ``local[...]`` master: a few shuffle partitions (Spark's 200 are for clusters)
#: and the loopback address, so that nothing listens beyond this machine.
LOCAL_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
#: Configuration keys that would make Spark download jars from a Maven repository.
REFUSED_KEYS = ("spark.jars.packages", "spark.jars.repositories", "spark.jars.ivySettings")
#: SQL settings applied to every session silkroad hands out (they are per session in Spark).
SESSION_KEYS = (
    "spark.sql.session.timeZone",
    "spark.sql.ansi.enabled",
    "spark.sql.shuffle.partitions",
)

_LOCK = threading.Lock()
_ROOT: Any = None  # the one SparkSession of this process
_ROOT_MASTER: str | None = None


def parse_conf(text: str) -> dict[str, str]:
    """``key=value`` pairs separated by commas or newlines (``SILKROAD_SPARK_CONF``) as a dict;
    a one-line InputError for a pair without ``=`` or a key that would download jars."""
    out: dict[str, str] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                "bad Spark configuration entry",
                field="SILKROAD_SPARK_CONF",
                found=item,
                expected="key=value pairs separated by commas, e.g. spark.executor.memory=4g",
            )
        out[key.strip()] = value.strip()
    check_conf(out)
    return out


def check_conf(conf: Mapping[str, str]) -> None:
    """Refuse configuration that would fetch jars from a Maven repository at run time."""
    for key in conf:
        if key in REFUSED_KEYS:
            raise InputError(
                "silkroad never lets Spark download packages",
                field="SILKROAD_SPARK_CONF",
                found=key,
                expected="jars already on the cluster (spark.jars with local paths)",
            )


def session_conf(master: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """The configuration the session starts with: base, local defaults, then ``overrides``."""
    check_conf(overrides)
    conf = dict(BASE_CONF)
    if master.startswith("local"):
        conf |= LOCAL_CONF
    conf["spark.pyspark.python"] = sys.executable
    conf["spark.pyspark.driver.python"] = sys.executable
    return conf | dict(overrides)


def _import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as exc:
        raise SilkroadError(
            "the Spark engine needs PySpark, which is not installed",
            hint="pip install 'silkroad[spark]' (and Java 17), or use SILKROAD_ENGINE=duckdb",
        ) from exc
    return pyspark.sql


def shared_session(master: str, conf: Mapping[str, str]) -> Any:
    """The process's one SparkSession, started on first use with ``master`` and ``conf``.

    A later call with another master gets a one-line error: Spark runs one context per process.
    """
    global _ROOT, _ROOT_MASTER
    with _LOCK:
        if _ROOT is not None:
            if master != _ROOT_MASTER:
                raise SilkroadError(
                    "a Spark session with another master is already running in this process",
                    found=master,
                    expected=f"{_ROOT_MASTER} (Spark runs one context per process)",
                )
            return _ROOT
        sql = _import_pyspark()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        if master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = sql.SparkSession.builder.master(master).appName("silkroad")
        for key, value in session_conf(master, conf).items():
            builder = builder.config(key, value)
        try:
            _ROOT = builder.getOrCreate()
        except Exception as exc:  # no Java, a wrong JAVA_HOME, an unreachable master
            raise SilkroadError(
                "could not start Spark",
                found=" ".join(str(exc).split())[:160],
                expected=f"a reachable master {master!r} and Java 17 (java on PATH or JAVA_HOME)",
                hint="apt-get install openjdk-17-jre-headless, or use SILKROAD_ENGINE=duckdb",
            ) from exc
        _ROOT.sparkContext.setLogLevel("ERROR")
        _ROOT_MASTER = master
        return _ROOT


def stop_shared_session() -> None:
    """Stop the process's Spark session (tests and benchmarks, at exit); safe to call twice."""
    global _ROOT, _ROOT_MASTER
    with _LOCK:
        if _ROOT is not None:
            _ROOT.stop()
        _ROOT, _ROOT_MASTER = None, None


def _backend_class() -> type:
    """Ibis's PySpark backend, taught to read a list of Parquet files (the store's years)."""
    import ibis
    from ibis import util

    ibis.pyspark  # noqa: B018  (loading it through ibis registers ``ibis.options.pyspark``)
    from ibis.backends.pyspark import Backend

    class StoreSparkBackend(Backend):
        """Ibis on PySpark with ``read_parquet`` of several files, as the store asks it."""

        def read_parquet(
            self,
            path: str | Path | Sequence[str | Path],
            /,
            *,
            table_name: str | None = None,
            hive_partitioning: bool = False,
            **kwargs: Any,
        ) -> Any:
            """A table over the Parquet files ``path`` (one or a list); Spark reads them as
            one DataFrame. Directory names (``year=2014``) are never read as columns: the
            files carry their year, and Spark infers no partitions from files named one by
            one."""
            if hive_partitioning:
                raise SilkroadError(
                    "the Spark engine does not read partitions from directory names",
                    field="hive_partitioning",
                    found=True,
                    expected="False (the store's files carry their own columns)",
                )
            paths = [path] if isinstance(path, str | os.PathLike) else list(path)
            frame = self._session.read.parquet(*[os.fspath(p) for p in paths], **kwargs)
            name = table_name or util.gen_name("read_parquet")
            frame.createOrReplaceTempView(name)
            return self.table(name)

        def disconnect(self) -> None:
            """Leave the shared session running (other stores of the process use it)."""

    return StoreSparkBackend


class SparkEngine(DuckDBEngine):
    """Queries on PySpark (local mode or a cluster); the store's own statements on DuckDB.

    ``master`` (default ``SILKROAD_SPARK_MASTER``) and ``conf`` (default
    ``SILKROAD_SPARK_CONF``) apply when this process starts its Spark session.
    """

    name = "spark"

    def __init__(self, *, master: str | None = None, conf: Mapping[str, str] | None = None):
        super().__init__()
        self.master = master if master is not None else settings.spark_master()
        self.conf = dict(conf) if conf is not None else parse_conf(settings.spark_conf())
        check_conf(self.conf)

    def session(self) -> Any:
        """The process's shared SparkSession (started on first use)."""
        return shared_session(self.master, self.conf)

    def connect(self) -> Any:
        """A new Ibis PySpark backend on its own SQL session over the shared Spark context."""
        root = self.session()
        session = root.newSession()
        conf = session_conf(self.master, self.conf)
        for key in SESSION_KEYS:
            if key in conf:
                session.conf.set(key, conf[key])
        backend = _backend_class()().connect(session)
        return backend


__all__ = [
    "BASE_CONF",
    "LOCAL_CONF",
    "REFUSED_KEYS",
    "SparkEngine",
    "check_conf",
    "parse_conf",
    "session_conf",
    "shared_session",
    "stop_shared_session",
]
