"""Collection (list and map) operations of the dev server.

``execute(op, bin_value, write) -> (result, new_value)`` runs one CDT op, the
decoded msgpack payload of a CDT_READ / CDT_MODIFY wire op:

* ``[op_code, args...]`` works on the bin itself;
* ``[0xff, ctx, [op_code, args...]]`` first walks the context ``ctx`` (pairs
  of context type and argument) down to a nested list or map, creating the
  missing levels when the context asks for it;
* ``[0xfe, path, flags(, expr)]`` selects or modifies by path (``paths``).

List op codes (0..63) go to ``lists``, map op codes to ``maps``.  The walk
follows the real server's rules (as/src/base/cdt.c): which context types
exist, when a level may be created, which errors come back.
"""

from ..errors import BIN_TYPE, OP_NOT_APPLICABLE, PARAMETER, ServerError
from ..values import MISSING, ListValue, MapValue, compare, sort_key
from . import lists, maps, paths

CONTEXT_EVAL = 0xFF

# Context types: a container kind, a lookup kind, and create flags.
CTX_LIST, CTX_MAP = 0x10, 0x20
CTX_INDEX, CTX_RANK, CTX_KEY, CTX_VALUE = 0, 1, 2, 3
_CTX_LOOKUP_MASK = 0x0F
_CTX_TYPE_MASK = 0x3F
_CTX_LOOKUPS = 4

CREATE_MASK = 0x1C0
CREATE_PERSIST_INDEX = 0x100
CREATE_LIST_UNORDERED, CREATE_LIST_UNBOUND, CREATE_LIST_ORDERED = 0x40, 0x80, 0xC0
CREATE_MAP_UNORDERED, CREATE_MAP_K_ORDERED, CREATE_MAP_KV_ORDERED = 0x40, 0x80, 0xC0

_LIST_CREATE_TYPES = frozenset([0, 0x40, 0x140, 0x80, 0x180, 0xC0, 0x1C0])
_MAP_CREATE_TYPES = frozenset([0, 0x40, 0x80, 0xC0, 0x180, 0x1C0])
_MAP_FLAGS_OF_CREATE = {0: 0, 0x40: 0, 0x80: 1, 0xC0: 3}

_LIST_OP_LIMIT = 64  # op codes below are list ops, the rest map ops


def _fail(code):
    raise ServerError(code)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_list_op(op_code):
    return op_code < _LIST_OP_LIMIT


def execute(op, bin_value, write):
    """Run one decoded CDT op on ``bin_value``; return (result, new_value)."""
    if not isinstance(op, list) or not op or not _is_int(op[0]):
        _fail(PARAMETER)
    if op[0] == paths.SELECT_OP:  # select_by_path / modify_by_path
        return paths.execute(op[1:], bin_value, write)
    if op[0] != CONTEXT_EVAL:
        return _run_on_bin(op[0], op[1:], bin_value, write)
    if len(op) != 3:
        _fail(PARAMETER)
    return _run_in_context(op[1], op[2], bin_value, write)


def _run_on_bin(op_code, args, bin_value, write):
    if is_list_op(op_code):
        return lists.apply_to_bin(op_code, args, bin_value, write)
    if bin_value is not MISSING and not isinstance(bin_value, MapValue):
        _fail(BIN_TYPE)
    return maps.apply(op_code, args, bin_value, write)


def _run_on_element(op_code, args, element, write):
    """The op at the end of a context: on an existing element, or (MISSING)
    on one the context is creating."""
    if is_list_op(op_code):
        if element is not MISSING and not isinstance(element, ListValue):
            _fail(BIN_TYPE)
        return lists.apply(op_code, args, element, write)
    if element is not MISSING and not isinstance(element, MapValue):
        _fail(BIN_TYPE)
    return maps.apply(op_code, args, element, write, top_level=False)


# ---------------------------------------------------------------- context walk

class _Step:
    """One context level: its type word and argument."""

    __slots__ = ("type", "arg")

    def __init__(self, ctx_type, arg):
        self.type = ctx_type
        self.arg = arg

    @property
    def lookup(self):
        return self.type & _CTX_LOOKUP_MASK

    @property
    def create_type(self):
        return self.type & CREATE_MASK

    @property
    def creates(self):
        return self.type & CREATE_MASK & ~CREATE_PERSIST_INDEX != 0

    def check_type(self):
        if self.lookup >= _CTX_LOOKUPS:
            _fail(OP_NOT_APPLICABLE)
        if self.type & CTX_LIST:
            allowed = _LIST_CREATE_TYPES
        elif self.type & CTX_MAP:
            allowed = _MAP_CREATE_TYPES
        else:
            allowed = (0,)
        if self.create_type not in allowed:
            _fail(OP_NOT_APPLICABLE)


def _parse_context(ctx):
    if not isinstance(ctx, list) or not ctx or len(ctx) % 2:
        _fail(PARAMETER)
    return [_Step(ctx[i], ctx[i + 1]) for i in range(0, len(ctx), 2)]


def _parse_inner(inner):
    if not isinstance(inner, list) or not inner or not _is_int(inner[0]):
        _fail(PARAMETER)
    return inner[0], inner[1:]


def _run_in_context(ctx, inner, bin_value, write):
    steps = _parse_context(ctx)
    if bin_value is MISSING:
        if not write:
            return None, MISSING
        for step in steps:
            if not _is_int(step.type):
                _fail(PARAMETER)
        steps[0].check_type()
        if not steps[0].creates:
            _fail(OP_NOT_APPLICABLE)  # a missing bin needs a creating context
        return _create_levels(steps, 0, inner, write, top_level=True)
    if not isinstance(bin_value, (ListValue, MapValue)):
        _fail(PARAMETER)
    return _walk(bin_value, steps, 0, inner, write)


def _walk(container, steps, pos, inner, write):
    """Descend from ``container`` through ``steps[pos:]``, run the op, and put
    the changed element back.  Returns (result, new container or MISSING)."""
    if pos == len(steps):
        op_code, args = _parse_inner(inner)
        return _run_on_element(op_code, args, container, write)
    step = steps[pos]
    if not _is_int(step.type):
        _fail(PARAMETER)
    step.check_type()
    if isinstance(container, ListValue):
        if step.type & CTX_MAP:
            _fail(OP_NOT_APPLICABLE)
        where = _find_in_list(container, step)
    elif isinstance(container, MapValue):
        if step.type & CTX_LIST:
            _fail(OP_NOT_APPLICABLE)
        where = _find_in_map(container, step)
    else:
        _fail(OP_NOT_APPLICABLE)

    if where.creating:
        if not write:
            _fail(OP_NOT_APPLICABLE)
        result, new_child = _create_levels(steps, pos + 1, inner, write)
    else:
        result, new_child = _walk(where.child, steps, pos + 1, inner, write)
    if new_child is MISSING:
        return result, MISSING
    where.store(new_child)
    return result, container


class _Place:
    """Where a context step landed in its container: an existing child, or a
    spot for a child the context creates; ``store`` writes the child back."""

    def __init__(self, child, store, creating=False):
        self.child = child
        self.store = store
        self.creating = creating


def _list_place(container, index):
    def store(child):
        container[index] = child
        _keep_list_order(container)

    return _Place(container[index], store)


def _keep_list_order(container):
    if container.flags & lists.ORDERED:
        container.sort(key=sort_key)


def _find_in_list(container, step):
    n = len(container)
    lookup = step.lookup
    if lookup == CTX_INDEX or (lookup == CTX_RANK and container.flags & lists.ORDERED):
        if not _is_int(step.arg):
            _fail(OP_NOT_APPLICABLE)
        index = step.arg
        if -n <= index < n:
            return _list_place(container, index % n)
        if not step.creates:
            _fail(OP_NOT_APPLICABLE)
        return _list_creation_place(container, step, index)
    if lookup == CTX_RANK:
        if not _is_int(step.arg) or not -n <= step.arg < n:
            _fail(OP_NOT_APPLICABLE)
        by_rank = sorted(range(n), key=lambda i: sort_key(container[i]))
        return _list_place(container, by_rank[step.arg % n])
    if lookup == CTX_VALUE:
        for i, e in enumerate(container):
            if compare(e, step.arg) == 0:
                return _list_place(container, i)
        _fail(OP_NOT_APPLICABLE)
    _fail(OP_NOT_APPLICABLE)  # lists have no keys


def _list_creation_place(container, step, index):
    """A creating list-index step past the end: append (an ordered list sorts
    the new element in), pad with nils first when the step is unbound."""
    n = len(container)
    if index == n or (n == 0 and index == -1) or container.flags & lists.ORDERED:
        pad = 0
    elif step.create_type & ~CREATE_PERSIST_INDEX == CREATE_LIST_UNBOUND and index > n:
        pad = index - n
    else:
        _fail(OP_NOT_APPLICABLE)

    def store(child):
        container.extend([None] * pad)
        container.append(child)
        _keep_list_order(container)

    return _Place(MISSING, store, creating=True)


def _map_place(container, pair):
    def store(child):
        pair[1] = child

    return _Place(pair[1], store)


def _pairs_by_key(container):
    return sorted(container.items, key=lambda kv: sort_key(kv[0]))


def _find_in_map(container, step):
    lookup = step.lookup
    if lookup == CTX_KEY:
        for pair in container.items:
            if compare(pair[0], step.arg) == 0:
                return _map_place(container, pair)
        if not step.creates:
            _fail(OP_NOT_APPLICABLE)

        def store(child):
            container.items.append([step.arg, child])
            container.items.sort(key=lambda kv: sort_key(kv[0]))

        return _Place(MISSING, store, creating=True)
    if lookup in (CTX_INDEX, CTX_RANK):
        n = len(container.items)
        if not _is_int(step.arg) or not -n <= step.arg < n:
            _fail(OP_NOT_APPLICABLE)
        pairs = _pairs_by_key(container)
        if lookup == CTX_RANK:
            pairs.sort(key=lambda kv: sort_key(kv[1]))
        return _map_place(container, pairs[step.arg % n])
    # CTX_VALUE: the first pair (in key order) holding the value.
    for pair in _pairs_by_key(container):
        if compare(pair[1], step.arg) == 0:
            return _map_place(container, pair)
    _fail(OP_NOT_APPLICABLE)


def _create_levels(steps, pos, inner, write, top_level=False):
    """Run the op on a new element and wrap it in the containers that
    ``steps[pos:]`` describe (each step says what container to create at its
    level).  Nothing is created when the op writes nothing."""
    builders = [_level_builder(step, top_level and i == 0)
                for i, step in enumerate(steps[pos:])]
    op_code, args = _parse_inner(inner)
    result, value = _run_on_element(op_code, args, MISSING, write)
    if value is MISSING:
        return result, MISSING
    for build in reversed(builders):
        value = build(value)
    return result, value


def _level_builder(step, is_bin):
    """A function wrapping a child in the new container ``step`` describes."""
    if not _is_int(step.type):
        _fail(PARAMETER)
    step.check_type()
    create_type = step.create_type
    if create_type & CREATE_PERSIST_INDEX and not is_bin:
        _fail(OP_NOT_APPLICABLE)
    create_type &= ~CREATE_PERSIST_INDEX
    if step.type & _CTX_TYPE_MASK == CTX_MAP | CTX_KEY:
        if lists.has_nonstorage(step.arg):
            _fail(OP_NOT_APPLICABLE)
        flags = _MAP_FLAGS_OF_CREATE[create_type]
        key = lists.storage_form(step.arg)
        return lambda child: MapValue([[key, child]], flags)
    if step.type & _CTX_TYPE_MASK == CTX_LIST | CTX_INDEX:
        index = step.arg
        if not _is_int(index) or index < -1:
            _fail(OP_NOT_APPLICABLE)
        if create_type == CREATE_LIST_UNBOUND:
            pad = max(index, 0)
            return lambda child: ListValue([None] * pad + [child])
        if create_type == CREATE_LIST_ORDERED:
            return lambda child: ListValue([child], lists.ORDERED)
        if index > 0:
            _fail(OP_NOT_APPLICABLE)
        return lambda child: ListValue([child])
    _fail(OP_NOT_APPLICABLE)
