#!/usr/bin/env python3
"""Port the installed autobahntestsuite (Python 2 code) to Python 3, in place,
so that `wstest -m fuzzingclient` runs.  Used by scripts/autobahn after
`pip install --no-deps autobahntestsuite==25.10.1`:

    <venv>/bin/python Tests/autobahn/port_to_py3.py

Steps, in order:
  1. 2to3 over the package (stdlib lib2to3, or the `fissix` fork where the
     interpreter no longer has lib2to3).
  2. Non-ASCII characters in the test-case sources become \\x escapes of
     their UTF-8 octets: Python 2 read "Hello-µ" in a UTF-8 file as those
     octets, and the shim's latin-1 model keeps exactly those octets.
  3. py3shim.py goes into the package as `_py3shim` (see its docstring for
     the byte-string model).
  4. The edits in EDITS below.  Each names how often its text must occur, so
     an upstream change fails this script instead of half-porting the suite.
  5. Every module is byte-compiled, so a syntax slip fails here, not mid-run.

A stamp file in the package records the fingerprint of this script and the
shim; running again with the same files does nothing.
"""

import compileall
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = ".modeld-py3-port"
SHIM_IMPORT = "from autobahntestsuite import _py3shim\n"


def fail(message):
    sys.exit("port_to_py3: " + message)


def package_dir(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        fail("%s is not installed for %s" % (name, sys.executable))
    return list(spec.submodule_search_locations)[0]


def fingerprint():
    digest = hashlib.sha256()
    for name in ("port_to_py3.py", "py3shim.py"):
        with open(os.path.join(HERE, name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def run_2to3(pkg):
    tool = "lib2to3"
    if importlib.util.find_spec("lib2to3") is None:
        tool = "fissix"
        if importlib.util.find_spec("fissix") is None:
            fail("this Python has no lib2to3; install `fissix` into the venv")
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", tool, "-w", "-n", pkg],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:])
        fail("2to3 (%s) failed" % tool)


def escape_non_ascii(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    if source.isascii():
        return
    # In these files non-ASCII text only occurs inside plain string literals
    # and comments, where an escape means the same octets.
    escaped = "".join(c if c.isascii() else "".join("\\x%02x" % b for b in c.encode("utf-8"))
                      for c in source)
    with open(path, "w", encoding="utf-8") as f:
        f.write(escaped)


# (path relative to the package, glob "case/*.py" allowed; old; new;
#  required occurrences per file, None = any number including none)
EDITS = [
    # wstest: choose txaio's Twisted flavour (required by txaio >= 2), make
    # the WAMP serializer (Python 2 only `unittest2`) optional, and install
    # the shim before any case runs.
    ("wstest.py", "from . import choosereactor\n",
     "from . import choosereactor\nimport txaio\ntxaio.use_twisted()\n", 1),
    ("wstest.py", "from . import serializer\n",
     "try:\n   from . import serializer\nexcept ImportError:\n   serializer = None\n", 1),
    ("wstest.py", "from . import fuzzing\n",
     "from . import fuzzing\n_py3shim.install()\n", 1),

    # Hex dumps of payloads in case descriptions and wire logs.
    ("case/*.py", "binascii.b2a_hex(", "_py3shim.hexlify(", None),
    ("fuzzing.py", "binascii.b2a_hex(", "_py3shim.hexlify(", None),

    # A received frame's payload is a list of bytes chunks.
    ("fuzzing.py", "p = ''.join(payload)", "p = b''.join(payload)", 1),

    # Reports: files are text files now; write str, not UTF-8 bytes, and
    # turn the Python 2 byte strings inside them into readable text.
    ("fuzzing.py", "), 'w')", "), 'w', encoding='utf-8')", None),
    ("fuzzing.py", "% (c[0], case[c[0]], c[1])).encode(\"utf-8\"))",
     "% (c[0], _py3shim.readable(case[c[0]]), c[1])))", 1),
    ("fuzzing.py", "(2+4+len(prefix))*\" \", ll.encode('utf8')))",
     "(2+4+len(prefix))*\" \", ll))", 1),
    ("fuzzing.py", "\"description\": self.Case.DESCRIPTION,",
     "\"description\": _py3shim.readable(self.Case.DESCRIPTION),", 1),
    ("fuzzing.py", "%s</p>\\n' % CCase.DESCRIPTION)",
     "%s</p>\\n' % _py3shim.readable(CCase.DESCRIPTION))", 1),
    ("fuzzing.py", "\"httpRequest\": self.http_request_data if",
     "\"httpRequest\": _py3shim.readable(self.http_request_data) if", 1),
    ("fuzzing.py", "\"httpResponse\": self.http_response_data if",
     "\"httpResponse\": _py3shim.readable(self.http_response_data) if", 1),
    ("fuzzing.py", "f.write(json.dumps(case, sort_keys",
     "f.write(json.dumps(_py3shim.fold(case), sort_keys", 1),

    # Classic classes are gone: (object, Case) has no consistent MRO now that
    # Case itself derives from object.
    ("case/*.py", "(object, Case, )", "(Case, )", None),

    # zope.interface dropped class advice; use the decorator.
    ("case/case9_9_1.py", "from zope.interface import implements\n",
     "from zope.interface import implementer\n", 1),
    ("case/case9_9_1.py", "class FrameProducer:\n\n   implements(interfaces.IPushProducer)\n",
     "@implementer(interfaces.IPushProducer)\nclass FrameProducer:\n", 1),

    # Integer division that Python 2 did implicitly.
    ("case/case10_1_1.py", "len(self.payload) / self.p.autoFragmentSize",
     "len(self.payload) // self.p.autoFragmentSize", 1),

    # The UTF-8 validator takes bytes.
    ("case/case6_x_x.py", "res = v.validate(vss[:i])",
     "res = v.validate(_py3shim.wire(vss[:i]))", 1),
]

# The autobahn 0.10.9 library is Python 3 code but for one division.
AUTOBAHN_EDITS = [
    ("websocket/protocol.py", "range(payload_len / len(payload))",
     "range(payload_len // len(payload))", 1),
]


def files_for(pkg, rel):
    if not rel.endswith("*.py"):
        return [os.path.join(pkg, rel)]
    folder = os.path.join(pkg, os.path.dirname(rel))
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py"))


def add_shim_import(source):
    if SHIM_IMPORT in source:
        return source
    lines = source.splitlines(keepends=True)
    # After the last __future__ import (which must stay first), else before
    # the first import.
    at = 0
    for i, line in enumerate(lines):
        if line.startswith("from __future__"):
            at = i + 1
    if at == 0:
        at = next((i for i, l in enumerate(lines) if l.startswith(("import ", "from "))), 0)
    lines.insert(at, SHIM_IMPORT)
    return "".join(lines)


def apply_edits(pkg, edits):
    sources = {}
    for rel, old, new, times in edits:
        for path in files_for(pkg, rel):
            if path not in sources:
                with open(path, encoding="utf-8") as f:
                    sources[path] = f.read()
            found = sources[path].count(old)
            if times is not None and found != times:
                fail("%s: expected %r %d time(s), found %d" % (path, old, times, found))
            sources[path] = sources[path].replace(old, new)
    for path, source in sources.items():
        if "_py3shim." in source:
            source = add_shim_import(source)
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)


def main():
    pkg = package_dir("autobahntestsuite")
    stamp = os.path.join(pkg, STAMP)
    want = fingerprint()
    if os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == want:
                print("port_to_py3: %s already ported" % pkg)
                return
        fail("%s was ported by another version of this script; recreate the venv" % pkg)

    run_2to3(pkg)
    case_dir = os.path.join(pkg, "case")
    for name in sorted(os.listdir(case_dir)):
        if name.endswith(".py"):
            escape_non_ascii(os.path.join(case_dir, name))
    shutil.copyfile(os.path.join(HERE, "py3shim.py"), os.path.join(pkg, "_py3shim.py"))
    apply_edits(pkg, EDITS)
    apply_edits(package_dir("autobahn"), AUTOBAHN_EDITS)

    for root, dirs, _ in os.walk(pkg):
        if "__pycache__" in dirs:
            shutil.rmtree(os.path.join(root, "__pycache__"))
    if not compileall.compile_dir(pkg, quiet=1):
        fail("the ported package does not compile")
    with open(stamp, "w") as f:
        f.write(want + "\n")
    print("port_to_py3: ported %s" % pkg)


if __name__ == "__main__":
    main()
