-- Record and stream UDFs used by tests/client/test_udf*.py.

function echo(rec, value)
  return value
end

function echo_type(rec, value)
  return type(value)
end

function write_bin(rec, name, value)
  rec[name] = value
  if aerospike:exists(rec) then
    aerospike:update(rec)
  else
    aerospike:create(rec)
  end
  return rec[name]
end

function read_bin(rec, name)
  return rec[name]
end

function add(rec, name, n)
  rec[name] = (rec[name] or 0) + n
  aerospike:update(rec)
  return rec[name]
end

function write_then_fail(rec, name, value)
  rec[name] = value
  aerospike:update(rec)
  error('failed on purpose')
end

function fail(rec)
  error('failed on purpose')
end

function exists(rec)
  return aerospike:exists(rec)
end

function many(rec, a, b, c)
  return list{a, b, c}
end

function as_map(rec, k, v)
  local m = map()
  m[k] = v
  return m
end

-- Stream UDFs: the server runs map/filter/aggregate; reduce runs in the client too.

local function value_of(rec)
  return rec['v']
end

local function add_up(a, b)
  return a + b
end

function sum(stream)
  return stream : map(value_of) : reduce(add_up)
end

function sum_above(stream, low)
  local function above(rec)
    return rec['v'] > low
  end
  return stream : filter(above) : map(value_of) : reduce(add_up)
end

function values(stream)
  return stream : map(value_of)
end

function count_by_parity(stream)
  local function tally(m, rec)
    local k = (rec['v'] % 2 == 0) and 'even' or 'odd'
    m[k] = (m[k] or 0) + 1
    return m
  end
  local function merge(a, b)
    return map.merge(a, b, add_up)
  end
  return stream : aggregate(map(), tally) : reduce(merge)
end

function reduce_fails(stream)
  local function bad(a, b)
    error('reduce failed on purpose')
  end
  return stream : map(value_of) : reduce(bad)
end
