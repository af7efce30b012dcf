"""List operations of the dev server, with the real server's semantics.

``apply(op_code, args, value, write)`` runs one list op on a list value (or on
``MISSING``: a list the op may create) and returns ``(result, new_value)``;
``new_value`` is ``MISSING`` when the op wrote nothing.  Op codes, argument
layouts, result types and error codes follow the Aerospike wire protocol and
server (see the C client's as_list_operations.c and the server's
particle_list.c for the facts these rules were taken from).
"""

from ..errors import BIN_TYPE, ELEMENT_EXISTS, OP_NOT_APPLICABLE, PARAMETER, ServerError
from ..values import INF, MISSING, WILDCARD, ListValue, MapValue, compare, sort_key

# ---------------------------------------------------------------- op codes

SET_TYPE, APPEND, APPEND_ITEMS, INSERT, INSERT_ITEMS = 0, 1, 2, 3, 4
POP, POP_RANGE, REMOVE, REMOVE_RANGE, SET, TRIM, CLEAR, INCREMENT, SORT = range(5, 14)
SIZE, GET, GET_RANGE = 16, 17, 18
GET_BY_INDEX, GET_BY_VALUE, GET_BY_RANK, GET_ALL_BY_VALUE, GET_ALL_BY_VALUE_LIST = range(19, 24)
GET_BY_INDEX_RANGE, GET_BY_VALUE_INTERVAL, GET_BY_RANK_RANGE, GET_BY_VALUE_REL_RANK_RANGE = range(24, 28)
REMOVE_BY_INDEX, REMOVE_BY_VALUE, REMOVE_BY_RANK, REMOVE_ALL_BY_VALUE = range(32, 36)
REMOVE_ALL_BY_VALUE_LIST, REMOVE_BY_INDEX_RANGE, REMOVE_BY_VALUE_INTERVAL = range(36, 39)
REMOVE_BY_RANK_RANGE, REMOVE_BY_VALUE_REL_RANK_RANGE = 39, 40

# List flags and write flags.
ORDERED = 0x01
PERSIST_INDEX = 0x10
ADD_UNIQUE, INSERT_BOUNDED, NO_FAIL, DO_PARTIAL = 0x01, 0x02, 0x04, 0x08
SORT_DESCENDING, SORT_DROP_DUPLICATES = 0x01, 0x02

# Result types (the low 16 bits of a return type) and the INVERTED flag.
RT_NONE, RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK, RT_COUNT = 0, 1, 2, 3, 4, 5
RT_KEY, RT_VALUE, RT_MAP = 6, 7, 8
RT_INDEX_RANGE, RT_REVINDEX_RANGE, RT_RANK_RANGE, RT_REVRANK_RANGE, RT_EXISTS = 9, 10, 11, 12, 13
RT_UNORDERED_MAP, RT_ORDERED_MAP = 16, 17
RESULT_TYPE_MASK = 0xFFFF
INVERTED = 0x10000

_RANGE_RESULTS = (RT_INDEX_RANGE, RT_REVINDEX_RANGE, RT_RANK_RANGE, RT_REVRANK_RANGE)
_REVERSED = (RT_REVINDEX, RT_REVRANK, RT_REVINDEX_RANGE, RT_REVRANK_RANGE)

INT32_MAX = (1 << 31) - 1
UINT32_MAX = (1 << 32) - 1
_U64 = (1 << 64) - 1

# ---------------------------------------------------------------- parameters

# Parameter kinds of the server's op table.
_INDEX, _COUNT, _FLAGS, _PAYLOAD, _STORAGE = "index", "count", "flags", "payload", "storage"

# op code -> (number of optional trailing params, param kinds)
_SIGNATURES = {
    SET_TYPE: (0, (_FLAGS,)),
    APPEND: (2, (_STORAGE, _FLAGS, _FLAGS)),
    APPEND_ITEMS: (2, (_STORAGE, _FLAGS, _FLAGS)),
    INSERT: (1, (_INDEX, _STORAGE, _FLAGS)),
    INSERT_ITEMS: (1, (_INDEX, _STORAGE, _FLAGS)),
    POP: (0, (_INDEX,)),
    POP_RANGE: (1, (_INDEX, _COUNT)),
    REMOVE: (0, (_INDEX,)),
    REMOVE_RANGE: (1, (_INDEX, _COUNT)),
    SET: (1, (_INDEX, _STORAGE, _FLAGS)),
    TRIM: (0, (_INDEX, _COUNT)),
    CLEAR: (0, ()),
    INCREMENT: (3, (_INDEX, _PAYLOAD, _FLAGS, _FLAGS)),
    SORT: (1, (_FLAGS,)),
    SIZE: (0, ()),
    GET: (0, (_INDEX,)),
    GET_RANGE: (1, (_INDEX, _COUNT)),
}
for _code in (GET_BY_INDEX, GET_BY_RANK, REMOVE_BY_INDEX, REMOVE_BY_RANK):
    _SIGNATURES[_code] = (0, (_FLAGS, _INDEX))
for _code in (GET_BY_VALUE, GET_ALL_BY_VALUE, GET_ALL_BY_VALUE_LIST, REMOVE_BY_VALUE,
              REMOVE_ALL_BY_VALUE, REMOVE_ALL_BY_VALUE_LIST):
    _SIGNATURES[_code] = (0, (_FLAGS, _PAYLOAD))
for _code in (GET_BY_INDEX_RANGE, GET_BY_RANK_RANGE, REMOVE_BY_INDEX_RANGE, REMOVE_BY_RANK_RANGE):
    _SIGNATURES[_code] = (1, (_FLAGS, _INDEX, _COUNT))
for _code in (GET_BY_VALUE_INTERVAL, REMOVE_BY_VALUE_INTERVAL):
    _SIGNATURES[_code] = (1, (_FLAGS, _PAYLOAD, _PAYLOAD))
for _code in (GET_BY_VALUE_REL_RANK_RANGE, REMOVE_BY_VALUE_REL_RANK_RANGE):
    _SIGNATURES[_code] = (1, (_FLAGS, _PAYLOAD, _INDEX, _COUNT))

READ_OPS = frozenset([SIZE, GET, GET_RANGE] + list(range(GET_BY_INDEX, GET_BY_VALUE_REL_RANK_RANGE + 1)))
MODIFY_OPS = frozenset(code for code in _SIGNATURES if code not in READ_OPS)

# Modify ops that start a list where there is none; all other modify ops
# are no-ops there (except SORT, see apply_to_bin).
CREATING_OPS = frozenset([SET_TYPE, APPEND, APPEND_ITEMS, INSERT, INSERT_ITEMS, SET, INCREMENT])

# Absent count parameters mean "to the end".
_DEFAULT_COUNT = UINT32_MAX

_ABSENT = object()  # an optional parameter the client left out


def _opt(param, default):
    return default if param is _ABSENT else param


def _fail(code):
    raise ServerError(code)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def has_nonstorage(v):
    """True when ``v`` holds a wildcard or infinity, which cannot be stored."""
    if v is WILDCARD or v is INF:
        return True
    if isinstance(v, list):
        return any(has_nonstorage(e) for e in v)
    if isinstance(v, MapValue):
        return any(has_nonstorage(k) or has_nonstorage(e) for k, e in v.items)
    return False


def _params(op_code, args):
    """The op's parameters checked against their kinds, _ABSENT for left-out ones."""
    optional, kinds = _SIGNATURES[op_code]
    if not kinds:
        return []
    if not len(kinds) - optional <= len(args) <= len(kinds):
        _fail(PARAMETER)
    out = []
    for kind, arg in zip(kinds, args):
        if kind == _INDEX:
            if not _is_int(arg):
                _fail(PARAMETER)
        elif kind in (_COUNT, _FLAGS):
            if not _is_int(arg):
                _fail(PARAMETER)
            arg &= _U64  # negative wire ints read as unsigned 64-bit
        elif kind == _STORAGE and has_nonstorage(arg):
            _fail(PARAMETER)
        out.append(arg)
    return out + [_ABSENT] * (len(kinds) - len(out))


def storage_form(v):
    """``v`` as the server stores it inside a CDT: maps sorted by key (the
    server keeps every map key-ordered internally), ordered lists sorted, the
    persist-index flag dropped below the top level."""
    if isinstance(v, MapValue):
        items = sorted(([k, storage_form(e)] for k, e in v.items), key=lambda kv: sort_key(kv[0]))
        return MapValue(items, v.flags & 0x03)
    if isinstance(v, dict):
        return storage_form(MapValue(v.items()))
    if isinstance(v, list) and not isinstance(v, (str, bytes)):
        flags = getattr(v, "flags", 0) & ORDERED
        items = [storage_form(e) for e in v]
        if flags:
            items.sort(key=sort_key)
        return ListValue(items, flags)
    return v


# ---------------------------------------------------------------- state

class _State:
    """One op on one list: its elements, the requested result and what to write."""

    def __init__(self, value, write):
        self.items = list(value)
        self.flags = value.flags & ORDERED
        self.write = write
        self.changed = False  # the op wrote the list
        self.rtype = RT_NONE
        self.inverted = False
        self.multi = False
        self.removed = ()  # indexes a get/remove op selected for removal

    @property
    def ordered(self):
        return bool(self.flags & ORDERED)

    def set_result_type(self, return_type, multi):
        self.rtype = return_type & RESULT_TYPE_MASK
        self.inverted = bool(return_type & INVERTED)
        self.multi = multi

    def apply_removal(self):
        if self.write and self.removed:
            gone = set(self.removed)
            self.items = [e for i, e in enumerate(self.items) if i not in gone]
            self.changed = True

    def new_value(self):
        if not self.changed:
            return MISSING
        return ListValue(self.items, self.flags)


# ---------------------------------------------------------------- helpers

def _lower_bound(items, value, lo=0):
    """First position in sorted ``items`` whose element is >= value."""
    hi = len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if compare(items[mid], value) < 0:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _upper_bound(items, value, lo=0):
    """First position in sorted ``items`` whose element is > value."""
    hi = len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if compare(items[mid], value) <= 0:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _rank_of(items, value):
    """Number of elements smaller than ``value``."""
    return sum(1 for e in items if compare(e, value) < 0)


def _index_count(index, count, n, multi):
    """Absolute (start, count) of an index/rank range, or None when a single
    element is asked for out of bounds (the server's calc_index_count)."""
    if multi:
        if index >= n:
            return n, 0
        if index < 0:
            index += n
            if index < 0:
                return 0, (min(count + index, n) if -index < count else 0)
        return index, min(count, n - index)
    if index >= n or index + n < 0:
        return None
    if index < 0:
        index += n
    return index, min(count, n - index)


def _int_range(start, count, n, reverse):
    if reverse:
        start = n - start - count
    return list(range(start, start + count))


def _index_rank_count(st, start, count, n):
    """Result for ``count`` elements from index/rank ``start`` (honours INVERTED)."""
    rt = st.rtype
    reverse = rt in _REVERSED
    if rt == RT_NONE:
        return None
    if rt == RT_COUNT:
        return n - count if st.inverted else count
    if rt == RT_EXISTS:
        return count == 0 if st.inverted else count != 0
    if rt in (RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK):
        if not st.multi:
            if count == 0:
                return -1
            return n - start - 1 if reverse else start
        if st.inverted:
            return ListValue(_int_range(0, start, n, reverse)
                             + _int_range(start + count, n - start - count, n, reverse))
        return ListValue(_int_range(start, count, n, reverse))
    _fail(OP_NOT_APPLICABLE)


def _set_range(st, start, count, n):
    rt = st.rtype
    if rt == RT_NONE:
        return None
    if rt in (RT_COUNT, RT_EXISTS, RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK):
        return _index_rank_count(st, start, count, n)
    if rt in _RANGE_RESULTS:
        if st.inverted:
            _fail(OP_NOT_APPLICABLE)
        if rt in (RT_REVINDEX_RANGE, RT_REVRANK_RANGE):
            start = n - start - count
        return ListValue([start, count])
    _fail(OP_NOT_APPLICABLE)


def _not_found(st, index):
    rt = st.rtype
    if rt == RT_NONE:
        return None
    if rt in _RANGE_RESULTS:
        return ListValue([index, 0])
    if rt in (RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK):
        return ListValue() if st.multi else -1
    if rt == RT_COUNT:
        return 0
    if rt == RT_EXISTS:
        return False
    if rt == RT_VALUE:
        return ListValue() if st.multi else None
    _fail(OP_NOT_APPLICABLE)


def _indexes_result(st, indexes, n):
    """INDEX/REVINDEX result of selected indexes, ascending index order."""
    reverse = st.rtype == RT_REVINDEX
    values = [n - i - 1 if reverse else i for i in sorted(indexes)]
    if st.multi:
        return ListValue(values)
    return values[0] if values else -1


def _values_result(st, values):
    if st.multi:
        return ListValue(values)
    return values[0] if values else None


# ---------------------------------------------------------------- get / remove

def _by_index_range(st, index, count):
    items = st.items
    n = len(items)
    bounds = _index_count(index, count, n, st.multi)
    if bounds is None:
        _fail(OP_NOT_APPLICABLE)
    start, count = bounds
    if st.inverted:
        if not st.multi or st.rtype in _RANGE_RESULTS:
            _fail(OP_NOT_APPLICABLE)
        st.inverted = False
        if count == 0:
            start, count = 0, n
        elif start == 0:
            start, count = count, n - count
        elif start + count >= n:
            start, count = 0, start
        else:
            return _keep_middle(st, start, count)
    if count == 0:
        return _not_found(st, start)
    st.removed = range(start, start + count)
    rt = st.rtype
    if rt == RT_NONE:
        return None
    if rt in (RT_INDEX, RT_REVINDEX):
        return _index_rank_count(st, start, count, n)
    if rt in (RT_RANK, RT_REVRANK):
        if count == n:
            return _index_rank_count(st, 0, count, n)
        if st.ordered:
            return _index_rank_count(st, start, count, n)
        ranks = [_rank_of(items, items[i]) for i in st.removed]
        if rt == RT_REVRANK:
            ranks = [n - r - 1 for r in ranks]
        return ListValue(ranks) if st.multi else ranks[0]
    if rt == RT_COUNT:
        return count
    if rt == RT_EXISTS:
        return True
    if rt == RT_VALUE:
        return _values_result(st, items[start:start + count])
    if rt in (RT_INDEX_RANGE, RT_REVINDEX_RANGE):
        if rt == RT_REVINDEX_RANGE:
            start = n - start - count
        return ListValue([start, count])
    if rt in (RT_RANK_RANGE, RT_REVRANK_RANGE) and st.ordered:
        return _set_range(st, start, count, n)
    _fail(OP_NOT_APPLICABLE)


def _keep_middle(st, start, count):
    """Inverted index range strictly inside the list: remove head and tail."""
    items = st.items
    n = len(items)
    end = start + count
    st.removed = list(range(0, start)) + list(range(end, n))
    rt = st.rtype
    reverse = rt in _REVERSED
    if rt == RT_NONE:
        return None
    if rt == RT_COUNT:
        return n - count
    if rt == RT_EXISTS:
        return n - count != 0
    if rt in (RT_INDEX, RT_REVINDEX):
        return ListValue(_int_range(0, start, n, reverse) + _int_range(end, n - end, n, reverse))
    if rt in (RT_RANK, RT_REVRANK):
        if st.ordered:
            return ListValue(_int_range(0, start, n, reverse) + _int_range(end, n - end, n, reverse))
        ranks = [_rank_of(items, items[i]) for i in st.removed]
        return ListValue([n - r - 1 for r in ranks] if reverse else ranks)
    if rt == RT_VALUE:
        return ListValue(items[:start] + items[end:])
    _fail(OP_NOT_APPLICABLE)


_LARGEST = object()  # absent end of a value interval: above every value


def _by_value_interval(st, start, end, single):
    """Elements in [start, end); with ``single`` the elements equal to start."""
    if st.inverted and not st.multi:
        _fail(OP_NOT_APPLICABLE)
    items = st.items
    n = len(items)
    if st.ordered:
        rank = _lower_bound(items, start)
        if single:
            found = rank < n and compare(items[rank], start) == 0
            if not found:
                count = 0
            elif st.multi:
                count = _upper_bound(items, start, rank) - rank
            else:
                count = 1
        elif end is _LARGEST:
            count = n - rank
        elif compare(start, end) >= 0:
            count = 0
        else:
            count = _lower_bound(items, end, rank) - rank
        if count == 0 and not st.multi:
            return _not_found(st, 0)
        return _by_index_range(st, rank, count)

    inverted = st.inverted
    rank = 0
    selected = []
    for i, e in enumerate(items):
        c = compare(e, start)
        if c < 0:
            rank += 1
            if inverted:
                selected.append(i)
        elif not single:
            below_end = True if end is _LARGEST else compare(e, end) < 0
            if below_end != inverted:
                selected.append(i)
        elif c == 0:
            if st.multi:
                if not inverted:
                    selected.append(i)
            elif not selected:
                selected.append(i)
        elif inverted and st.multi:
            selected.append(i)
    st.removed = selected
    count = len(selected)
    rt = st.rtype
    if rt in (RT_NONE, RT_COUNT, RT_EXISTS, RT_RANK, RT_REVRANK, RT_RANK_RANGE, RT_REVRANK_RANGE):
        return _set_range(st, rank, n - count if inverted else count, n)
    if rt in (RT_INDEX, RT_REVINDEX):
        return _indexes_result(st, selected, n)
    if rt == RT_VALUE:
        return _values_result(st, [items[i] for i in selected])
    _fail(OP_NOT_APPLICABLE)


def _by_rank_range(st, rank, count):
    if st.inverted and not st.multi:
        _fail(OP_NOT_APPLICABLE)
    if st.ordered:
        return _by_index_range(st, rank, count)
    items = st.items
    n = len(items)
    bounds = _index_count(rank, count, n, st.multi)
    if bounds is None:
        _fail(OP_NOT_APPLICABLE)
    start, count = bounds
    by_rank = sorted(range(n), key=lambda i: sort_key(items[i]))
    chosen = by_rank[start:start + count]
    if st.inverted:
        chosen_set = set(chosen)
        removed = [i for i in range(n) if i not in chosen_set]
    else:
        removed = chosen
    if not removed:
        return _not_found(st, start)
    if st.inverted and st.rtype in (RT_RANK_RANGE, RT_REVRANK_RANGE):
        _fail(OP_NOT_APPLICABLE)
    st.removed = removed
    rt = st.rtype
    if rt in (RT_NONE, RT_COUNT, RT_EXISTS, RT_RANK, RT_REVRANK, RT_RANK_RANGE, RT_REVRANK_RANGE):
        return _set_range(st, start, count, n)
    if rt in (RT_INDEX, RT_REVINDEX):
        return _indexes_result(st, removed, n)
    if rt == RT_VALUE:
        # Inverted selections come back in list order.  Others come in the
        # order the server's selection heap leaves them: descending ranks
        # when the range is nearer the low end, ascending otherwise.
        if not st.inverted and start <= n - start - count:
            removed = removed[::-1]
        return _values_result(st, [items[i] for i in removed])
    _fail(OP_NOT_APPLICABLE)


def _by_value_list(st, wanted):
    if st.rtype in _RANGE_RESULTS:
        _fail(OP_NOT_APPLICABLE)
    if not isinstance(wanted, list):
        _fail(PARAMETER)
    items = st.items
    n = len(items)
    if not wanted:
        if not st.inverted:
            return _not_found(st, 0)
        st.inverted = False
        return _by_index_range(st, 0, n)
    rt = st.rtype
    reverse = rt in _REVERSED
    if st.ordered:
        # One (rank, count) run per wanted value, in the order asked.
        runs = []
        for v in wanted:
            lo = _lower_bound(items, v)
            runs.append((lo, _upper_bound(items, v, lo) - lo))
        hit = set()
        for lo, count in runs:
            hit.update(range(lo, lo + count))
        selected = [i for i in range(n) if (i in hit) != st.inverted]
        need_mask = st.write or rt == RT_COUNT or (st.inverted and rt != RT_NONE)
        count = len(selected) if need_mask else sum(c for _, c in runs)
        st.removed = selected
        if rt == RT_NONE:
            return None
        if rt == RT_COUNT:
            return count
        if rt == RT_EXISTS:
            return count != 0
        if rt in (RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK):
            if st.inverted:
                return ListValue(n - i - 1 if reverse else i for i in selected)
            out = []
            for lo, c in runs:
                out += _int_range(lo, c, n, reverse)
            return ListValue(out)
        if rt == RT_VALUE:
            if st.inverted:
                return ListValue(items[i] for i in selected)
            out = []
            for lo, c in runs:
                out += items[lo:lo + c]
            return ListValue(out)
        _fail(OP_NOT_APPLICABLE)

    matches = [[j for j, v in enumerate(wanted) if compare(e, v) == 0] for e in items]
    selected = [i for i in range(n) if bool(matches[i]) != st.inverted]
    st.removed = selected
    if rt == RT_NONE:
        return None
    if rt == RT_COUNT:
        return len(selected)
    if rt == RT_EXISTS:
        return bool(selected)
    if rt in (RT_INDEX, RT_REVINDEX):
        return _indexes_result(st, selected, n)
    if rt in (RT_RANK, RT_REVRANK):
        return _value_list_ranks(st, items, wanted, matches, n, reverse)
    if rt == RT_VALUE:
        return ListValue(items[i] for i in selected)
    _fail(OP_NOT_APPLICABLE)


def _value_list_ranks(st, items, wanted, matches, n, reverse):
    """RANK results of a value-list selection on an unordered list: the ranks
    of the matching elements, grouped per wanted value in the order asked (a
    value asked twice is reported once); inverted, the ranks in between."""
    hits = [0] * len(wanted)
    for found in matches:
        if found:
            hits[found[-1]] += 1
    ranks = [_rank_of(items, v) for v in wanted]
    if not st.inverted:
        out = []
        for j in range(len(wanted)):
            for k in range(hits[j]):
                out += _int_range(ranks[j] + k, 1, n, reverse)
        return ListValue(out)
    out = []
    prev = 0
    for j in sorted(range(len(wanted)), key=lambda j: sort_key(wanted[j])):
        if hits[j]:
            out += _int_range(prev, ranks[j] - prev, n, reverse)
            prev = ranks[j] + hits[j]
    out += _int_range(prev, n - prev, n, reverse)
    return ListValue(out)


def _by_rel_rank_range(st, value, rank, count):
    items = st.items
    anchor = _lower_bound(items, value) if st.ordered else _rank_of(items, value)
    index = rank + anchor
    if index < 0:
        count = count + index if count > -index else 0
        index = 0
    if st.ordered:
        return _by_index_range(st, index, count)
    return _by_rank_range(st, index, count)


# ---------------------------------------------------------------- writes

def _exists(st, mod_flags, result):
    """A unique write hit an existing value: fail unless NO_FAIL."""
    if mod_flags & NO_FAIL:
        return result
    _fail(ELEMENT_EXISTS)


def _do_partial(mod_flags):
    return mod_flags & (NO_FAIL | DO_PARTIAL) == (NO_FAIL | DO_PARTIAL)


def _contains(items, value):
    return any(compare(e, value) == 0 for e in items)


def _insert(st, index, payload, payload_is_list, mod_flags, set_result=True):
    items = st.items
    n = len(items)
    if payload_is_list:
        new = list(payload)
        if not new:
            st.changed = True  # the server still writes the (maybe new) list
            return n if set_result else None
    else:
        new = [payload]
    if index > INT32_MAX:
        _fail(OP_NOT_APPLICABLE)
    if index < 0:
        index += n
        if index < 0:
            _fail(OP_NOT_APPLICABLE)
    no_op = n if set_result else None
    if mod_flags & INSERT_BOUNDED and index > n:
        if mod_flags & NO_FAIL:
            return no_op
        _fail(OP_NOT_APPLICABLE)
    if mod_flags & ADD_UNIQUE:
        if payload_is_list:
            keep = []
            for i, v in enumerate(new):
                if _contains(items, v):
                    if _do_partial(mod_flags):
                        continue
                    return _exists(st, mod_flags, no_op)
                if _contains(new[:i], v):
                    if not mod_flags & NO_FAIL:
                        _fail(OP_NOT_APPLICABLE)
                    if not _do_partial(mod_flags):
                        return no_op
                    continue
                keep.append(v)
            if not keep:
                return _exists(st, mod_flags, no_op)
            new = keep
        elif _contains(items, payload):
            return _exists(st, mod_flags, no_op)
    if index > n:
        items.extend([None] * (index - n))
    items[index:index] = new
    st.changed = True
    return len(items) if set_result else None


def _add_ordered(st, value, mod_flags):
    items = st.items
    pos = _lower_bound(items, value)
    if mod_flags & ADD_UNIQUE and pos < len(items) and compare(items[pos], value) == 0:
        return _exists(st, mod_flags, len(items))
    items.insert(pos, value)
    st.changed = True
    return len(items)


def _add_items_ordered(st, values, mod_flags):
    items = st.items
    n = len(items)
    if not values:
        st.changed = True
        return n
    values = sorted(values, key=sort_key)
    unique = mod_flags & ADD_UNIQUE
    if unique:
        deduped = [values[0]]
        for v in values[1:]:
            if compare(deduped[-1], v) != 0:
                deduped.append(v)
        if len(deduped) != len(values):
            if not mod_flags & NO_FAIL:
                _fail(OP_NOT_APPLICABLE)
            if not _do_partial(mod_flags):
                return n
        values = deduped
    adding = []
    for v in values:
        if unique and _contains(items, v):
            if _do_partial(mod_flags):
                continue
            return _exists(st, mod_flags, n)
        adding.append(v)
    for v in adding:
        items.insert(_upper_bound(items, v), v)
    st.changed = True
    return len(items)


def _set(st, index, value, mod_flags):
    if st.ordered:
        _fail(OP_NOT_APPLICABLE)
    items = st.items
    n = len(items)
    if index >= n:
        return _insert(st, index, value, False, mod_flags, set_result=False)
    if index < 0:
        index += n
        if index < 0:
            _fail(OP_NOT_APPLICABLE)
    if mod_flags & ADD_UNIQUE:
        equal = [i for i, e in enumerate(items) if compare(e, value) == 0]
        if equal and (equal[0] != index or len(equal) > 1):
            return _exists(st, mod_flags, None)
    items[index] = value
    st.changed = True
    return None


def _replace_ordered(st, index, value, mod_flags):
    items = st.items
    n = len(items)
    rank = _lower_bound(items, value)
    found = rank < n and compare(items[rank], value) == 0
    if index > n:
        _fail(OP_NOT_APPLICABLE)
    if mod_flags & ADD_UNIQUE and found:
        if rank == index:
            return
        _exists(st, mod_flags, None)
        return
    if index < n:
        del items[index]
    items.insert(_lower_bound(items, value), value)
    st.changed = True


def _wrap_int64(v):
    return ((v + (1 << 63)) & _U64) - (1 << 63)


def _increment(st, index, delta, mod_flags):
    n = len(st.items)
    if index > INT32_MAX:
        _fail(OP_NOT_APPLICABLE)
    if index < 0:
        index += n
        if index < 0:
            _fail(OP_NOT_APPLICABLE)
    if delta is None:
        delta_is_float, incr_int, incr_float = False, 1, 1.0
    elif _is_int(delta):
        delta_is_float, incr_int, incr_float = False, delta, 1.0
    elif isinstance(delta, float):
        delta_is_float, incr_int, incr_float = True, 1, delta
    else:
        _fail(PARAMETER)
    if index < n:
        current = st.items[index]
        if _is_int(current):
            step = _float_to_int64(incr_float) if delta_is_float else incr_int
            value = _wrap_int64(current + step)
        elif isinstance(current, float):
            value = current + (incr_float if delta_is_float else float(incr_int))
        else:
            _fail(PARAMETER)
    else:
        value = incr_float if delta_is_float else incr_int
    if st.ordered:
        _replace_ordered(st, index, value, mod_flags)
    else:
        _set(st, index, value, mod_flags)
    return value


def _float_to_int64(x):
    if x != x or x in (float("inf"), float("-inf")):
        return -(1 << 63)
    return _wrap_int64(int(x))


def _sort(st, sort_flags):
    items = st.items
    if len(items) <= 1:
        return None
    if not st.ordered:
        items.sort(key=sort_key, reverse=bool(sort_flags & SORT_DESCENDING))
    if sort_flags & SORT_DROP_DUPLICATES:
        kept = [items[0]]
        for prev, cur in zip(items, items[1:]):
            c = compare(prev, cur)
            if c > 0:  # the server's duplicate scan expects ascending order
                _fail(PARAMETER)
            if c:
                kept.append(cur)
        items[:] = kept
    st.changed = True
    return None


def _set_type(st, flags):
    if flags & ~(ORDERED | PERSIST_INDEX):
        _fail(OP_NOT_APPLICABLE)
    flags &= ORDERED
    if flags == st.flags:
        st.changed = True
        return None
    if flags and not st.ordered:
        st.items.sort(key=sort_key)
    st.flags = flags
    st.changed = True
    return None


# ---------------------------------------------------------------- dispatch

def _result_op(multi, handler):
    """A get/remove op whose first param is the return type."""

    def run(st, return_type, *params):
        st.set_result_type(return_type, multi)
        result = handler(st, *params)
        st.apply_removal()
        return result

    return run


def _fixed_result_op(return_type, multi, handler):
    def run(st, *params):
        st.set_result_type(return_type, multi)
        result = handler(st, *params)
        st.apply_removal()
        return result

    return run


def _count(count):
    return _opt(count, _DEFAULT_COUNT)


def _index_range_handler(st, index, count=_ABSENT):
    return _by_index_range(st, index, _count(count))


def _single_index(st, index):
    return _by_index_range(st, index, 1)


def _single_rank(st, rank):
    return _by_rank_range(st, rank, 1)


def _rank_range_handler(st, rank, count=_ABSENT):
    return _by_rank_range(st, rank, _count(count))


def _single_value(st, value):
    return _by_value_interval(st, value, value, single=True)


def _interval(st, start, end):
    return _by_value_interval(st, start, _opt(end, _LARGEST), single=False)


def _rel_rank(st, value, rank, count):
    return _by_rel_rank_range(st, value, rank, _count(count))


def _trim(st, index, count):
    st.set_result_type(RT_COUNT | INVERTED, True)
    result = _by_index_range(st, index, count)
    st.apply_removal()
    return result


def _append(st, value, _order, mod_flags):
    value = storage_form(value)
    if st.ordered:
        return _add_ordered(st, value, _opt(mod_flags, 0))
    return _insert(st, len(st.items), value, False, _opt(mod_flags, 0))


def _append_items(st, values, _order, mod_flags):
    if not isinstance(values, list):
        _fail(PARAMETER)
    values = [storage_form(v) for v in values]
    if st.ordered:
        return _add_items_ordered(st, values, _opt(mod_flags, 0))
    return _insert(st, len(st.items), values, True, _opt(mod_flags, 0))


def _insert_op(payload_is_list):
    def run(st, index, payload, mod_flags):
        if payload_is_list and not isinstance(payload, list):
            _fail(PARAMETER)
        payload = storage_form(payload)
        if st.ordered:
            _fail(OP_NOT_APPLICABLE)
        return _insert(st, index, payload, payload_is_list, _opt(mod_flags, 0))

    return run


def _set_op(st, index, value, mod_flags):
    return _set(st, index, storage_form(value), _opt(mod_flags, 0))


def _increment_op(st, index, delta, _create, mod_flags):
    return _increment(st, index, _opt(delta, None), _opt(mod_flags, 0))


def _clear(st):
    st.items = []
    st.changed = True
    return None


def _size(st):
    return len(st.items)


_HANDLERS = {
    SET_TYPE: _set_type,
    APPEND: _append,
    APPEND_ITEMS: _append_items,
    INSERT: _insert_op(False),
    INSERT_ITEMS: _insert_op(True),
    POP: _fixed_result_op(RT_VALUE, False, _single_index),
    POP_RANGE: _fixed_result_op(RT_VALUE, True, _index_range_handler),
    REMOVE: _fixed_result_op(RT_COUNT, False, _single_index),
    REMOVE_RANGE: _fixed_result_op(RT_COUNT, True, _index_range_handler),
    SET: _set_op,
    TRIM: _trim,
    CLEAR: _clear,
    INCREMENT: _increment_op,
    SORT: lambda st, flags=_ABSENT: _sort(st, _opt(flags, 0)),
    SIZE: _size,
    GET: _fixed_result_op(RT_VALUE, False, _single_index),
    GET_RANGE: _fixed_result_op(RT_VALUE, True, _index_range_handler),
    GET_BY_INDEX: _result_op(False, _single_index),
    GET_BY_VALUE: _result_op(False, _single_value),
    GET_BY_RANK: _result_op(False, _single_rank),
    GET_ALL_BY_VALUE: _result_op(True, _single_value),
    GET_ALL_BY_VALUE_LIST: _result_op(True, _by_value_list),
    GET_BY_INDEX_RANGE: _result_op(True, _index_range_handler),
    GET_BY_VALUE_INTERVAL: _result_op(True, _interval),
    GET_BY_RANK_RANGE: _result_op(True, _rank_range_handler),
    GET_BY_VALUE_REL_RANK_RANGE: _result_op(True, _rel_rank),
}
for _get, _remove in ((GET_BY_INDEX, REMOVE_BY_INDEX), (GET_BY_VALUE, REMOVE_BY_VALUE),
                      (GET_BY_RANK, REMOVE_BY_RANK), (GET_ALL_BY_VALUE, REMOVE_ALL_BY_VALUE),
                      (GET_ALL_BY_VALUE_LIST, REMOVE_ALL_BY_VALUE_LIST),
                      (GET_BY_INDEX_RANGE, REMOVE_BY_INDEX_RANGE),
                      (GET_BY_VALUE_INTERVAL, REMOVE_BY_VALUE_INTERVAL),
                      (GET_BY_RANK_RANGE, REMOVE_BY_RANK_RANGE),
                      (GET_BY_VALUE_REL_RANK_RANGE, REMOVE_BY_VALUE_REL_RANK_RANGE)):
    _HANDLERS[_remove] = _HANDLERS[_get]


def _create_flags(op_code, params):
    """Flags of the list an op starts where there is none."""
    if op_code in (APPEND, APPEND_ITEMS):
        flags = params[1]
    elif op_code == INCREMENT:
        flags = params[2]
    else:
        flags = 0
    if flags is _ABSENT or flags & ~(ORDERED | PERSIST_INDEX):
        return 0
    return flags & ORDERED


def apply(op_code, args, value, write, top_level=False):
    """Run list op ``op_code`` with wire ``args`` on ``value`` (a ListValue,
    or MISSING where the op may create a list).  ``top_level`` marks a missing
    bin: there the server keeps the new empty list even when the op itself
    writes nothing (e.g. a bounded insert with NO_FAIL)."""
    valid = MODIFY_OPS if write else READ_OPS
    if op_code not in valid:
        _fail(PARAMETER)
    if value is MISSING:
        if op_code not in CREATING_OPS:
            return None, MISSING  # nothing to read, remove or sort
        params = _params(op_code, args)
        st = _State(ListValue((), _create_flags(op_code, params)), write)
        st.changed = top_level
    else:
        params = _params(op_code, args)
        st = _State(value, write)
    result = _HANDLERS[op_code](st, *params)
    return result, st.new_value()


def apply_to_bin(op_code, args, bin_value, write):
    """A list op addressed to a whole bin (no context)."""
    if bin_value is MISSING:
        if not write:
            return None, MISSING
        if op_code == SORT:
            _fail(BIN_TYPE)  # sorting needs an existing bin
        return apply(op_code, args, MISSING, write, top_level=True)
    if not isinstance(bin_value, ListValue):
        _fail(BIN_TYPE)
    return apply(op_code, args, bin_value, write)
