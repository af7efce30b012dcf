"""Info commands and the node list: info_random_node, info_single_node, info_all,
get_node_names, get_nodes."""

from .. import _marshal
from .._native import ffi, lib, out_bytes, raise_error, scratch
from ..exception import ClientError, ParamError

_NULL = ffi.NULL


class InfoCommands:
    """The info command family of Client."""

    def _info(self, command, policy, node_name, type_error="Request should be a string."):
        if not isinstance(command, str):
            raise ParamError(-2, type_error)
        conn = self._conn("No connection to aerospike cluster.")
        pol, _keep = self._policy("info", policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_info(conn, err, pol, node_name, _marshal.utf8(command), out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return out_bytes(out).decode("utf-8", "replace")

    def info_random_node(self, command, policy=None):
        """The answer of any one node to an info command."""
        return self._info(command, policy, _NULL)

    def info_single_node(self, command, host, policy=None):
        """The answer of the node named ``host`` (a node name, see get_node_names)."""
        # The official's order: the connection, the policy, the host, then the command.
        self._conn("No connection to aerospike cluster.")
        self._policy("info", policy)
        if not isinstance(host, str):
            raise ParamError(-2, "Host must be a string.")
        if host not in self._node_names():
            raise ParamError(-2, "Could not get node with name %s." % host)
        return self._info(command, policy, _marshal.utf8(host))

    def info_all(self, command, policy=None):
        """{node name: (error, answer)} for every node; bad arguments raise."""
        if not isinstance(command, str):
            raise ParamError(-2, "Request must be a string")
        self._conn()
        self._policy("info", policy)  # validated once, before asking any node
        result = {}
        for node in self._node_names():
            try:
                answer = self._info(command, policy, node.encode("utf-8"))
                # As the official: without the echoed request (up to the first tab).
                head, tab, rest = answer.partition("\t")
                result[node] = (None, rest if tab else head)
            except ClientError as exc:
                result[node] = (exc, None)
        return result

    def _node_names(self):
        return [n["node_name"] for n in self.get_node_names()]

    def get_node_names(self, *_ignored, **_ignored_kw):
        """[{'address': ..., 'port': ..., 'node_name': ...}] of the cluster's nodes.
        Any arguments are ignored, as the official's (its C method parses none)."""
        conn = self._conn("No connection to aerospike cluster.")
        _, out = scratch()
        busy = self._enter(conn)
        try:
            lib.shim_nodes(conn, out)
        finally:
            self._leave(busy)
        nodes = []
        for line in out_bytes(out).decode("utf-8", "replace").splitlines():
            name, address, port = line.split("\t")
            nodes.append({"address": address, "port": int(port), "node_name": name})
        return nodes

    def get_nodes(self, *_ignored, **_ignored_kw):
        """[(address, port)] of the cluster's nodes; any arguments are ignored, as the
        official's (its own test calls ``get_nodes("parameter")``)."""
        self._conn()
        return [(n["address"], n["port"]) for n in self.get_node_names()]

    def set_xdr_filter(self, data_center, namespace, expression_filter, policy=None):
        """Set (or with None, remove) the XDR filter expression of a datacenter and
        namespace; returns the server's answer (Enterprise Edition with XDR)."""
        if not isinstance(data_center, str):
            raise ParamError(-2, "Data_center should be a string.")
        if not isinstance(namespace, str):
            raise ParamError(-2, "Namespace should be a string.")
        if expression_filter is None:
            encoded = "null"  # the server's word for "no filter"
        else:
            from .._expr import expression_base64

            encoded = expression_base64(expression_filter)
        if policy is not None:
            self._policy("info", policy)
        return self._info("xdr-set-filter:dc=%s;namespace=%s;exp=%s"
                          % (data_center, namespace, encoded), policy, _NULL)
