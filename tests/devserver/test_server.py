"""The dev server as a component: start/stop, the command line, digests.
Tests that start their own dev server are marked devserver_only."""

import os
import socket
import subprocess
import sys
import time

import pytest

from aerospike_cffi.testing import Server
from aerospike_cffi.testing.ripemd160 import ripemd160
from aerospike_cffi.testing.store import compute_digest, partition_id

from . import rawclient


def test_ripemd160_reference_vectors():
    assert ripemd160(b"").hex() == "9c1185a5c5e9fc54612808977ee8f548b2258d31"
    assert ripemd160(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
    assert ripemd160(b"a" * 1000).hex() == "aa69deee9a8922e92f8105e007f76110f381e9cf"
    assert ripemd160(b"12345678901234567890" * 4).hex() == "9b752e45573d4b39f4dbd3323cab82bf63326bfb"


def test_digest_of_keys_as_the_c_client_computes_them():
    assert compute_digest("demo", "k").hex() == "ddbd526bc5517c4d1bd6d5ddc0bb36044a932dcd"
    assert compute_digest("demo", 7).hex() == "dc2e595bc2a0d8c6290c474d74e71b23e3ed846a"
    digest = bytes.fromhex("ddbd526bc5517c4d1bd6d5ddc0bb36044a932dcd")
    assert partition_id(digest) == 0xbddd & 4095


@pytest.mark.devserver_only
def test_start_is_fast_and_stop_frees_the_port():
    began = time.perf_counter()
    server = Server().start()
    assert time.perf_counter() - began < 1.0
    port = server.port
    with rawclient.connect(server) as sock:
        assert rawclient.info(sock, "node")["node"] == server.node_id
        server.stop()
        assert rawclient.is_closed(sock)
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", port))  # free again
    probe.close()
    with Server(port=port, namespaces=("only",)) as again:
        with rawclient.connect(again) as sock:
            assert rawclient.info(sock, "namespaces")["namespaces"] == "only"


@pytest.mark.devserver_only
def test_command_line_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", str(port)],
                            stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.getcwd()))
    try:
        assert "listening on 127.0.0.1:%d" % port in proc.stdout.readline()

        class Addr:
            host = "127.0.0.1"

        Addr.port = port
        with rawclient.connect(Addr) as sock:
            assert rawclient.info(sock, "namespaces")["namespaces"] == "test;bar"
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
