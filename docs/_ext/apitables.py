"""Directives that render reference tables from the code itself, so they never go stale.

- ``.. constants-table::`` every constant of ``aerospike_cffi``, grouped by family
  (``CONSTANT_GROUPS``), each a ``py:data`` entry with its value.
- ``.. exception-tree::`` the exception classes as a tree, with result codes and the extra
  attributes of each family; ``.. exception-classes::`` an entry for each class.
- ``.. official-gaps::`` public names of the official client (``aerospike`` and
  ``aerospike_helpers``, listed in ``official_names.txt`` next to this file) that this
  project does not have yet.

Each builds plain reStructuredText and parses it, so the output looks like hand-written
text and takes part in cross-references.
"""

import os

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from apinames import resolve as _resolve

HERE = os.path.dirname(os.path.abspath(__file__))

class _RstDirective(SphinxDirective):
    """Base: subclasses return their text as a list of lines from ``lines()``."""

    def run(self):
        node = nodes.section()  # with titles: the constants page has a section per family
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(self.lines(), source="<%s>" % self.name),
                                 node)
        return node.children

    def lines(self):
        raise NotImplementedError


# The constant families of the reference, in page order: (title, what they are, name
# prefixes). A constant goes to the family of its longest matching prefix; one that
# matches none is listed under "Other constants", so the page never leaves one out.
CONSTANT_GROUPS = [
    ("Policy values", "Values of policy keys: ``commit_level``, ``exists``, ``gen``, ``key``, "
     "``read_mode_ap``/``read_mode_sc``, ``replica`` and the retry setting.", ("POLICY_",)),
    ("Time to live", "Special ``ttl`` values of record metadata and write policies.", ("TTL_",)),
    ("Basic operators", "The ``op`` of the operation dicts of "
     ":mod:`aerospike_helpers.operations.operations` (read, write, incr, append, ...).",
     ("OPERATOR_",)),
    ("List operation codes", "The ``op`` of the list operation dicts "
     "(:mod:`aerospike_helpers.operations.list_operations`).", ("OP_LIST_",)),
    ("Map operation codes", "The ``op`` of the map operation dicts "
     "(:mod:`aerospike_helpers.operations.map_operations`).", ("OP_MAP_",)),
    ("Bitwise operation codes", "The ``op`` of the bitwise operation dicts "
     "(:mod:`aerospike_helpers.operations.bitwise_operations`).", ("OP_BIT_",)),
    ("HyperLogLog operation codes", "The ``op`` of the HLL operation dicts "
     "(:mod:`aerospike_helpers.operations.hll_operations`).", ("OP_HLL_",)),
    ("Expression operation codes", "The ``op`` of the expression read and write operations "
     "(:mod:`aerospike_helpers.operations.expression_operations`).", ("OP_EXPR_",)),
    ("List order, flags and return types", "List ``order`` of a list policy, ``write_flags``, "
     "sort flags and the ``return_type`` of list reads and removals.", ("LIST_",)),
    ("Map order, flags and return types", "Map ``map_order`` of a map policy, ``map_write_flags`` "
     "and the ``return_type`` of map reads and removals.", ("MAP_",)),
    ("Bitwise flags", "``bit_write_flags`` of a bit policy, and the resize and overflow "
     "actions of bitwise operations.", ("BIT_",)),
    ("HyperLogLog flags", "``flags`` of an HLL policy.", ("HLL_",)),
    ("Expression flags", "Flags of the expression read and write operations, of path "
     "expressions and of their loop variables.", ("EXP_",)),
    ("Context types", "The kinds of ``aerospike_helpers.cdt_ctx`` context entries.", ("CDT_CTX_",)),
    ("Secondary index types", "Index data types (``INDEX_STRING``, ``INDEX_NUMERIC``, ...) and "
     "collection types (``INDEX_TYPE_*``) of the ``index_*_create`` methods.", ("INDEX_",)),
    ("Jobs", "Modules (``JOB_SCAN``, ``JOB_QUERY``) and statuses of :meth:`Client.job_info`.",
     ("JOB_",)),
    ("Query duration", "``expected_duration`` of a query policy.", ("QUERY_DURATION_",)),
    ("Data types and serializers", "Bytes types of bins (``AS_BYTES_*``), how booleans are sent "
     "(``send_bool_as``: ``AS_BOOL``, ``INTEGER``) and the serializer choices.",
     ("AS_", "INTEGER", "SERIALIZER_")),
    ("Authentication", "``auth_mode`` of the client config.", ("AUTH_",)),
    ("Privileges", "Privilege codes of the ``admin_*`` role methods.", ("PRIV_",)),
    ("Logging", "Levels of :func:`set_log_level`.", ("LOG_",)),
    ("Regular expression flags", "``regex_flags`` of "
     ":class:`~aerospike_helpers.expressions.base.CmpRegex` (POSIX ``regcomp`` flags).",
     ("REGEX_",)),
    ("Transactions", "States of a :class:`Transaction` and the results of "
     ":meth:`Client.commit` and :meth:`Client.abort`.", ("TXN_STATE_", "COMMIT_", "ABORT_")),
    ("Result subcodes", "The ``subcode`` of an error, when the server gives one.", ("SUB_",)),
    ("Error details", "What an error carries beyond its code.", ("ERROR_DETAIL_",)),
    ("UDF types", "``udf_type`` of :meth:`Client.udf_put`.", ("UDF_",)),
]


def constant_groups():
    """[(title, text, [names])] of every constant of ``aerospike_cffi``."""
    from aerospike_cffi import constants

    names = sorted(n for n in vars(constants) if n.isupper() and not n.startswith("_"))
    members = [[] for _ in CONSTANT_GROUPS]
    other = []
    for name in names:
        best = None
        for index, (_, _, prefixes) in enumerate(CONSTANT_GROUPS):
            for prefix in prefixes:
                if name.startswith(prefix) and (best is None or len(prefix) > best[1]):
                    best = (index, len(prefix))
        (other if best is None else members[best[0]]).append(name)
    groups = [(title, text, found) for (title, text, _), found in zip(CONSTANT_GROUPS, members)
              if found]
    if other:
        groups.append(("Other constants", "Constants of no family above.", other))
    return groups


class ConstantsTable(_RstDirective):
    """Each constant as a ``py:data`` entry (name and value), under its family's heading."""

    def lines(self):
        from aerospike_cffi import constants

        out = []
        for title, text, names in constant_groups():
            out += [title, "-" * len(title), "", text, ""]
            for name in names:
                out += [".. py:data:: %s" % name, "   :value: %r" % (getattr(constants, name),), ""]
        return out


class ExceptionTree(_RstDirective):
    """Nested bullet list, each class linked to its base by indentation."""

    FAMILY_ATTRS = {"RecordError": "key, bin", "IndexError": "name", "UDFError": "module, func"}

    def lines(self):
        from aerospike_cffi import exception

        classes = [c for c in vars(exception).values()
                   if isinstance(c, type) and issubclass(c, exception.AerospikeError)]
        children = {}
        for cls in classes:
            if cls is not exception.AerospikeError:
                children.setdefault(cls.__bases__[0], []).append(cls)
        out = []

        def walk(cls, depth):
            code = "" if cls.code is None else " (code ``%d``)" % cls.code
            extra = self.FAMILY_ATTRS.get(cls.__name__)
            extra = "; adds ``%s``" % extra if extra else ""
            out.append("%s* :exc:`%s`%s%s" % ("  " * depth, cls.__name__, code, extra))
            out.append("")
            for child in sorted(children.get(cls, ()), key=lambda c: c.__name__):
                walk(child, depth + 1)

        walk(exception.AerospikeError, 0)
        return out


class ExceptionClasses(_RstDirective):
    """Each exception class but the documented base as a ``py:exception`` entry: its base
    and result code, and the docstring when it has one."""

    def lines(self):
        from aerospike_cffi import exception

        classes = sorted((c for c in vars(exception).values()
                          if isinstance(c, type) and issubclass(c, exception.AerospikeError)
                          and c is not exception.AerospikeError), key=lambda c: c.__name__)
        out = []
        for cls in classes:
            base = cls.__bases__[0].__name__
            code = "" if cls.code is None else ", result code ``%d``" % cls.code
            doc = (cls.__doc__ or "").strip().splitlines()
            out += [".. py:exception:: %s" % cls.__name__, "",
                    "   Subclass of :exc:`%s`%s.%s" % (base, code, " " + doc[0] if doc else ""), ""]
        return out


def official_gaps():
    """Official dotted names (``official_names.txt``) that this project does not define."""
    with open(os.path.join(HERE, "official_names.txt")) as f:
        names = [line.strip() for line in f if line.strip()]
    return [name for name in names if _resolve(name) is None]


class OfficialGaps(_RstDirective):
    def lines(self):
        missing = official_gaps()
        if not missing:
            return ["Every public name of the official client exists here."]
        groups = {}
        for name in missing:
            owner, _, member = name.rpartition(".")
            if owner not in missing:  # a missing class stands for its members
                groups.setdefault(owner, []).append(member)
        return ["* ``%s``: %s" % (owner, ", ".join("``%s``" % m for m in members))
                for owner, members in sorted(groups.items())]


def setup(app):
    app.add_directive("constants-table", ConstantsTable)
    app.add_directive("exception-tree", ExceptionTree)
    app.add_directive("exception-classes", ExceptionClasses)
    app.add_directive("official-gaps", OfficialGaps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
