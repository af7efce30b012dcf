"""Every program in examples/ runs to its end against the test server (the embedded dev
server, or $AEROSPIKE_TEST_SERVER), under the interpreter running the suite."""

import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")

# What each example prints when it got to its end.
LAST_WORDS = {
    "quickstart.py": "exists after remove: None",
    "key_value.py": "after remove: RecordNotFound 2",
    "operate_cdt.py": "operate_ordered: [('history', 3), ('history', [3, 4])]",
    "batch.py": "missing 2 None",
    "query_sindex.py": "pages of 5: 4",
    "expressions.py": "computed: 141",
    # Either the UDF ran, or the server/client said UDFs are unsupported (the dev server).
    "udf.py": ("add returned: 42", "UDFs are not"),
    "asyncio_service.py": "removed: 20",
}


def test_every_example_is_listed():
    programs = {os.path.basename(p) for p in glob.glob(os.path.join(EXAMPLES, "*.py"))}
    programs -= {"_connect.py", "test_with_devserver.py"}
    assert programs == set(LAST_WORDS)


def _run(args):
    return subprocess.run(args, cwd=EXAMPLES, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


@pytest.mark.parametrize("name", sorted(LAST_WORDS))
def test_example_runs(name):
    done = _run([sys.executable, os.path.join(EXAMPLES, name)])
    assert done.returncode == 0, done.stdout
    expected = LAST_WORDS[name]
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert any(words in done.stdout for words in expected), done.stdout


def test_pytest_example_passes():
    done = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_with_devserver.py"])
    assert done.returncode == 0, done.stdout
    assert "2 passed" in done.stdout
