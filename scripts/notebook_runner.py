#!/usr/bin/python3
"""Execute Jupyter notebooks headless with the Deno kernel, keeping every output.

Why not `jupyter nbconvert --execute`: the Deno kernel can publish a cell's display output
*after* it reports the cell idle, and nbclient stops listening at idle, so such outputs are
dropped at random. This runner, after each cell's reply and idle, sends a silent sentinel
request and keeps collecting the cell's late messages until the sentinel has been answered and
the IOPub channel has then stayed quiet for a short settle time.

Usage: notebook_runner.py [--timeout SECONDS] [--settle SECONDS] [--kernel NAME] [--out-dir DIR] NOTEBOOK...

Each notebook is executed in its own directory (so its relative imports work) and, when every
cell ran, saved atomically with its outputs in place (or as DIR/NAME.ipynb with --out-dir).
A notebook that fails never replaces the last good saved one: it is written beside it as
NAME.failed.ipynb (git-ignored) and the error names that file; a later good run removes it.
Exit status: 0 when every notebook ran, 1 when a cell failed (the message names the notebook,
the cell and the failed copy), 2 on bad usage.
"""

import argparse
import os
import queue
import re
import sys
import tempfile
import time

import nbformat
from jupyter_client.manager import KernelManager

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text):
    return ANSI.sub("", text) if isinstance(text, str) else text


def clean_output(content, msg_type):
    """Turn an IOPub message into an nbformat output, without ANSI escapes."""
    if msg_type == "stream":
        return nbformat.v4.new_output("stream", name=content["name"], text=strip_ansi(content["text"]))
    if msg_type in ("display_data", "execute_result"):
        data = {k: strip_ansi(v) for k, v in content.get("data", {}).items()}
        kwargs = dict(data=data, metadata=content.get("metadata", {}))
        if msg_type == "execute_result":
            kwargs["execution_count"] = content.get("execution_count")
        return nbformat.v4.new_output(msg_type, **kwargs)
    if msg_type == "error":
        return nbformat.v4.new_output(
            "error",
            ename=content.get("ename", ""),
            evalue=strip_ansi(content.get("evalue", "")),
            traceback=[strip_ansi(line) for line in content.get("traceback", [])],
        )
    return None


def append_output(outputs, output):
    # Merge consecutive stream chunks of the same stream, as Jupyter's UI does.
    if (
        output.output_type == "stream"
        and outputs
        and outputs[-1].output_type == "stream"
        and outputs[-1].name == output.name
    ):
        outputs[-1].text += output.text
    else:
        outputs.append(output)


class CellFailed(Exception):
    pass


class Runner:
    def __init__(self, kernel_name, cwd, timeout, settle):
        self.timeout = timeout
        self.settle = settle
        self.km = KernelManager(kernel_name=kernel_name)
        # No colour codes in saved outputs; no Deno update check (a DNS lookup) per kernel.
        self.km.start_kernel(cwd=cwd, env=dict(os.environ, NO_COLOR="1", DENO_NO_UPDATE_CHECK="1"))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

    def _drain_until(self, done, collect, deadline):
        """Read IOPub, routing messages to `collect`, until done() or the deadline."""
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.05))
            except queue.Empty:
                continue
            collect(msg)

    def execute(self, source):
        """Run one cell; returns (outputs, execution_count, error_content or None)."""
        outputs = []
        state = {"idle": False, "reply": None, "count": None, "error": None, "last": time.monotonic()}
        msg_id = self.kc.execute(source, store_history=True, allow_stdin=False)
        sentinel = {"id": None, "idle": False}
        deadline = time.monotonic() + self.timeout

        def collect(msg):
            parent = msg.get("parent_header", {}).get("msg_id")
            msg_type = msg["header"]["msg_type"]
            content = msg["content"]
            if parent == msg_id:
                state["last"] = time.monotonic()
                if msg_type == "status":
                    if content["execution_state"] == "idle":
                        state["idle"] = True
                    return
                if msg_type == "execute_input":
                    state["count"] = content.get("execution_count")
                    return
                if msg_type == "clear_output":
                    outputs.clear()
                    return
                if msg_type == "error":
                    state["error"] = content
                output = clean_output(content, msg_type)
                if output is not None:
                    append_output(outputs, output)
            elif parent is not None and parent == sentinel["id"]:
                # The sentinel is empty code: whatever it "outputs" was sent late by this cell
                # (the kernel tags such messages with the request it is handling now).
                if msg_type == "status":
                    if content["execution_state"] == "idle":
                        sentinel["idle"] = True
                    return
                output = clean_output(content, msg_type)
                if output is not None:
                    state["last"] = time.monotonic()
                    append_output(outputs, output)
            elif os.environ.get("SETSIM_RUNNER_DEBUG"):
                print(f"  (ignored {msg_type} for parent {parent})", file=sys.stderr)

        def poll_reply():
            if state["reply"] is None:
                try:
                    reply = self.kc.get_shell_msg(timeout=0)
                except queue.Empty:
                    return False
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    state["reply"] = reply
            return state["reply"] is not None

        try:
            self._drain_until(lambda: poll_reply() and state["idle"], collect, deadline)
            # Late outputs: a sentinel round trip, then a quiet settle period.
            sentinel["id"] = self.kc.execute("", silent=True, store_history=False, allow_stdin=False)
            self._drain_until(lambda: sentinel["idle"], collect, deadline)
            quiet_deadline = lambda: time.monotonic() - state["last"] >= self.settle  # noqa: E731
            self._drain_until(quiet_deadline, collect, deadline)
            # The sentinel's shell reply is not ours to keep.
            try:
                while True:
                    self.kc.get_shell_msg(timeout=0.05)
            except queue.Empty:
                pass
        except TimeoutError:
            self.km.interrupt_kernel()
            raise CellFailed(f"timed out after {self.timeout:.0f} s")

        reply = state["reply"]["content"]
        count = reply.get("execution_count", state["count"])
        if reply.get("status") == "error" and state["error"] is None:
            state["error"] = reply
            output = clean_output(reply, "error")
            append_output(outputs, output)
        return outputs, count, state["error"]


def first_line(text):
    text = text.strip().splitlines()
    return text[0][:80] if text else ""


def failed_path(target):
    """Where a failed run of `target` is written: beside it, as NAME.failed.ipynb."""
    stem = target[: -len(".ipynb")] if target.endswith(".ipynb") else target
    return stem + ".failed.ipynb"


def run_notebook(path, kernel_name, timeout, settle, target=None):
    """Execute `path`; save it to `target` (default: in place) only when every cell ran."""
    target = target or path
    nb = nbformat.read(path, as_version=4)
    cwd = os.path.dirname(os.path.abspath(path))
    started = time.monotonic()
    runner = Runner(kernel_name, cwd, timeout, settle)
    failure = None
    try:
        code_index = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            code_index += 1
            cell.outputs = []
            cell.execution_count = None
            if failure is not None:
                continue
            cell_started = time.monotonic()
            try:
                outputs, count, error = runner.execute(cell.source)
            except CellFailed as exc:
                failure = f"{path}: cell {index + 1} (code cell {code_index}: {first_line(cell.source)!r}) {exc}"
                continue
            cell.outputs = outputs
            cell.execution_count = count
            elapsed = time.monotonic() - cell_started
            print(f"  {os.path.basename(path)} cell {index + 1} done in {elapsed:.1f} s", file=sys.stderr, flush=True)
            if error is not None:
                failure = (
                    f"{path}: cell {index + 1} (code cell {code_index}: {first_line(cell.source)!r}) failed: "
                    f"{error.get('ename', 'Error')}: {strip_ansi(error.get('evalue', ''))}"
                )
    finally:
        runner.close()
    ks = nb.metadata.setdefault("kernelspec", {})
    ks.update({"name": kernel_name, "display_name": "Deno (setsim)", "language": "typescript"})
    if failure is None:
        write_atomic(nb, target)
        if os.path.exists(failed_path(target)):
            os.remove(failed_path(target))
    else:
        write_atomic(nb, failed_path(target))
        failure += f" (outputs of the failed run: {failed_path(target)}; {target} left as it was)"
    return failure, time.monotonic() - started


def write_atomic(nb, path):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=directory, suffix=".ipynb.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per cell")
    parser.add_argument("--settle", type=float, default=0.5, help="quiet seconds after a cell")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--out-dir", help="save executed notebooks here instead of in place")
    args = parser.parse_args(argv)
    failures = []
    for path in args.notebooks:
        if not os.path.isfile(path):
            print(f"error: notebook not found: {path}", file=sys.stderr)
            return 2
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
    for path in args.notebooks:
        target = os.path.join(args.out_dir, os.path.basename(path)) if args.out_dir else path
        print(f"running {path}" + (f" -> {target}" if target != path else ""), file=sys.stderr, flush=True)
        failure, elapsed = run_notebook(path, args.kernel, args.timeout, args.settle, target)
        if failure:
            print(f"FAILED {failure}", file=sys.stderr, flush=True)
            failures.append(failure)
        else:
            print(f"ok {target} ({elapsed:.1f} s)", file=sys.stderr, flush=True)
    if failures:
        print(f"{len(failures)} notebook(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
