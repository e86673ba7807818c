"""Starting, watching and stopping the servers the benchmark measures."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def portal_command(
    port: int, workers: int, *, log_level: str = "warning", graceful_seconds: int | None = None
) -> list[str]:
    """uvicorn serving the portal as `backend.cli serve` does (start-up objects frozen out of the GC)."""
    command = uvicorn(
        ROOT, "backend.cli:frozen_app", port, workers=workers, log_level=log_level, options=("--factory",)
    )
    if graceful_seconds is not None:
        command += ["--timeout-graceful-shutdown", str(graceful_seconds)]
    return command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uvicorn(
    root: Path, app: str, port: int, *, workers: int, log_level: str, options: tuple[str, ...] = ()
) -> list[str]:
    """The command that serves `app` with the checkout's uvicorn on 127.0.0.1:`port`, without an access log."""
    where = ["--host", "127.0.0.1", "--port", str(port)]
    how = ["--workers", str(workers), "--no-access-log", "--log-level", log_level]
    return [str(root / ".venv" / "bin" / "uvicorn"), app, *options, *where, *how]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_pids(root: int) -> list[int]:
    tree = _children()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(tree.get(pid, []))
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(root: int) -> float:
    """CPU time (user and system) used so far by a process and its descendants."""
    ticks = 0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _role(pid: int, root: int) -> str:
    """What a process of a server is: its supervisor (the process started, when it has children), a
    worker, or multiprocessing's resource tracker (a helper of uvicorn's supervisor)."""
    if pid == root:
        return "supervisor"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "worker"
    return "helper" if b"resource_tracker" in command else "worker"


class MemorySampler:
    """The resident memory of each process of a server, sampled every 0.1 s in a thread while in use
    (`with MemorySampler(pid) as memory:`): `samples` by pid in KiB, `roles` by pid."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        self.root = root
        self.interval = interval
        self.samples: dict[int, list[int]] = {}
        self.roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in tree_pids(self.root):
                rss = _rss_kb(pid)
                if rss:
                    self.samples.setdefault(pid, []).append(rss)
                    if pid not in self.roles:
                        self.roles[pid] = _role(pid, self.root)
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if len(self.samples) == 1:  # a single process (Node) is its own worker
            self.roles = dict.fromkeys(self.samples, "worker")

    def peaks(self) -> list[dict]:
        """Each process's peak in MB, with its pid and role: supervisor first, then by pid."""
        order = {"supervisor": 0, "worker": 1, "helper": 2}
        return [
            {"pid": pid, "role": self.roles[pid], "peak_mb": round(max(s) / 1024, 1)}
            for pid, s in sorted(self.samples.items(), key=lambda item: (order[self.roles[item[0]]], item[0]))
        ]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)

    def pids(self) -> list[int]:
        return tree_pids(self.process.pid)

    @classmethod
    def start(
        cls,
        name: str,
        command: list[str],
        *,
        cwd,
        env,
        ready_url: str | None = None,
        ready_line: str | None = None,
        ready_port: int | None = None,
        timeout: float = 90,
    ) -> Server:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        server = cls(name, process)
        seen = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                server.log.append(line.rstrip())
                del server.log[:-200]
                if ready_line and ready_line in line:
                    seen.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n" + "\n".join(server.log[-30:]))
            if ready_line and seen.wait(0.2):
                return server
            if ready_url:
                try:
                    with urllib.request.urlopen(ready_url, timeout=2) as response:
                        if response.status == 200:
                            return server
                except OSError:
                    pass
            if ready_port:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", ready_port)) == 0:
                        return server
            time.sleep(0.2)
        server.stop()
        raise RuntimeError(f"{name} did not become ready:\n" + "\n".join(server.log[-30:]))

    def signal(self, sig: int) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
