"""Map operations of the dev server, with the real server's semantics.

``apply(op_code, args, value, write, top_level=True) -> (result, new_value)``

``op_code`` is the map op code (64..110), ``args`` the decoded op arguments
after the op code, ``value`` the map to work on (a ``MapValue``) or
``values.MISSING`` when there is none yet.  ``write`` is True for a
CDT_MODIFY op.  ``new_value`` is ``values.MISSING`` when the op leaves the
map untouched, else a new ``MapValue`` (the given one is never mutated).
``top_level`` (False for a map inside another collection) changes nothing:
the server's value order index of top-level key-value-ordered maps does not
show in any answer (recorded cases return value selections in key order).

Words used below:
  position  where a pair sits in the stored order (``MapValue.items``);
  index     where a key sits in key order (the same as the position for a
            key-ordered map);
  rank      where a pair sits in value order (ties broken by key).

A single-result op (get/remove by key, index, rank or single value) is not
"multi": it answers one element instead of a list and fails on indexes out
of range.  The server computes results on several code paths whose answers
differ in order and in edge cases; the functions below follow those paths.
"""

import functools

from .. import values
from ..errors import (BIN_TYPE, ELEMENT_EXISTS, ELEMENT_NOT_FOUND, OP_NOT_APPLICABLE,
                      PARAMETER, ServerError)
from ..values import MISSING, ListValue, MapValue, compare

# ---------------------------------------------------------------- op codes

SET_TYPE = 64
ADD = 65
ADD_ITEMS = 66
PUT = 67
PUT_ITEMS = 68
REPLACE = 69
REPLACE_ITEMS = 70
INCREMENT = 73
DECREMENT = 74
CLEAR = 75
REMOVE_BY_KEY = 76
REMOVE_BY_INDEX = 77
REMOVE_BY_VALUE = 78
REMOVE_BY_RANK = 79
REMOVE_BY_KEY_LIST = 81
REMOVE_ALL_BY_VALUE = 82
REMOVE_BY_VALUE_LIST = 83
REMOVE_BY_KEY_INTERVAL = 84
REMOVE_BY_INDEX_RANGE = 85
REMOVE_BY_VALUE_INTERVAL = 86
REMOVE_BY_RANK_RANGE = 87
REMOVE_BY_KEY_REL_INDEX_RANGE = 88
REMOVE_BY_VALUE_REL_RANK_RANGE = 89
SIZE = 96
GET_BY_KEY = 97
GET_BY_INDEX = 98
GET_BY_VALUE = 99
GET_BY_RANK = 100
GET_ALL_BY_VALUE = 102
GET_BY_KEY_INTERVAL = 103
GET_BY_INDEX_RANGE = 104
GET_BY_VALUE_INTERVAL = 105
GET_BY_RANK_RANGE = 106
GET_BY_KEY_LIST = 107
GET_BY_VALUE_LIST = 108
GET_BY_KEY_REL_INDEX_RANGE = 109
GET_BY_VALUE_REL_RANK_RANGE = 110

# Result types (low 16 bits of the return-type argument) and the invert flag.
RT_NONE, RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK, RT_COUNT = 0, 1, 2, 3, 4, 5
RT_KEY, RT_VALUE, RT_KEY_VALUE = 6, 7, 8
RT_INDEX_RANGE, RT_REVINDEX_RANGE, RT_RANK_RANGE, RT_REVRANK_RANGE = 9, 10, 11, 12
RT_EXISTS, RT_UNORDERED_MAP, RT_ORDERED_MAP = 13, 16, 17
INVERTED = 0x10000

_INDEX_TYPES = (RT_INDEX, RT_REVINDEX)
_RANK_TYPES = (RT_RANK, RT_REVRANK)
_INDEX_RANGE_TYPES = (RT_INDEX_RANGE, RT_REVINDEX_RANGE)
_RANK_RANGE_TYPES = (RT_RANK_RANGE, RT_REVRANK_RANGE)
_RANGE_TYPES = _INDEX_RANGE_TYPES + _RANK_RANGE_TYPES
_MAP_TYPES = (RT_KEY_VALUE, RT_UNORDERED_MAP, RT_ORDERED_MAP)
_ELEMENT_TYPES = (RT_KEY, RT_VALUE) + _MAP_TYPES
_KNOWN_TYPES = frozenset((RT_NONE, RT_COUNT, RT_EXISTS) + _INDEX_TYPES + _RANK_TYPES
                         + _RANGE_TYPES + _ELEMENT_TYPES)

# Map flags: stored order, and the flag a key-value result map carries so the
# client keeps its order (it turns such a map into a flat [k, v, ...] list).
K_ORDERED = values.MAP_K_ORDERED
KV_ORDERED = values.MAP_KV_ORDERED
PRESERVE_ORDER = 0x08
_RESULT_MAP_FLAGS = {RT_KEY_VALUE: PRESERVE_ORDER, RT_UNORDERED_MAP: 0, RT_ORDERED_MAP: K_ORDERED}

# Write flags of put / put_items.
NO_OVERWRITE = 0x01  # MAP_WRITE_FLAGS_CREATE_ONLY
NO_CREATE = 0x02     # MAP_WRITE_FLAGS_UPDATE_ONLY
NO_FAIL = 0x04
DO_PARTIAL = 0x08

_UINT64 = 1 << 64
_UINT32_MAX = 0xFFFFFFFF

# ---------------------------------------------------------------- arguments

# Argument kinds: signed int, unsigned int, any value, storable value.
_INT, _UINT, _ANY, _STORE = "int", "uint", "any", "store"


class _Spec:
    """How the server reads one op's arguments."""

    __slots__ = ("kinds", "optional", "is_write")

    def __init__(self, kinds, optional, is_write):
        self.kinds = kinds
        self.optional = optional
        self.is_write = is_write


def _specs():
    rt_key = (_INT, _ANY)
    rt_int = (_INT, _INT)
    rt_range = (_INT, _INT, _UINT)
    rt_interval = (_INT, _ANY, _ANY)
    rt_rel = (_INT, _ANY, _INT, _UINT)
    table = {
        SET_TYPE: ((_UINT,), 0, True),
        ADD: ((_STORE, _STORE, _UINT), 1, True),
        ADD_ITEMS: ((_STORE, _UINT), 1, True),
        PUT: ((_STORE, _STORE, _UINT, _UINT), 2, True),
        PUT_ITEMS: ((_STORE, _UINT, _UINT), 2, True),
        REPLACE: ((_STORE, _STORE), 0, True),
        REPLACE_ITEMS: ((_STORE,), 0, True),
        INCREMENT: ((_ANY, _ANY, _UINT), 2, True),
        DECREMENT: ((_ANY, _ANY, _UINT), 2, True),
        CLEAR: ((), 0, True),
        REMOVE_BY_KEY: (rt_key, 0, True),
        REMOVE_BY_VALUE: (rt_key, 0, True),
        REMOVE_BY_INDEX: (rt_int, 0, True),
        REMOVE_BY_RANK: (rt_int, 0, True),
        REMOVE_BY_KEY_LIST: (rt_key, 0, True),
        REMOVE_ALL_BY_VALUE: (rt_key, 0, True),
        REMOVE_BY_VALUE_LIST: (rt_key, 0, True),
        REMOVE_BY_KEY_INTERVAL: (rt_interval, 1, True),
        REMOVE_BY_INDEX_RANGE: (rt_range, 1, True),
        REMOVE_BY_VALUE_INTERVAL: (rt_interval, 1, True),
        REMOVE_BY_RANK_RANGE: (rt_range, 1, True),
        REMOVE_BY_KEY_REL_INDEX_RANGE: (rt_rel, 1, True),
        REMOVE_BY_VALUE_REL_RANK_RANGE: (rt_rel, 1, True),
        SIZE: ((), 0, False),
        GET_BY_KEY: (rt_key, 0, False),
        GET_BY_INDEX: (rt_int, 0, False),
        GET_BY_VALUE: (rt_key, 0, False),
        GET_BY_RANK: (rt_int, 0, False),
        GET_ALL_BY_VALUE: (rt_key, 0, False),
        GET_BY_KEY_INTERVAL: (rt_interval, 1, False),
        GET_BY_INDEX_RANGE: (rt_range, 1, False),
        GET_BY_VALUE_INTERVAL: (rt_interval, 1, False),
        GET_BY_RANK_RANGE: (rt_range, 1, False),
        GET_BY_KEY_LIST: (rt_key, 0, False),
        GET_BY_VALUE_LIST: (rt_key, 0, False),
        GET_BY_KEY_REL_INDEX_RANGE: (rt_rel, 1, False),
        GET_BY_VALUE_REL_RANK_RANGE: (rt_rel, 1, False),
    }
    return {op: _Spec(*entry) for op, entry in table.items()}


_SPECS = _specs()

# Ops that make a map where there is none (all others are no-ops on a missing map).
_CREATING_OPS = frozenset((SET_TYPE, ADD, ADD_ITEMS, PUT, PUT_ITEMS, REPLACE, INCREMENT, DECREMENT))


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_storable(v):
    """False when v holds a wildcard / infinity (only allowed in queries)."""
    if v is values.WILDCARD or v is values.INF:
        return False
    if isinstance(v, values.Ext):
        return v.type != values.CMP_EXT_TYPE
    if isinstance(v, list):
        return all(_is_storable(e) for e in v)
    if isinstance(v, MapValue):
        return all(_is_storable(k) and _is_storable(e) for k, e in v.items)
    return True


def _is_map_key(v):
    """Stored map keys are integers, strings or blobs."""
    if isinstance(v, str):
        return not isinstance(v, values.GeoJSON)
    return _is_int(v) or isinstance(v, bytes)


def _check_map_key(key):
    if not _is_map_key(key):
        raise ServerError(PARAMETER, "map keys must be integers, strings or blobs")


def _parse_args(spec, args):
    """Check count and kinds of the op's arguments; return the given ones."""
    kinds = spec.kinds
    if not kinds:
        return []  # the server ignores arguments of argument-less ops
    if not len(kinds) - spec.optional <= len(args) <= len(kinds):
        raise ServerError(PARAMETER, "wrong argument count")
    out = []
    for kind, arg in zip(kinds, args):
        if kind in (_INT, _UINT):
            if not _is_int(arg):
                raise ServerError(PARAMETER, "integer argument expected")
            if kind == _UINT and arg < 0:
                arg += _UINT64
        elif kind == _STORE and not _is_storable(arg):
            raise ServerError(PARAMETER, "wildcard or infinity in a stored value")
        out.append(arg)
    return out


# ---------------------------------------------------------------- entry point

def apply(op_code, args, value, write, top_level=True):
    """Run map op ``op_code`` on ``value``; return (result, new_value)."""
    spec = _SPECS.get(op_code)
    if spec is None or (spec.is_write and not write):
        raise ServerError(PARAMETER, "unknown map op %r" % (op_code,))
    if value is MISSING:
        if not spec.is_write:
            return None, MISSING
        if op_code == REPLACE_ITEMS:
            raise ServerError(ELEMENT_NOT_FOUND, "no map to replace items in")
        if op_code not in _CREATING_OPS:
            return None, MISSING
    elif not isinstance(value, MapValue):
        raise ServerError(BIN_TYPE, "not a map")
    params = _parse_args(spec, args)
    if value is MISSING:
        value = MapValue((), _creation_flags(op_code, params))
    op = _MapOp(value, spec.is_write)
    result = _HANDLERS[op_code](op, *params)
    if not spec.is_write:
        return result, MISSING
    return result, MapValue(op.items, op.flags)


def _creation_flags(op_code, params):
    """Order of the map an op creates: the op's map policy (its attributes)."""
    if op_code == SET_TYPE or op_code == REPLACE:
        return 0
    where = {ADD: 2, PUT: 2, ADD_ITEMS: 1, PUT_ITEMS: 1, INCREMENT: 2, DECREMENT: 2}[op_code]
    return _order_flags(params[where]) if len(params) > where else 0


def _order_flags(flags):
    if flags & KV_ORDERED == KV_ORDERED:
        return KV_ORDERED
    return flags & K_ORDERED


# ---------------------------------------------------------------- helpers

def _cmp_pairs_by_key(a, b):
    return compare(a[0], b[0])


_pair_key = functools.cmp_to_key(_cmp_pairs_by_key)


def _copy(v):
    """A result must not share containers with the bin that later ops may change."""
    if isinstance(v, ListValue):
        return ListValue([_copy(e) for e in v], v.flags)
    if isinstance(v, MapValue):
        return MapValue([(_copy(k), _copy(e)) for k, e in v.items], v.flags)
    return v


def _int_range(start, count, n, rev):
    """start..start+count as result integers; reversed ones count from the end."""
    if rev:
        start = n - start - count
    return list(range(start, start + count))


def _calc_index_count(index, count, n, multi):
    """Absolute (index, count) of a range request, as the server bounds it."""
    if multi:
        if index >= n:
            return n, 0
        if index < 0:
            index += n
        if index < 0:
            if -index < count:
                return 0, min(count + index, n)
            return 0, 0
        return index, min(count, n - index)
    if index >= n or index + n < 0:
        raise ServerError(OP_NOT_APPLICABLE, "index out of bounds")
    if index < 0:
        index += n
    return index, min(count, n - index)


def _calc_rel_index_count(index, count, rel):
    index += rel
    if index < 0:
        count = count + index if count > -index else 0
        index = 0
    return index, count


class _MapOp:
    """One op on one map: the map, the requested result, and the server's paths."""

    def __init__(self, value, is_write):
        self.flags = _order_flags(value.flags)
        self.items = [list(kv) for kv in value.items]
        self.is_write = is_write
        self.rtype = RT_NONE
        self.inverted = False
        self.multi = False
        self._cache = {}

    # ------------------------------------------------ map facts

    @property
    def n(self):
        return len(self.items)

    @property
    def k_ordered(self):
        return bool(self.flags & K_ORDERED)

    def _memo(self, name, compute):
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    def key_order(self):
        """Positions in key order."""
        def compute():
            if self.k_ordered:
                return list(range(self.n))
            items = self.items
            return sorted(range(self.n), key=lambda p: values.sort_key(items[p][0]))
        return self._memo("key_order", compute)

    def index_of(self, pos):
        index = self._memo("index_of", lambda: {p: i for i, p in enumerate(self.key_order())})
        return index[pos]

    def rank_order(self):
        """Positions in value order, ties by key."""
        def compute():
            items = self.items
            return sorted(self.key_order(), key=lambda p: values.sort_key(items[p][1]))
        return self._memo("rank_order", compute)

    def rank_of(self, pos):
        rank = self._memo("rank_of", lambda: {p: r for r, p in enumerate(self.rank_order())})
        return rank[pos]

    def stored_rank_of(self, pos):
        """Rank with ties by position: what the server's temporary value index gives."""
        def compute():
            items = self.items
            order = sorted(range(self.n), key=lambda p: values.sort_key(items[p][1]))
            return {p: r for r, p in enumerate(order)}
        return self._memo("stored_rank_of", compute)[pos]

    def count_keys_below(self, key):
        return sum(1 for k, _ in self.items if compare(k, key) < 0)

    def count_values_below(self, value):
        return sum(1 for _, v in self.items if compare(v, value) < 0)

    def find_key(self, key):
        for pos, (k, _) in enumerate(self.items):
            if compare(k, key) == 0:
                return pos
        return None

    # ------------------------------------------------ changes

    def set_items(self, items):
        self.items = items
        self._cache = {}

    def keep_only(self, positions):
        keep = set(positions)
        self.set_items([kv for p, kv in enumerate(self.items) if p in keep])

    def remove(self, positions):
        if self.is_write and positions:
            drop = set(positions)
            self.keep_only(p for p in range(self.n) if p not in drop)

    def complement(self, positions):
        chosen = set(positions)
        return [p for p in range(self.n) if p not in chosen]

    # ------------------------------------------------ result request

    def set_result(self, rtype, multi):
        self.rtype = rtype & 0xFFFF
        self.inverted = bool(rtype & INVERTED)
        self.multi = multi
        if self.rtype not in _KNOWN_TYPES:
            raise ServerError(OP_NOT_APPLICABLE, "unknown return type %d" % self.rtype)

    @property
    def rev(self):
        return self.rtype in (RT_REVINDEX, RT_REVRANK, RT_REVINDEX_RANGE, RT_REVRANK_RANGE)

    def not_applicable(self, why="return type not supported here"):
        raise ServerError(OP_NOT_APPLICABLE, why)

    # ------------------------------------------------ result builders
    # Each works on the map before any removal of this op (callers build the
    # result first, then remove).

    def not_found(self, index):
        """Answer for nothing selected."""
        t = self.rtype
        if t == RT_NONE:
            return None
        if t in _RANGE_TYPES:
            return ListValue([index, 0])
        if t in _INDEX_TYPES or t in _RANK_TYPES:
            return ListValue() if self.multi else -1
        if t == RT_COUNT:
            return 0
        if t == RT_EXISTS:
            return False
        if t in (RT_KEY, RT_VALUE):
            return ListValue() if self.multi else None
        return MapValue((), _RESULT_MAP_FLAGS[t])

    def key_not_found(self, index):
        if self.rtype in _RANK_RANGE_TYPES:
            self.not_applicable()
        return self.not_found(index)

    def value_not_found(self, rank):
        if self.rtype in _INDEX_RANGE_TYPES:
            self.not_applicable()
        return self.not_found(rank)

    def index_rank_count(self, start, count):
        """Answer for the contiguous index or rank range start..start+count."""
        t, n = self.rtype, self.n
        if t == RT_NONE:
            return None
        if t == RT_COUNT:
            return n - count if self.inverted else count
        if t == RT_EXISTS:
            return count == 0 if self.inverted else count != 0
        if t in _INDEX_TYPES or t in _RANK_TYPES:
            if not self.multi:
                if count == 0:
                    return -1
                return n - start - 1 if self.rev else start
            if self.inverted:
                return ListValue(_int_range(0, start, n, self.rev)
                                 + _int_range(start + count, n - start - count, n, self.rev))
            return ListValue(_int_range(start, count, n, self.rev))
        self.not_applicable()

    def range_result(self, start, count):
        t = self.rtype
        if t in _RANGE_TYPES:
            if self.rev:
                start = self.n - start - count
            if self.inverted:
                self.not_applicable("range return type with INVERTED")
            return ListValue([start, count])
        return self.index_rank_count(start, count)

    def elements(self, positions):
        """Keys, values or pairs at ``positions``, in that order."""
        t, items = self.rtype, self.items
        if t in _MAP_TYPES:
            pairs = [(_copy(items[p][0]), _copy(items[p][1])) for p in positions]
            if not self.multi:
                pairs = pairs[:1]
            if t == RT_ORDERED_MAP:
                pairs.sort(key=_pair_key)
            return MapValue(pairs, _RESULT_MAP_FLAGS[t])
        part = 0 if t == RT_KEY else 1
        picked = [_copy(items[p][part]) for p in positions]
        if self.multi:
            return ListValue(picked)
        return picked[0] if picked else None

    def indexes(self, positions):
        n, rev = self.n, self.rev
        found = [n - self.index_of(p) - 1 if rev else self.index_of(p) for p in positions]
        if self.multi:
            return ListValue(found)
        return found[0]

    def ranks(self, positions):
        n, rev = self.n, self.rev
        if not self.multi:
            rank = self.rank_of(positions[0])
            return n - rank - 1 if rev else rank
        found = [self.stored_rank_of(p) for p in positions]
        return ListValue([n - r - 1 if rev else r for r in found])

    def remove_all(self):
        """Select the whole map (server: get_remove_all)."""
        t, n = self.rtype, self.n
        if t in _RANGE_TYPES:
            result = ListValue([0, n])
        elif t in _INDEX_TYPES or t in _RANK_TYPES:
            result = ListValue(_int_range(0, n, n, self.rev)) if self.multi else 0
        elif t == RT_COUNT:
            result = n
        elif t == RT_EXISTS:
            result = n != 0
        elif t in _ELEMENT_TYPES:
            result = self.elements(range(n))
        else:
            result = None
        self.remove(range(n))
        return result

    # ------------------------------------------------ selection paths

    def by_key_interval(self, start, end, single):
        """Keys equal to ``start`` (single) or in [start, end) (end None: no bound)."""
        if self.rtype in _RANK_RANGE_TYPES:
            self.not_applicable()
        if self.k_ordered:
            low = self.count_keys_below(start)
            if single:
                count = 1 if self.find_key(start) is not None else 0
            elif end is not None:
                count = max(0, self.count_keys_below(end[0]) - low)
            else:
                count = self.n - low
            if count == 0 and not self.multi:
                return self.key_not_found(-1)
            return self.by_index_range(low, count)
        if self.inverted and not self.multi:
            self.not_applicable("INVERTED with a single-result op")
        if single:
            pos = self.find_key(start)
            if pos is None:
                return self.key_not_found(-1)
            result = self.single_key_result(pos)
            self.remove([pos])
            return result
        chosen = [p for p, (k, _) in enumerate(self.items)
                  if compare(k, start) >= 0 and (end is None or compare(k, end[0]) < 0)]
        low, count = self.count_keys_below(start), len(chosen)
        if self.inverted:
            chosen = self.complement(chosen)
        if self.rtype in _ELEMENT_TYPES:
            result = self.elements(chosen)
        elif self.rtype in _RANK_TYPES:
            result = self.ranks(chosen)
        else:
            result = self.range_result(low, count)
        self.remove(chosen)
        return result

    def single_key_result(self, pos):
        """Result for one found key of an unordered map."""
        t, n = self.rtype, self.n
        if t in _INDEX_TYPES or t in _INDEX_RANGE_TYPES:
            index = self.index_of(pos)
            if t in (RT_REVINDEX, RT_REVINDEX_RANGE):
                index = n - index - 1
            return ListValue([index, 1]) if t in _INDEX_RANGE_TYPES else index
        if t in _RANK_TYPES:
            return self.ranks([pos])
        if t == RT_COUNT:
            return 1
        if t == RT_EXISTS:
            return True
        if t in _ELEMENT_TYPES:
            return self.elements([pos])
        return None

    def uninvert(self, start, count):
        """The server turns an inverted range into a plain one where it can;
        ``self.inverted`` stays set only for a range in the middle."""
        if not self.inverted:
            return start, count
        if not self.multi:
            self.not_applicable("INVERTED with a single-result op")
        n = self.n
        if count == 0:
            start, count = 0, n
        elif start == 0:
            start, count = count, n - count
        elif start + count >= n:
            start, count = 0, start
        else:
            return start, count
        self.inverted = False
        return start, count

    def by_index_range(self, index, count):
        index, count = _calc_index_count(index, count, self.n, self.multi)
        if self.rtype in _RANK_RANGE_TYPES:
            self.not_applicable()
        index, count = self.uninvert(index, count)
        if self.inverted and self.k_ordered:
            return self.trim_ordered(index, count)
        if count == 0:
            return self.key_not_found(index)
        if count == self.n:
            return self.remove_all()
        chosen = self.key_order()[index:index + count]
        if self.inverted:
            chosen = self.complement(chosen)
        if self.rtype in _ELEMENT_TYPES:
            result = self.elements(chosen)
        elif self.rtype in _RANK_TYPES:
            result = self.ranks(chosen)
        else:
            result = self.range_result(index, count)
        self.remove(chosen)
        return result

    def trim_ordered(self, index, count):
        """Inverted middle index range of a key-ordered map: all but index..index+count."""
        t, n = self.rtype, self.n
        outside = list(range(index)) + list(range(index + count, n))
        if t == RT_NONE:
            result = None
        elif t == RT_COUNT:
            result = len(outside)
        elif t == RT_EXISTS:
            result = bool(outside)
        elif t in _INDEX_TYPES:
            result = ListValue(_int_range(0, index, n, self.rev)
                               + _int_range(index + count, n - index - count, n, self.rev))
        elif t in _RANK_TYPES:
            result = self.ranks(outside)
        elif t in _ELEMENT_TYPES:
            result = self.elements(outside)
        else:
            self.not_applicable()
        self.remove(outside)
        return result

    def by_value_interval(self, start, end, single):
        """Values equal to ``start`` (single) or in [start, end) (end None: no bound)."""
        if self.rtype in _INDEX_RANGE_TYPES:
            self.not_applicable()
        if self.inverted and not self.multi:
            self.not_applicable("INVERTED with a single-result op")
        if self.n == 0:
            return self.value_not_found(-1)
        rank = self.count_values_below(start)
        if single:
            chosen = [p for p, (_, v) in enumerate(self.items) if compare(v, start) == 0]
        else:
            chosen = [p for p, (_, v) in enumerate(self.items)
                      if compare(v, start) >= 0 and (end is None or compare(v, end[0]) < 0)]
        if not chosen:
            if self.inverted:
                self.inverted = False
                return self.remove_all()
            return self.value_not_found(rank)
        if not self.multi:
            chosen = chosen[:1]
        count = len(chosen)
        if self.inverted:
            chosen = self.complement(chosen)
        if self.rtype in _ELEMENT_TYPES:
            result = self.elements(chosen)
        elif self.rtype in _INDEX_TYPES:
            result = self.indexes(chosen)
        else:
            result = self.range_result(rank, count)
        self.remove(chosen)
        return result

    def by_rank_range(self, rank, count):
        rank, count = _calc_index_count(rank, count, self.n, self.multi)
        if self.rtype in _INDEX_RANGE_TYPES:
            self.not_applicable()
        rank, count = self.uninvert(rank, count)
        if count == 0:
            return self.value_not_found(rank)
        by_rank = self.rank_order()[rank:rank + count]
        chosen = self.complement(by_rank) if self.inverted else by_rank
        t = self.rtype
        if t in _INDEX_TYPES:
            result = self.indexes(chosen)
        elif t in _ELEMENT_TYPES:
            result = self.elements(chosen)
        elif t in _RANK_RANGE_TYPES:
            if self.inverted:
                self.not_applicable("range return type with INVERTED")
            result = self.range_result(rank, count)
        else:
            result = self.index_rank_count(rank, count)
        self.remove(chosen)
        return result

    def by_key_list(self, keys):
        if not isinstance(keys, list):
            raise ServerError(PARAMETER, "key list expected")
        t = self.rtype
        if not keys:
            if t in _RANK_TYPES or t in _RANGE_TYPES:
                self.not_applicable()
            return self.empty_list_selection()
        if t in _RANK_TYPES or t in _RANGE_TYPES:
            self.not_applicable()
        if self.k_ordered:
            # (index, count) per listed key, in list order.
            found = []
            for key in keys:
                matches = [p for p, (k, _) in enumerate(self.items) if compare(k, key) == 0]
                found.append((matches[0] if matches else self.count_keys_below(key), len(matches)))
            chosen = sorted({i + j for i, c in found for j in range(c)})
            if self.inverted:
                chosen = self.complement(chosen)
            index_list = self.listed_indexes(found, chosen)
        else:
            matched = [p for p, (k, _) in enumerate(self.items)
                       if any(compare(k, key) == 0 for key in keys)]
            chosen = self.complement(matched) if self.inverted else matched
            index_list = self.itemlist_ranges(keys, lambda p: self.items[p][0])
        return self.list_selection_result(chosen, index_list)

    def by_value_list(self, wanted):
        if not isinstance(wanted, list):
            raise ServerError(PARAMETER, "value list expected")
        t = self.rtype
        if not wanted:
            if t in _RANGE_TYPES:
                self.not_applicable()
            return self.empty_list_selection()
        if t in _RANGE_TYPES:
            self.not_applicable()
        matched = [p for p, (_, v) in enumerate(self.items)
                   if any(compare(v, value) == 0 for value in wanted)]
        chosen = self.complement(matched) if self.inverted else matched
        if t in _RANK_TYPES:
            return self.list_selection_result(
                chosen, self.itemlist_ranges(wanted, lambda p: self.items[p][1]))
        return self.list_selection_result(chosen, None)

    def empty_list_selection(self):
        """An empty key or value list selects nothing (or, inverted, everything)."""
        if not self.inverted:
            return self.not_found(0)
        if self.rtype in _ELEMENT_TYPES and self.n:
            # The real server crashes here (SIGSEGV); refuse the request instead.
            raise ServerError(PARAMETER, "empty list with INVERTED and an element return type")
        self.inverted = False
        return self.remove_all()

    def listed_indexes(self, found, chosen):
        """Index result of a key list on a key-ordered map."""
        if self.rtype not in _INDEX_TYPES:
            return None
        if self.inverted:
            return None  # built from the selection
        return ListValue([x for i, c in found for x in _int_range(i, c, self.n, self.rev)])

    def itemlist_ranges(self, listed, part_of):
        """Index (keys) or rank (values) result of a list on a map without value index.

        Per listed item: the number of map elements below it and of equal ones;
        of items listed twice only the last one counts.  Not inverted: item by
        item in list order; inverted: the gaps between the items' ranges."""
        n, rev = self.n, self.rev
        parts = [part_of(p) for p in range(n)]
        entries = []
        for i, item in enumerate(listed):
            if any(compare(item, later) == 0 for later in listed[i + 1:]):
                continue
            below = sum(1 for x in parts if compare(x, item) < 0)
            equal = sum(1 for x in parts if compare(x, item) == 0)
            entries.append((item, below, equal))
        if not self.inverted:
            return ListValue([n - (below + j) - 1 if rev else below + j
                              for _, below, equal in entries for j in range(equal)])
        out, prev = [], 0
        for _, below, equal in sorted(entries, key=lambda e: values.sort_key(e[0])):
            if equal:
                out += _int_range(prev, below - prev, n, rev)
                prev = below + equal
        return ListValue(out + _int_range(prev, n - prev, n, rev))

    def list_selection_result(self, chosen, listed_result):
        """Result of a key/value list selection (``chosen`` in stored order)."""
        t = self.rtype
        if t == RT_NONE:
            result = None
        elif t == RT_COUNT:
            result = len(chosen)
        elif t == RT_EXISTS:
            result = bool(chosen)
        elif t in _ELEMENT_TYPES:
            result = self.elements(chosen)
        elif listed_result is not None:
            result = listed_result
        elif t in _INDEX_TYPES:
            result = self.indexes(chosen)
        else:
            result = self.ranks(chosen)
        self.remove(chosen)
        return result


# ---------------------------------------------------------------- op handlers

def _set_type(op, flags):
    if flags & KV_ORDERED == 2:
        raise ServerError(OP_NOT_APPLICABLE, "value order without key order")
    if flags & KV_ORDERED == KV_ORDERED:
        new = KV_ORDERED
    elif flags & K_ORDERED:
        new = K_ORDERED
    else:
        new = 0
    if new and not op.k_ordered:
        op.set_items(sorted(op.items, key=_pair_key))
    op.flags = new
    return None


def _add(op, key, value, allow_overwrite, allow_create, no_fail):
    """Put one pair; return the new size (the old one when a no-fail put is refused)."""
    _check_map_key(key)
    pos = op.find_key(key)
    if pos is not None and not allow_overwrite:
        if no_fail:
            return op.n
        raise ServerError(ELEMENT_EXISTS, "map key exists")
    if pos is None and not allow_create:
        if no_fail:
            return op.n
        raise ServerError(ELEMENT_NOT_FOUND, "map key not found")
    items = list(op.items)
    if pos is not None:
        items[pos] = [key, value]
    elif op.k_ordered:
        items.insert(op.count_keys_below(key), [key, value])
    else:
        items.append([key, value])
    op.set_items(items)
    return op.n


def _put(op, key, value, _attributes=None, write_flags=None):
    write_flags = write_flags or 0
    return _add(op, key, value, not write_flags & NO_OVERWRITE, not write_flags & NO_CREATE,
                bool(write_flags & NO_FAIL))


def _add_only(op, key, value, _attributes=None):
    return _add(op, key, value, False, True, False)


def _replace(op, key, value):
    return _add(op, key, value, True, False, False)


def _put_items(op, items, _attributes=None, write_flags=None):
    write_flags = write_flags or 0
    return _add_items(op, items, not write_flags & NO_OVERWRITE, not write_flags & NO_CREATE,
                      bool(write_flags & NO_FAIL), bool(write_flags & DO_PARTIAL))


def _add_items_only(op, items, _attributes=None):
    return _add_items(op, items, False, True, False, False)


def _replace_items(op, items):
    return _add_items(op, items, True, False, False, False)


def _add_items(op, items, allow_overwrite, allow_create, no_fail, do_partial):
    if not isinstance(items, MapValue):
        raise ServerError(PARAMETER, "map of items expected")
    for key, _ in items.items:
        _check_map_key(key)
    # Items in key order, a key given twice kept once.
    new = []
    for pair in sorted(items.items, key=_pair_key):
        if not new or compare(new[-1][0], pair[0]) != 0:
            new.append(list(pair))
    if not new:
        return op.n
    if op.k_ordered:
        return _add_items_ordered(op, new, allow_overwrite, allow_create, no_fail, do_partial)
    return _add_items_unordered(op, new, allow_overwrite, allow_create, no_fail, do_partial)


def _add_items_unordered(op, new, allow_overwrite, allow_create, no_fail, do_partial):
    """Unordered map: replaced pairs leave their place; all put pairs go to the end."""
    existing = {}  # item number -> position of the same key in the map
    for pos, (k, _) in enumerate(op.items):
        for i, (key, _) in enumerate(new):
            if compare(k, key) == 0:
                existing[i] = pos
                if not allow_overwrite:
                    if not no_fail:
                        raise ServerError(ELEMENT_EXISTS, "map key exists")
                    if not do_partial:
                        return op.n
                break
    keep = list(range(len(new)))
    if not allow_overwrite:
        keep = [i for i in keep if i not in existing]
    if not allow_create and len(existing) != len(new):
        if not no_fail:
            raise ServerError(ELEMENT_NOT_FOUND, "map key not found")
        if not do_partial:
            return op.n
        keep = [i for i in keep if i in existing]
    replaced = {existing[i] for i in keep if i in existing}
    op.set_items([kv for p, kv in enumerate(op.items) if p not in replaced] + [new[i] for i in keep])
    return op.n


def _add_items_ordered(op, new, allow_overwrite, allow_create, no_fail, do_partial):
    if op.n == 0 and not allow_create:
        if not no_fail:
            raise ServerError(ELEMENT_NOT_FOUND, "map key not found")
        if not do_partial:
            return 0
        # The server then stores all the items anyway.
        op.set_items(new)
        return op.n
    merged = list(op.items)
    for key, value in new:
        pos = next((p for p, (k, _) in enumerate(merged) if compare(k, key) == 0), None)
        refused = (pos is not None and not allow_overwrite) or (pos is None and not allow_create)
        if refused:
            if not no_fail:
                if pos is not None:
                    raise ServerError(ELEMENT_EXISTS, "map key exists")
                raise ServerError(ELEMENT_NOT_FOUND, "map key not found")
            if not do_partial:
                return op.n
            continue
        if pos is not None:
            merged[pos] = [key, value]
        else:
            below = sum(1 for k, _ in merged if compare(k, key) < 0)
            merged.insert(below, [key, value])
    op.set_items(merged)
    return op.n


def _increment(op, key, delta=None, _attributes=None, negate=False):
    if delta is None:
        delta = 1
    elif not (_is_int(delta) or isinstance(delta, float)):
        raise ServerError(PARAMETER, "increment by a number only")
    _check_map_key(key)
    if negate:
        delta = -delta
    pos = op.find_key(key)
    if pos is None:
        new = delta
    else:
        old = op.items[pos][1]
        if _is_int(old):
            new = old + int(delta)
            new = (new + (1 << 63)) % _UINT64 - (1 << 63)  # 64-bit wrap, as the server
        elif isinstance(old, float):
            new = old + delta
        else:
            raise ServerError(PARAMETER, "increment of a non-number")
    _add(op, key, new, True, True, False)
    return new


def _decrement(op, key, delta=None, attributes=None):
    return _increment(op, key, delta, attributes, negate=True)


def _clear(op):
    op.keep_only(())
    return None


def _size(op):
    return op.n


def _interval(path):
    """Handler for a key/value interval op (end omitted: no upper bound)."""
    def handler(op, rtype, start, *end):
        op.set_result(rtype, True)
        # ``end`` is () or (value,): an omitted end differs from nil, the lowest value.
        return getattr(op, path)(start, end or None, False)
    return handler


def _single(path, multi):
    def handler(op, rtype, value):
        op.set_result(rtype, multi)
        return getattr(op, path)(value, None, True)
    return handler


def _range(path, multi):
    def handler(op, rtype, start, count=None):
        op.set_result(rtype, multi)
        return getattr(op, path)(start, 1 if not multi else (_UINT32_MAX if count is None else count))
    return handler


def _key_rel_index(op, rtype, key, index, count=None):
    op.set_result(rtype, True)
    rel = op.count_keys_below(key)
    index, count = _calc_rel_index_count(index, _UINT32_MAX if count is None else count, rel)
    return op.by_index_range(index, count)


def _value_rel_rank(op, rtype, value, rank, count=None):
    op.set_result(rtype, True)
    rel = op.count_values_below(value)
    rank, count = _calc_rel_index_count(rank, _UINT32_MAX if count is None else count, rel)
    return op.by_rank_range(rank, count)


def _list(path):
    def handler(op, rtype, listed):
        op.set_result(rtype, True)
        return getattr(op, path)(listed)
    return handler


_HANDLERS = {
    SET_TYPE: _set_type,
    ADD: _add_only,
    ADD_ITEMS: _add_items_only,
    PUT: _put,
    PUT_ITEMS: _put_items,
    REPLACE: _replace,
    REPLACE_ITEMS: _replace_items,
    INCREMENT: _increment,
    DECREMENT: _decrement,
    CLEAR: _clear,
    SIZE: _size,
    REMOVE_BY_KEY: _single("by_key_interval", False),
    GET_BY_KEY: _single("by_key_interval", False),
    REMOVE_BY_VALUE: _single("by_value_interval", False),
    GET_BY_VALUE: _single("by_value_interval", False),
    REMOVE_ALL_BY_VALUE: _single("by_value_interval", True),
    GET_ALL_BY_VALUE: _single("by_value_interval", True),
    REMOVE_BY_INDEX: _range("by_index_range", False),
    GET_BY_INDEX: _range("by_index_range", False),
    REMOVE_BY_RANK: _range("by_rank_range", False),
    GET_BY_RANK: _range("by_rank_range", False),
    REMOVE_BY_INDEX_RANGE: _range("by_index_range", True),
    GET_BY_INDEX_RANGE: _range("by_index_range", True),
    REMOVE_BY_RANK_RANGE: _range("by_rank_range", True),
    GET_BY_RANK_RANGE: _range("by_rank_range", True),
    REMOVE_BY_KEY_INTERVAL: _interval("by_key_interval"),
    GET_BY_KEY_INTERVAL: _interval("by_key_interval"),
    REMOVE_BY_VALUE_INTERVAL: _interval("by_value_interval"),
    GET_BY_VALUE_INTERVAL: _interval("by_value_interval"),
    REMOVE_BY_KEY_LIST: _list("by_key_list"),
    GET_BY_KEY_LIST: _list("by_key_list"),
    REMOVE_BY_VALUE_LIST: _list("by_value_list"),
    GET_BY_VALUE_LIST: _list("by_value_list"),
    REMOVE_BY_KEY_REL_INDEX_RANGE: _key_rel_index,
    GET_BY_KEY_REL_INDEX_RANGE: _key_rel_index,
    REMOVE_BY_VALUE_REL_RANK_RANGE: _value_rel_rank,
    GET_BY_VALUE_REL_RANK_RANGE: _value_rel_rank,
}
