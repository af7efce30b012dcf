"""Path expressions: the CDT select op (0xfe) behind ``select_by_path`` and
``modify_by_path`` (operations and expressions).

Payload ``[0xfe, ctx, flags]`` selects, ``[0xfe, ctx, flags | APPLY, expr]``
modifies.  ``ctx`` is pairs of (context type, argument), one pair per level of
nesting; each level picks children of the container at that depth:

* by index / rank / key / value (as the ordinary contexts), by a list of map
  keys (``cdt_ctx_map_keys_in``), or by an expression over the child
  (``cdt_ctx_all_children[_with_filter]``) which sees the child as the loop
  variables key / value / index;
* an AND pair (``cdt_ctx_and_filter``) narrows the level before it by a
  further expression.

The low nibble of ``flags`` says what comes back: the matching tree (the
containers keep their shape with only the picked children), or a flat list of
the leaves' values, map keys, or keys and values; or APPLY: each picked leaf is
replaced by the modify expression's value (or removed when it gives
``RemoveResult``).  NO_FAIL (0x10) turns an expression that cannot be decided
(unknown) into "not picked" instead of an error.

This follows the real server (as/src/base/cdt.c, cdt_process_state_select and
cdt_select_*): its checks, in its order, its error codes, and its walk, where a
child that is not a container below the last level is kept as it is in a tree
and skipped otherwise.
"""

from ..errors import BIN_TYPE, PARAMETER, SERVER_ERROR, ServerError
from ..values import MISSING, ListValue, MapValue, compare, sort_key
from . import lists

SELECT_OP = 0xFE

TREE, LEAF_LIST, LEAF_MAP_KEY, LEAF_MAP_KEY_VALUE, APPLY = 0, 1, 2, 3, 4
NO_FAIL = 0x10
_TYPE_MASK = 0x0F
_FLAG_MASK = 0xF0

CTX_INDEX, CTX_RANK, CTX_KEY, CTX_VALUE, CTX_EXP, CTX_KEY_LIST = 0, 1, 2, 3, 4, 10
CTX_AND = 0x200
_BASE_MASK = 0x0F
_LIST_KIND_MASK, _LIST_KIND = 0x30, 0x10
_MAP_KIND_MASK, _MAP_KIND = 0xF0, 0x20
MAX_LEVELS = 64

# Loop variables (as_exp_loopvar_type).
VAR_KEY, VAR_VALUE, VAR_INDEX = 0, 1, 2


def _fail(code):
    raise ServerError(code)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _expr():
    from .. import expr  # the expression engine imports cdt lazily too

    return expr


class _Level:
    __slots__ = ("type", "arg", "exp", "and_exp")

    def __init__(self, ctx_type):
        self.type = ctx_type
        self.arg = None
        self.exp = None
        self.and_exp = None

    @property
    def by(self):
        return self.type & _BASE_MASK


def _compile(arg):
    """A context's expression: ``True`` (every child) or an expression list."""
    if arg is True:
        return None
    if not isinstance(arg, list):
        _fail(PARAMETER)
    try:
        return _expr().compile_expression(arg)
    except ServerError:
        _fail(PARAMETER)


def _parse_levels(ctx):
    if not isinstance(ctx, list) or not ctx or len(ctx) % 2:
        _fail(PARAMETER)
    if len(ctx) // 2 > MAX_LEVELS:
        _fail(PARAMETER)
    levels = []
    for j in range(0, len(ctx), 2):
        ctx_type, arg = ctx[j], ctx[j + 1]
        if not _is_int(ctx_type) or ctx_type < 0:
            _fail(PARAMETER)
        is_and = bool(ctx_type & CTX_AND)
        if is_and:
            # An AND narrows the level before it, once, and never an expression level.
            if (ctx_type != CTX_AND | CTX_EXP or not levels or levels[-1].and_exp is not None
                    or levels[-1].by == CTX_EXP):
                _fail(PARAMETER)
            level = levels[-1]
        else:
            level = _Level(ctx_type)
            levels.append(level)
        by = ctx_type & _BASE_MASK
        if by in (CTX_INDEX, CTX_RANK):
            if not _is_int(arg):
                _fail(PARAMETER)
            level.arg = arg
        elif by in (CTX_KEY, CTX_VALUE, CTX_KEY_LIST):
            level.arg = arg
        elif by == CTX_EXP:
            compiled = _compile(arg)
            if is_and:
                level.and_exp = compiled
            else:
                level.exp = compiled
        else:
            _fail(PARAMETER)
    return levels


def execute(args, bin_value, write):
    """Run one select op (``args`` = its parameters after 0xfe) on a bin;
    (result, new bin value or MISSING when unchanged)."""
    if not isinstance(bin_value, (ListValue, MapValue)):
        _fail(BIN_TYPE)
    if not args:
        _fail(PARAMETER)
    levels = _parse_levels(args[0])
    if len(args) < 2 or not _is_int(args[1]):
        _fail(PARAMETER)
    kind = args[1] & _TYPE_MASK
    if kind > APPLY:
        _fail(PARAMETER)
    if len(args) != (3 if kind == APPLY else 2):
        _fail(PARAMETER)
    sel = _Select(levels, kind, args[1] & _FLAG_MASK)
    if kind == APPLY:
        if not write:
            _fail(PARAMETER)  # APPLY is only for a modify op
        if not isinstance(args[2], (list, bytes, bytearray)):
            _fail(PARAMETER)
        try:
            sel.modify = _expr().compile_expression(args[2])
        except ServerError:
            _fail(PARAMETER)
        sel.walk(bin_value, 0)
        return None, bin_value
    out = sel.walk(bin_value, 0)
    if kind == TREE:
        return out, MISSING
    return ListValue(sel.leaves), MISSING


def _is_cdt(v):
    return isinstance(v, (ListValue, MapValue))


class _Select:
    def __init__(self, levels, kind, flags):
        self.levels = levels
        self.kind = kind
        self.no_fail = bool(flags & NO_FAIL)
        self.leaves = []
        self.modify = None

    # -- expressions

    def test(self, compiled, builtins):
        """True / False / None (unknown) of a context expression on one child."""
        got = compiled.run(None, builtins)
        if got is True or got is False:
            return got
        expr = _expr()
        if got is expr.UNKNOWN:
            return None
        return False  # a value that is not a boolean does not pick

    def decide(self, tri):
        if tri is None:
            if not self.no_fail:
                _fail(PARAMETER)
            return False
        return tri

    def new_value(self, builtins):
        """The modify expression's value for one leaf: a value, REMOVE, or None
        to keep the leaf (unknown under NO_FAIL)."""
        expr = _expr()
        got = self.modify.run(None, builtins)
        if got is expr.UNKNOWN:
            if not self.no_fail:
                _fail(SERVER_ERROR)
            return None
        if lists.has_nonstorage(got):
            _fail(BIN_TYPE)
        return got

    # -- the walk

    def walk(self, value, depth):
        if isinstance(value, ListValue):
            return self.walk_list(value, depth)
        if isinstance(value, MapValue):
            return self.walk_map(value, depth)
        _fail(BIN_TYPE)

    def walk_list(self, lst, depth):
        leaf = depth + 1 == len(self.levels)
        if not lst:
            return ListValue()
        if leaf and self.kind in (LEAF_MAP_KEY, LEAF_MAP_KEY_VALUE):
            if not self.no_fail:
                _fail(BIN_TYPE)  # a list has no keys
            return None
        level = self.levels[depth]
        if level.type & _LIST_KIND_MASK not in (0, _LIST_KIND):
            _fail(PARAMETER)
        n = len(lst)
        by = level.by
        picked = []
        if by in (CTX_INDEX, CTX_RANK):
            pos = level.arg + n if level.arg < 0 else level.arg
            if 0 <= pos < n:
                if by == CTX_RANK and not lst.flags & lists.ORDERED:
                    pos = sorted(range(n), key=lambda i: sort_key(lst[i]))[pos]
                if level.and_exp is None or self.test(level.and_exp, self.list_vars(lst, pos)) is True:
                    picked.append(pos)
        else:
            for i, e in enumerate(lst):
                if by == CTX_EXP:
                    tri = True if level.exp is None else self.test(level.exp, self.list_vars(lst, i))
                elif by == CTX_VALUE:
                    tri = compare(e, level.arg) == 0
                else:
                    tri = None  # keys: a list has none
                if tri is True and level.and_exp is not None:
                    tri = self.test(level.and_exp, self.list_vars(lst, i))
                if self.decide(tri):
                    picked.append(i)
        out = ListValue()
        removed = []
        for i in picked:
            e = lst[i]
            if not leaf and _is_cdt(e):
                sub = self.walk(e, depth + 1)
                if self.kind == TREE:
                    out.append(sub)
            elif self.kind == TREE:
                out.append(e)
            elif leaf:
                if self.kind == APPLY:
                    got = self.new_value(self.list_vars(lst, i))
                    if got is _expr().REMOVE:
                        removed.append(i)
                    elif got is not None:
                        lst[i] = got
                else:
                    self.leaves.append(e)
        for i in reversed(removed):
            del lst[i]
        if self.kind == APPLY and lst.flags & lists.ORDERED:
            lst.sort(key=sort_key)
        return out

    @staticmethod
    def list_vars(lst, i):
        return {VAR_VALUE: lst[i], VAR_INDEX: i}

    def walk_map(self, m, depth):
        leaf = depth + 1 == len(self.levels)
        items = m.items
        if not items:
            return MapValue()
        level = self.levels[depth]
        if level.type & _MAP_KIND_MASK not in (0, _MAP_KIND):
            _fail(PARAMETER)
        by = level.by
        picked = []
        if by in (CTX_INDEX, CTX_RANK):
            n = len(items)
            pos = level.arg + n if level.arg < 0 else level.arg
            if 0 <= pos < n:
                order = sorted(range(n), key=lambda i: sort_key(items[i][0]))
                if by == CTX_RANK:
                    order.sort(key=lambda i: sort_key(items[i][1]))
                pos = order[pos]
                if (level.and_exp is None
                        or self.test(level.and_exp, self.map_vars(items[pos])) is True):
                    picked.append(pos)
        else:
            wanted = None
            if by == CTX_KEY_LIST:
                if not isinstance(level.arg, list):
                    _fail(PARAMETER)
                wanted = level.arg
            found = False
            for i, pair in enumerate(items):
                if found:
                    tri = False  # a key is in a map once
                elif by == CTX_EXP:
                    tri = True if level.exp is None else self.test(level.exp, self.map_vars(pair))
                elif by == CTX_KEY:
                    tri = found = compare(pair[0], level.arg) == 0
                elif by == CTX_VALUE:
                    tri = compare(pair[1], level.arg) == 0
                elif by == CTX_KEY_LIST:
                    tri = any(compare(pair[0], k) == 0 for k in wanted)
                else:
                    tri = None
                if tri is True and level.and_exp is not None:
                    tri = self.test(level.and_exp, self.map_vars(pair))
                if self.decide(tri):
                    picked.append(i)
        out = MapValue()
        removed = []
        for i in picked:
            k, v = items[i]
            if not leaf and _is_cdt(v):
                sub = self.walk(v, depth + 1)
                if self.kind == TREE:
                    out.items.append([k, sub])
                continue
            if leaf and self.kind & LEAF_MAP_KEY and self.kind != APPLY:
                self.leaves.append(k)
            if leaf and self.kind & LEAF_LIST and self.kind != APPLY:
                self.leaves.append(v)
            if leaf and self.kind == APPLY:
                got = self.new_value(self.map_vars(items[i]))
                if got is _expr().REMOVE:
                    removed.append(i)
                elif got is not None:
                    items[i][1] = got
            elif self.kind == TREE:
                out.items.append([k, v])
        for i in reversed(removed):
            del items[i]
        return out

    @staticmethod
    def map_vars(pair):
        return {VAR_KEY: pair[0], VAR_VALUE: pair[1]}
