"""Directives that render reference tables from the code itself, so they never go stale.

- ``.. constants-table::`` every constant of ``aerospike_cffi``, grouped by name prefix.
- ``.. exception-tree::`` the exception classes as a tree, with result codes and the extra
  attributes of each family.
- ``.. official-gaps::`` public names of the official client (``aerospike`` and
  ``aerospike_helpers``, listed in ``official_names.txt`` next to this file) that this
  project does not have yet.

Each builds plain reStructuredText and parses it, so the output looks like hand-written
text and takes part in cross-references.
"""

import importlib
import os

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

HERE = os.path.dirname(os.path.abspath(__file__))

# Constant families whose names share two leading words (OP_LIST_..., POLICY_KEY_...).
TWO_WORD_PREFIXES = ("OP", "POLICY", "MAP", "LIST", "AS", "SUB", "EXP", "CDT", "BIT", "HLL",
                     "INDEX", "JOB", "TXN", "TTL", "QUERY", "ERROR")


class _RstDirective(SphinxDirective):
    """Base: subclasses return their text as a list of lines from ``lines()``."""

    def run(self):
        node = nodes.container()
        self.state.nested_parse(StringList(self.lines(), source="<%s>" % self.name),
                                self.content_offset, node)
        return node.children

    def lines(self):
        raise NotImplementedError


def _prefix(name):
    words = name.split("_")
    if words[0] in TWO_WORD_PREFIXES and len(words) > 2:
        return "_".join(words[:2]) + "_"
    return words[0] + "_" if len(words) > 1 else name


class ConstantsTable(_RstDirective):
    def lines(self):
        from aerospike_cffi import constants

        names = sorted(n for n in vars(constants) if n.isupper() and not n.startswith("_"))
        groups = {}
        for name in names:
            groups.setdefault(_prefix(name), []).append(name)
        out = []
        for prefix in sorted(groups):
            out += [".. list-table:: ``%s*``" % prefix, "   :header-rows: 1",
                    "   :widths: 70 30", "", "   * - name", "     - value"]
            for name in groups[prefix]:
                out += ["   * - ``%s``" % name, "     - ``%r``" % (getattr(constants, name),)]
            out.append("")
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
            out.append("%s* ``%s``%s%s" % ("  " * depth, cls.__name__, code, extra))
            out.append("")
            for child in sorted(children.get(cls, ()), key=lambda c: c.__name__):
                walk(child, depth + 1)

        walk(exception.AerospikeError, 0)
        return out


def _resolve(dotted):
    """The object an official dotted name denotes in this project, or None."""
    parts = dotted.split(".")
    if parts[0] == "aerospike":
        parts[0] = "aerospike_cffi"
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            found = getattr(obj, attr, None)
            if found is None and isinstance(obj, type) and _init_sets(obj, attr):
                return True  # an instance attribute: it exists once the object is made
            if found is None:
                return None
            obj = found
        return obj
    return None


def _init_sets(cls, attr):
    """Whether an ``__init__`` of ``cls`` (or its bases) uses ``self.<attr>``."""
    for klass in cls.__mro__:
        code = getattr(vars(klass).get("__init__"), "__code__", None)
        if code is not None and attr in code.co_names:
            return True
    return False


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
    app.add_directive("official-gaps", OfficialGaps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
