"""A sweep's job graph on this machine: ``launcher=local`` (processes) and ``launcher=debug`` (in-process).

:func:`drive_local` starts each node once its inputs are DONE, ``launcher.parallel`` at a time, as a
submitit LocalExecutor job (or a call in this process for debug), records what it saw in ``graph.json``
for ``stage=status``, and runs the final job when every node is done. A detached local sweep runs the
same driver in a background process (:func:`start_driver`, ``python -m dive.jobs_local <sweep dir>``).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dive.dispatch import JOBS, GraphNode, SweepGraph, done

log = logging.getLogger(__name__)
POLL_S = 0.5  # seconds between looks at the jobs' processes


def drive_local(
    graph: SweepGraph, in_process: bool, parallel: int, echo: Callable[[str], None] = print
) -> bool:
    """Run the graph's nodes here, each once its inputs are DONE; then the final job. True if all ran.

    ``in_process`` (launcher=debug) calls them one after another in this process; otherwise each is a
    local submitit job, ``parallel`` at a time. A failed node's dependents are never started. Stopping
    the driver (Ctrl-C, SIGTERM) stops the jobs it started; their work resumes on the next run.
    """
    from dive.node_job import finish_sweep

    running: dict[str, Any] = {}
    try:
        with _terminate_as_exit(enabled=not in_process):
            failed = _run_nodes(graph, in_process, parallel, echo, running)
    except BaseException:
        for job in running.values():
            job.cancel(check=False)
        if running:
            names = " ".join(graph.node(d).node for d in running)
            echo(
                f"stopped: cancelled {len(running)} running job(s) ({names}); finished artifacts are kept, "
                "and the same command continues the sweep"
            )
        raise
    if failed or any(not done(n) for n in graph.nodes):
        return False
    if in_process:
        finish_sweep(str(graph.sweep_dir))
        return True
    job = _local_executor(graph, graph.final_resources).submit(finish_sweep, str(graph.sweep_dir))
    graph.final_job_id = str(job.job_id)
    graph.save()
    job.wait()
    return not _failed(job)


def _run_nodes(
    graph: SweepGraph, in_process: bool, parallel: int, echo: Callable[[str], None], running: dict[str, Any]
) -> set[str]:
    """drive_local's loop: start what is ready, note what ended; returns the failed (or lost) nodes."""
    from dive.jobgraph import ProgressPrinter, node_states

    pending = [n for n in graph.nodes if not done(n)]
    failed: set[str] = set()
    printer = ProgressPrinter(echo)

    def show(starting: list[str]) -> None:
        printer.show(graph, node_states(graph), running=[*running, *starting])

    while pending or running:
        for digest, job in list(running.items()):
            if job.done():
                del running[digest]
                if _failed(job):
                    failed.add(digest)
                _record(graph, digest, "failed" if digest in failed else "done")
        pending = [n for n in pending if n.digest not in graph.downstream(failed)]  # never started
        ready = [n for n in pending if all(done(graph.node(i)) for i in n.inputs)]
        for node in ready[: max(0, parallel - len(running))]:
            pending.remove(node)
            show([node.digest])
            running[node.digest] = _start_local(graph, node, in_process)
        if not running and pending and not ready:
            failed.update(n.digest for n in pending)  # inputs neither done nor coming: lost
            break
        if running:
            show([])
            time.sleep(POLL_S)
    return failed


@contextlib.contextmanager
def _terminate_as_exit(enabled: bool) -> Iterator[None]:
    """SIGTERM raises SystemExit here, so the driver's cleanup runs (Python's default just dies)."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Finished:
    """A node run in this process, with the two methods drive_local reads of a submitit job."""

    def __init__(self, error: BaseException | None):
        self.error = error

    def done(self) -> bool:
        return True

    def exception(self) -> BaseException | None:
        return self.error

    def cancel(self, check: bool = False) -> None:
        return None


def _start_local(graph: SweepGraph, node: GraphNode, in_process: bool) -> Any:
    from dive.node_job import NodeJob, run_node

    if in_process:
        _record(graph, node.digest, "running", "in-process")
        try:
            run_node(str(graph.sweep_dir), node.digest)
        except Exception as error:  # a failed node stops its dependents only; the others run
            log.exception("%s failed", node.node)
            return _Finished(error)
        return _Finished(None)
    job = _local_executor(graph, node.resources).submit(NodeJob(), str(graph.sweep_dir), node.digest)
    _record(graph, node.digest, "running", str(job.job_id))
    return job


def _local_executor(graph: SweepGraph, asked: dict[str, Any]) -> Any:
    import submitit

    executor = submitit.LocalExecutor(folder=graph.sweep_dir / JOBS / "%j")
    executor.update_parameters(timeout_min=int(asked["timeout_min"]))
    return executor


def _failed(job: Any) -> bool:
    try:
        return job.exception() is not None
    except Exception:  # killed without a result: submitit cannot even read an outcome
        return True


def _record(graph: SweepGraph, digest: str, state: str, job_id: str | None = None) -> None:
    """A local job's state, in graph.json for stage=status (the only writer is this driver)."""
    node = graph.node(digest)
    node.job_id = job_id or node.job_id
    node.state = state
    graph.save()


def start_driver(graph: SweepGraph) -> subprocess.Popen[bytes]:
    """A detached local sweep: the driver runs in its own session, logging next to the graph."""
    logfile = (graph.sweep_dir / "driver.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "dive.jobs_local", str(graph.sweep_dir)],
        stdout=logfile,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _main(sweep_dir: str) -> None:
    """``python -m dive.jobs_local <sweep dir>``: the background driver of a detached local sweep."""
    from dive.__main__ import LOG_FORMAT

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    graph = SweepGraph.load(Path(sweep_dir))
    from dive.node_job import point_config

    parallel = int(point_config(graph.points[0][1], graph.root).launcher.parallel)
    raise SystemExit(0 if drive_local(graph, in_process=False, parallel=parallel) else 1)


if __name__ == "__main__":
    _main(sys.argv[1])
