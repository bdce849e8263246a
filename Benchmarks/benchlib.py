"""What the benchmark drivers and summarizers of `scripts/bench` share: a free loopback
port, an admin token file for the modeld servers they start, the rows of a results TSV,
medians that skip missing values, text tables, and the summary file next to the TSV.

Every results TSV has one measured value per row after a header line:
`date, rep, A, B, key, value`, where A and B are (server, workload) or (section, variant).
Scripts in Benchmarks/<name>/ import this with `sys.path.insert(0, <Benchmarks>)`.
"""

from __future__ import annotations

import math
import os
import pathlib
import secrets
import socket
import statistics
from collections.abc import Iterator


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_token_file(directory: pathlib.Path) -> tuple[pathlib.Path, str]:
    """A fresh random admin token in `directory/admin-token` (mode 0600, one line of hex) and
    the token. modeld's mutating endpoints (load, cancel, unload, Triton repository
    load/unload, room publish) answer 403 admin_disabled unless it runs with
    `--admin-token-file` and the request sends `Authorization: Bearer TOKEN`."""
    token = secrets.token_hex(32)
    path = directory / "admin-token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        os.fchmod(f.fileno(), 0o600)  # O_CREAT's mode does not apply to a file that existed
        f.write(token + "\n")
    return path, token


def tsv_rows(path: str) -> Iterator[tuple[int, str, str, str, str, float]]:
    """Each well-formed row as (rep, A, B, key, text, number); number is NaN when the value
    is not a number (a missing measurement or a text field)."""
    with open(path) as f:
        next(f, None)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                continue
            _, rep, a, b, key, text = parts
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            yield int(rep) if rep.isdigit() else 0, a, b, key, text, number


def median(xs: list[float]) -> float:
    """The median of the values that are numbers; NaN when there are none."""
    ok = [x for x in xs if not math.isnan(x)]
    return statistics.median(ok) if ok else math.nan


def spread(xs: list[float], decimals: int = 2, scale: float = 1, with_range: bool = True) -> str:
    """`median [min-max]` of the numbers in `xs` divided by `scale` ("-" when none); the
    range only when asked and when there are several values."""
    ok = [x / scale for x in xs if not math.isnan(x)]
    if not ok:
        return "-"
    text = f"{statistics.median(ok):,.{decimals}f}"
    if with_range and len(ok) > 1:
        text += f" [{min(ok):,.{decimals}f}-{max(ok):,.{decimals}f}]"
    return text


def table(headings: list[str], rows: list[list[str]], markdown: bool = False) -> list[str]:
    """Aligned columns (first left, others right), or a Markdown table."""
    widths = [max(len(r[i]) for r in [headings, *rows]) for i in range(len(headings))]
    if markdown:
        line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
        return [line(headings), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return [line(headings), line(["-" * w for w in widths]), *map(line, rows)]


def write_summary(tsv_path: str, lines: list[str]) -> None:
    """Prints the summary and writes the same text to `<input>-summary.txt` next to the TSV."""
    text = "\n".join(lines).lstrip("\n") + "\n"
    with open(tsv_path.removesuffix(".tsv") + "-summary.txt", "w") as f:
        f.write(text)
    print(text, end="")
