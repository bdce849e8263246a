"""The command line outside `serve` (DESIGN §1.7): --version and --help."""

from __future__ import annotations

import re
import subprocess


def run(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)


def test_version_prints_name_and_version(modeld_bin):
    result = run(modeld_bin, "--version")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"modeld \S+\n?", result.stdout), result.stdout


def test_help_documents_serve_flags(modeld_bin):
    result = run(modeld_bin, "serve", "--help")
    assert result.returncode == 0, result.stderr
    for flag in ("--listen", "--config", "--event-loops"):
        assert flag in result.stdout


def test_top_level_help_lists_serve(modeld_bin):
    result = run(modeld_bin, "--help")
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout
