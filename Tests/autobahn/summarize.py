#!/usr/bin/env python3
"""Summarise an Autobahn|Testsuite fuzzingclient report.

    summarize.py REPORT_DIR [--expect N]

Reads REPORT_DIR/index.json (and, for failed cases, the per-case JSON it
points to) and prints one block per failed case, then, as the last line,
`N passed, N failed`.

A case passes when its `behavior` (the verdict Autobahn's own HTML summary
colours by) is OK, NON-STRICT or INFORMATIONAL, or UNIMPLEMENTED in the
permessage-deflate groups 12.* and 13.* (the extension is optional, RFC 7692
§5).  Anything else fails, including UNIMPLEMENTED outside 12/13.  The close
behaviour is shown for failed cases but does not decide the verdict.

--expect N: the number of cases wstest announced; a report holding a
different number (a run cut short) is an error.

Exit status: 0 every case passed, 1 some case failed, 2 no usable report.
"""

import json
import os
import sys

PASSING = {"OK", "NON-STRICT", "INFORMATIONAL"}
OPTIONAL_GROUPS = {"12", "13"}


def case_order(case_id):
    return [int(part) if part.isdigit() else part for part in case_id.split(".")]


def passed(case_id, behavior):
    if behavior in PASSING:
        return True
    return behavior == "UNIMPLEMENTED" and case_id.split(".")[0] in OPTIONAL_GROUPS


def one_line(text, limit=300):
    text = " ".join(str(text).replace("<br>", " ").replace("<br/>", " ").split())
    return text if len(text) <= limit else text[:limit] + " ..."


def describe_failure(report_dir, case_id, summary):
    lines = ["FAILED %s: behavior=%s close=%s remoteCloseCode=%s" % (
        case_id, summary.get("behavior"), summary.get("behaviorClose"),
        summary.get("remoteCloseCode"))]
    path = os.path.join(report_dir, summary.get("reportfile") or "")
    try:
        with open(path, encoding="utf-8") as f:
            detail = json.load(f)
    except (OSError, ValueError):
        lines.append("  (no per-case report at %s)" % path)
        return lines
    for label, key in (("case", "description"), ("expected", "expectation"),
                       ("result", "result"), ("close", "resultClose")):
        if detail.get(key):
            lines.append("  %-8s %s" % (label + ":", one_line(detail[key])))
    return lines


def main(argv):
    args = list(argv[1:])
    expect = None
    if "--expect" in args:
        at = args.index("--expect")
        expect = int(args[at + 1])
        del args[at:at + 2]
    if len(args) != 1:
        print("usage: summarize.py REPORT_DIR [--expect N]", file=sys.stderr)
        return 2
    report_dir = args[0]
    try:
        with open(os.path.join(report_dir, "index.json"), encoding="utf-8") as f:
            index = json.load(f)
    except (OSError, ValueError) as error:
        print("summarize: no usable index.json in %s: %s" % (report_dir, error), file=sys.stderr)
        return 2

    cases = {}
    for agent_cases in index.values():
        cases.update(agent_cases)
    if not cases:
        print("summarize: the report holds no case", file=sys.stderr)
        return 2
    if expect is not None and len(cases) != expect:
        print("summarize: the report holds %d cases, wstest announced %d" % (len(cases), expect),
              file=sys.stderr)
        return 2

    failed = 0
    for case_id in sorted(cases, key=case_order):
        summary = cases[case_id]
        if not passed(case_id, summary.get("behavior")):
            failed += 1
            print("\n".join(describe_failure(report_dir, case_id, summary)))
    print("%d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
