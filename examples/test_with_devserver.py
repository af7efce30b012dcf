"""Testing your own code with the embedded dev server: the ``aerospike_client`` fixture
(from the pytest plugin that aerospike_cffi installs) is a client connected to a dev
server started once per test session, or to $AEROSPIKE_TEST_SERVER when set.

    python -m pytest examples/test_with_devserver.py
"""

import aerospike_cffi as aerospike
from aerospike_cffi import exception
import pytest


def save_visit(client: aerospike.Client, user: str) -> int:
    """The code under test: count a user's visits."""
    key = ("test", "examples_pytest", user)
    client.increment(key, "visits", 1)
    return int(client.get(key)[2]["visits"])


def test_visits_are_counted(aerospike_client: aerospike.Client) -> None:
    key = ("test", "examples_pytest", "ada")
    if aerospike_client.exists(key)[1] is not None:  # left by an earlier run on a real server
        aerospike_client.remove(key)
    assert save_visit(aerospike_client, "ada") == 1
    assert save_visit(aerospike_client, "ada") == 2


def test_missing_record(aerospike_client: aerospike.Client) -> None:
    with pytest.raises(exception.RecordNotFound):
        aerospike_client.get(("test", "examples_pytest", "nobody"))
