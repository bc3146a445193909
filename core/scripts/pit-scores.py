#!/usr/bin/env python3
"""Prints PIT's mutation score per package from a mutations.xml report.

Usage: python3 core/scripts/pit-scores.py [core/target/pit-reports/mutations.xml] [--survivors PKG]

The score is PIT's own: killed (KILLED, TIMED_OUT, MEMORY_ERROR, RUN_ERROR) divided by all mutants
(SURVIVED and NO_COVERAGE count against it). --survivors PKG also lists the surviving and
uncovered mutants of that package (class, line, mutator, description).
"""
import collections
import sys
import xml.etree.ElementTree as ET

DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}


def main(argv):
    path = "core/target/pit-reports/mutations.xml"
    survivors_of = None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--survivors":
            survivors_of = args.pop(0)
        else:
            path = a
    counts = collections.defaultdict(collections.Counter)
    survivors = []
    for m in mutations(path):
        cls = m.findtext("mutatedClass")
        pkg = cls.rsplit(".", 1)[0]
        status = m.get("status")
        counts[pkg][status] += 1
        if survivors_of and pkg.endswith(survivors_of) and status not in DETECTED:
            survivors.append(
                (cls.rsplit(".", 1)[1], int(m.findtext("lineNumber")), status,
                 m.findtext("mutator").rsplit(".", 1)[-1], m.findtext("description")))
    total = collections.Counter()
    print(f"{'package':<24} {'killed':>7} {'all':>6} {'score':>6} {'survived':>9} {'no cover':>9}")
    for pkg in sorted(counts):
        c = counts[pkg]
        total.update(c)
        row(pkg, c)
    row("overall", total)
    for s in sorted(survivors):
        print("  %s:%d %s %s: %s" % s)


def mutations(path):
    """The report's mutation elements; a report PIT is still writing is read up to its last one."""
    try:
        return list(ET.parse(path).getroot().iter("mutation"))
    except ET.ParseError:
        text = open(path, encoding="utf-8").read()
        end = text.rfind("</mutation>")
        if end < 0:
            return []
        print("(partial report: PIT is still running)")
        root = ET.fromstring(text[: end + len("</mutation>")] + "</mutations>")
        return list(root.iter("mutation"))


def row(name, c):
    killed = sum(c[s] for s in DETECTED)
    everything = sum(c.values())
    score = killed / everything if everything else 0.0
    print(f"{name:<24} {killed:>7} {everything:>6} {score:>6.2f} {c['SURVIVED']:>9} {c['NO_COVERAGE']:>9}")


if __name__ == "__main__":
    main(sys.argv[1:])
