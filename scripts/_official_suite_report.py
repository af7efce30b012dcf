"""Helper of scripts/official_suite.sh: a pytest plugin that appends one line per test
("nodeid outcome") to $OFFICIAL_SUITE_OUTCOMES and stops a test after
$OFFICIAL_SUITE_TIMEOUT seconds; and, as a script, the per-group summary and comparison
of those outcome files.

    python3 _official_suite_report.py summary OUTCOMES
    python3 _official_suite_report.py compare OUTCOMES_A OUTCOMES_B
"""

import collections
import os
import re
import signal
import sys

# Groups of the official test files, by file name (first match wins).
GROUPS = [
    ("udf+info", r"test_(apply|aggregate|udf_|get_udf|query_apply|scan_apply|batch_apply|"
                 r"query_execute_background|scan_execute_background|job_info|info_|get_nodes|"
                 r"get_node_names)"),
    ("admin/txn/metrics", r"test_(admin_|mrt_|metrics|get_stats|set_xdr_filter|dynamic_config)"),
    ("batch/query/scan/index", r"test_(batch_|query|scan|index|cdt_index|list_index|mapkeys_index|"
                               r"mapvalues_index|geospatial|predicates|truncate)"),
    ("operate+expression", r"test_(operate|.*expression|.*operation|bitwise|hll|cdt_compators|"
                           r"nested_cdt_ctx|relative_cdt|map_write_flags|get_cdtctx_base64|"
                           r"path_expressions|key_ordered_dict_get_by_value|new_list_)"),
    ("key-value", r"test_(get_put|kv|append|prepend|increment|touch|remove|exists|select|"
                  r"key_digest|calc_digest|data|user_serializer|zserializers|compress|"
                  r"command_level_policies|validate_keys)"),
    ("client/config", r"test_"),
]


def group_of(nodeid):
    name = os.path.basename(nodeid.split("::", 1)[0])
    for group, pattern in GROUPS:
        if re.match(pattern, name):
            return group
    return "client/config"


# ---- pytest plugin ---------------------------------------------------------------------

_results = {}


def _on_alarm(signum, frame):
    raise TimeoutError("official_suite: test timed out")


def pytest_runtest_setup(item):
    current = os.environ.get("OFFICIAL_SUITE_CURRENT")
    if current:
        with open(current, "w") as f:
            f.write(item.nodeid.split("::", 1)[0])
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(int(os.environ.get("OFFICIAL_SUITE_TIMEOUT", "120")))


def pytest_runtest_teardown(item):
    if hasattr(signal, "SIGALRM"):
        signal.alarm(0)


def pytest_collectreport(report):
    # a file that does not import (e.g. a name the client does not have) counts once
    path = os.environ.get("OFFICIAL_SUITE_OUTCOMES")
    if report.failed and path:
        with open(path, "a") as f:
            f.write("%s::<collection> error\n" % report.nodeid.replace(" ", "_"))


def pytest_runtest_logreport(report):
    # one outcome per test: a failed setup or teardown counts as an error, else the call's
    if report.when == "call" or (report.when == "setup" and not report.passed):
        outcome = report.outcome
        if report.when == "setup" and report.failed:
            outcome = "error"
        if hasattr(report, "wasxfail"):
            outcome = "xpassed" if report.passed else "xfailed"
        _results[report.nodeid] = outcome
    elif report.when == "teardown" and report.failed and _results.get(report.nodeid) == "passed":
        _results[report.nodeid] = "error"
    if report.when == "teardown" and report.nodeid in _results:
        # written as each test ends, so a crash loses nothing already run
        path = os.environ.get("OFFICIAL_SUITE_OUTCOMES")
        if path:
            with open(path, "a") as f:
                f.write("%s %s\n" % (report.nodeid.replace(" ", "_"), _results[report.nodeid]))


# ---- reports ---------------------------------------------------------------------------

def read(path):
    with open(path) as f:
        return dict(line.rstrip("\n").rsplit(" ", 1) for line in f if line.strip())


def summary(path):
    counts = collections.defaultdict(collections.Counter)
    for nodeid, outcome in read(path).items():
        counts[group_of(nodeid)][outcome] += 1
    order = [g for g, _ in GROUPS]
    print("%-24s %7s %7s %7s %7s %7s" % ("group", "passed", "failed", "error", "skipped", "other"))
    total = collections.Counter()
    for group in order:
        c = counts[group]
        total.update(c)
        other = sum(v for k, v in c.items() if k not in ("passed", "failed", "error", "skipped"))
        print("%-24s %7d %7d %7d %7d %7d" % (group, c["passed"], c["failed"], c["error"],
                                              c["skipped"], other))
    other = sum(v for k, v in total.items() if k not in ("passed", "failed", "error", "skipped"))
    print("%-24s %7d %7d %7d %7d %7d" % ("TOTAL", total["passed"], total["failed"],
                                          total["error"], total["skipped"], other))


def compare(path_a, path_b):
    a, b = read(path_a), read(path_b)
    by_group = collections.defaultdict(list)
    for nodeid, outcome in sorted(a.items()):
        if outcome == "passed" and b.get(nodeid) != "passed":
            by_group[group_of(nodeid)].append("%s  [%s]" % (nodeid, b.get(nodeid, "absent")))
    for group, _ in GROUPS:
        items = by_group.get(group, [])
        print("== %s: %d passed in A, not in B" % (group, len(items)))
        for line in items:
            print("  " + line)


if __name__ == "__main__":
    if sys.argv[1] == "summary":
        summary(sys.argv[2])
    elif sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
