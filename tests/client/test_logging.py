"""C client log lines reach set_log_handler's callback as (level, func, path, line, msg),
or the ``logging`` module without one; set_log_level filters them."""

import logging
import threading
import time

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex

UNREACHABLE = {"hosts": [("127.0.0.1", 1)]}


@pytest.fixture(autouse=True)
def restore_logging():
    yield
    aerospike.set_log_level(aerospike.LOG_LEVEL_OFF)
    aerospike.set_log_handler(None)


def connect_fails():
    with pytest.raises(ex.ConnectionError):
        aerospike.client(UNREACHABLE)


def wait_for(predicate, seconds=5):
    deadline = time.time() + seconds
    while not predicate() and time.time() < deadline:
        time.sleep(0.02)
    return predicate()


def test_handler_gets_c_client_lines(aerospike_server):
    lines, threads = [], set()

    def handler(*args):
        lines.append(args)
        threads.add(threading.get_ident())

    assert aerospike.set_log_handler(handler) == 0
    assert aerospike.set_log_level(aerospike.LOG_LEVEL_DEBUG) == 0
    connect_fails()  # the seed warning is logged in this thread
    assert wait_for(lambda: any(line[1] == "as_cluster_seed_node" for line in lines))
    for level, func, path, line, msg in lines:
        assert type(level) is int and aerospike.LOG_LEVEL_ERROR <= level <= aerospike.LOG_LEVEL_DEBUG
        assert type(func) is str and type(path) is str and path.endswith(".c")
        assert type(line) is int and line > 0
        assert type(msg) is str and msg
    seed = [line for line in lines if line[1] == "as_cluster_seed_node"][0]
    assert seed[0] == aerospike.LOG_LEVEL_WARN and "127.0.0.1" in seed[4]
    # Lines from the C client's own tend thread arrive too ("Add node ...").
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    c.close()
    assert any(line[1] == "as_cluster_add_nodes_copy" for line in lines)


def test_level_filters_lines():
    lines = []
    aerospike.set_log_handler(lambda *args: lines.append(args))
    aerospike.set_log_level(aerospike.LOG_LEVEL_ERROR)
    connect_fails()  # only a warning: filtered out
    aerospike.set_log_level(aerospike.LOG_LEVEL_OFF)
    connect_fails()
    time.sleep(0.1)
    assert all(line[0] <= aerospike.LOG_LEVEL_ERROR for line in lines)
    assert not any(line[1] == "as_cluster_seed_node" for line in lines)


def test_failing_handler_does_not_break_the_client(client, key):
    def handler(*args):
        raise RuntimeError("handler fails")

    aerospike.set_log_handler(handler)
    aerospike.set_log_level(aerospike.LOG_LEVEL_TRACE)
    connect_fails()
    assert client.put(key, {"a": 1}) == 0
    assert client.get(key)[2] == {"a": 1}


def test_without_handler_lines_go_to_the_logging_module(caplog):
    aerospike.set_log_handler(None)
    aerospike.set_log_level(aerospike.LOG_LEVEL_WARN)
    with caplog.at_level(logging.DEBUG, logger="aerospike_cffi"):
        connect_fails()
        assert wait_for(lambda: any("Failed to connect to seed" in r.getMessage()
                                    for r in caplog.records))
    record = [r for r in caplog.records if "Failed to connect to seed" in r.getMessage()][0]
    assert record.levelno == logging.WARNING and record.name == "aerospike_cffi"


def test_log_level_arguments():
    for level in (aerospike.LOG_LEVEL_OFF, aerospike.LOG_LEVEL_ERROR, aerospike.LOG_LEVEL_TRACE,
                  99, -5, True):
        assert aerospike.set_log_level(level) == 0
    for bad in ("x", None, 1.5):
        with pytest.raises(ex.ParamError) as info:
            aerospike.set_log_level(bad)
        assert info.value.msg == "Invalid log level"
