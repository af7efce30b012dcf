-- The `list`, `map`, `bytes` and `geojson` modules of Aerospike Lua, the
-- helpers the server adds in Lua (list.clone, map.merge, math.sum, ...) and
-- the globals List / Map / Bytes (the class metatables).
--
-- Loaded with the private API of values.lua; defines globals.

local P = ...
local DATA, is, check, optint = P.DATA, P.is, P.check, P.optint
local List, Map, Bytes, GeoJSON = P.List, P.Map, P.Bytes, P.GeoJSON
local new_list, new_map, new_bytes = P.new_list, P.new_map, P.new_bytes
local storable, map_put, map_remove, map_key, sorted_keys, cstr =
  P.storable, P.map_put, P.map_remove, P.map_key, P.sorted_keys, P.cstr
local spack, sunpack, sbyte, schar, srep = string.pack, string.unpack, string.byte, string.char, string.rep
local type, pairs, select, setmetatable, tointeger = type, pairs, select, setmetatable, math.tointeger

-- A value as a container element: unsupported values are dropped (false).
local function element(v)
  if not storable(v) or is(v, P.Record) then return false end
  if type(v) == 'string' then return true, cstr(v) end
  return true, v
end

---------------------------------------------------------------- list

local list = {}

local function list_new(...)
  local n = select('#', ...)
  if n < 1 or n > 2 then return end
  local cap = optint((...), 1, 'create', -1)
  if cap < 0 then return end
  local step = optint(select(2, ...), 2, 'create', 10)
  if step < 0 then return end
  return new_list({}, 0)
end
list.new = list_new
list.create = list_new

function list.insert(l, i, v)
  local d = check(l, List, 1, 'insert')
  i = optint(i, 2, 'insert', 0)
  if i <= 0 then return end
  local ok, e = element(v)
  if not ok then return end
  if i > d.n then
    d.items[i] = e
    d.n = i
  else
    table.move(d.items, i, d.n, i + 1)
    d.items[i] = e
    d.n = d.n + 1
  end
end

function list.append(l, v)
  local d = check(l, List, 1, 'append')
  local ok, e = element(v)
  if not ok then return end
  d.n = d.n + 1
  d.items[d.n] = e
end

function list.prepend(l, v)
  local d = check(l, List, 1, 'prepend')
  local ok, e = element(v)
  if not ok then return end
  table.move(d.items, 1, d.n, 2)
  d.items[1] = e
  d.n = d.n + 1
end

function list.remove(l, i)
  local d = check(l, List, 1, 'remove')
  i = optint(i, 2, 'remove', 0)
  if i <= 0 or i > d.n then return end
  table.move(d.items, i + 1, d.n + 1, i)
  d.items[d.n] = nil
  d.n = d.n - 1
end

function list.concat(l, l2)
  local d = check(l, List, 1, 'concat')
  local d2 = check(l2, List, 2, 'concat')
  local n2 = d2.n
  for i = 1, n2 do d.items[d.n + i] = d2.items[i] end
  d.n = d.n + n2
end

-- Keeps the first n - 1 elements (as the server does).
function list.trim(l, n)
  local d = check(l, List, 1, 'trim')
  n = optint(n, 2, 'trim', 0)
  if n <= 0 then return end
  for i = n, d.n do d.items[i] = nil end
  if n - 1 < d.n then d.n = n - 1 end
end

function list.take(l, n)
  local d = check(l, List, 1, 'take')
  n = optint(n, 2, 'take', 0)
  if n <= 0 then return nil end
  if n > d.n then n = d.n end
  return new_list(table.move(d.items, 1, n, 1, {}), n)
end

function list.drop(l, n)
  local d = check(l, List, 1, 'drop')
  n = optint(n, 2, 'drop', 0)
  if n <= 0 then return nil end
  local out, count = {}, 0
  for i = n + 1, d.n do
    count = count + 1
    out[count] = d.items[i]
  end
  return new_list(out, count)
end

function list.size(l)
  return check(l, List, 1, 'size').n
end

function list.nbytes(l)
  check(l, List, 1, 'nbytes')
  return P.nbytes(l)
end

-- Iteration stops at the first nil element.
function list.iterator(l)
  local d = check(l, List, 1, 'iterator')
  local i = 0
  local state = new_list({}, 0)  -- stands for the server's iterator userdata
  return function()
    i = i + 1
    if i > d.n then return end
    return d.items[i]
  end, state
end

function list.tostring(l)
  check(l, List, 1, 'tostring')
  return P.val_str(l)
end

function list.clone(l)
  local d = check(l, List, 1, 'clone')
  local items, n = {}, 0
  for v in list.iterator(l) do
    n = n + 1
    items[n] = v
  end
  return new_list(items, n)
end

function list.merge(a, b)
  local items, n = {}, 0
  for v in list.iterator(a) do n = n + 1; items[n] = v end
  for v in list.iterator(b) do n = n + 1; items[n] = v end
  return new_list(items, n)
end

-- list{...} / list(): a new list from the integer-keyed entries of a table.
setmetatable(list, {
  __call = function(_, t, ...)
    local items, n = {}, 0
    if select('#', ...) == 0 and type(t) == 'table' then
      local keys = {}
      for k in pairs(t) do
        if type(k) == 'number' then keys[#keys + 1] = k end
      end
      table.sort(keys)
      for _, k in ipairs(keys) do
        local ok, e = element(t[k])
        n = n + 1
        if ok then items[n] = e end
      end
    end
    return new_list(items, n)
  end,
  __metatable = list,
})

---------------------------------------------------------------- map

local map = {}

local function map_new(...)
  if select('#', ...) ~= 1 then return end
  local cap = optint((...), 1, 'create', 0)
  if cap < 1 then return end
  return new_map(false)
end
map.new = map_new
map.create = map_new

local function map_iter(m, fname, what)
  local d = check(m, Map, 1, fname)
  local keys = sorted_keys(d)
  local i = 0
  return function()
    i = i + 1
    local ck = keys[i]
    if ck == nil then return end
    if d.keys[ck] == nil then return end
    if what == 'k' then return d.keys[ck] end
    if what == 'v' then return d.vals[ck] end
    return d.keys[ck], d.vals[ck]
  end, new_list({}, 0)
end

function map.pairs(m) return map_iter(m, 'pairs') end
function map.iterator(m) return map_iter(m, 'iterator') end
function map.keys(m) return map_iter(m, 'keys', 'k') end
function map.values(m) return map_iter(m, 'values', 'v') end

function map.remove(m, k)
  local d = check(m, Map, 1, 'remove')
  map_remove(d, k)
end

function map.size(m)
  return check(m, Map, 1, 'size').n
end

function map.nbytes(m)
  check(m, Map, 1, 'nbytes')
  return P.nbytes(m)
end

function map.tostring(m)
  check(m, Map, 1, 'tostring')
  return P.val_str(m)
end

-- map{...} / map(t, capacity): a new (unordered) map from a table's pairs;
-- pairs whose key or value has no Aerospike type are dropped.
local function map_from(t)
  local m = new_map(false)
  if type(t) == 'table' then
    local d = DATA[m]
    for k, v in pairs(t) do
      local ok, e = element(v)
      if ok and storable(k) then map_put(d, k, e) end
    end
  end
  return m
end

setmetatable(map, {
  __call = function(_, ...)
    local n = select('#', ...)
    if n >= 2 then optint(select(2, ...), 2, 'map', 32) end
    if n == 1 or n == 2 then return map_from((...)) end
    return new_map(false)
  end,
  __metatable = map,
})

-- The map helpers the server defines in Lua.  merge calls f only when the
-- first map has a truthy value for the key; diff keeps keys whose value is
-- missing or falsy in the other map.
function map.merge(a, b, f)
  local out = new_map(false)
  local d = DATA[out]
  for k, v in map.pairs(a) do map_put(d, k, v) end
  for k, v in map.pairs(b) do
    local mine = out[k]
    local merged = mine and f and type(f) == 'function' and f(a[k], b[k])
    map_put(d, k, merged or v)
  end
  return out
end

function map.diff(a, b)
  local out = new_map(false)
  local d = DATA[out]
  for k, v in map.pairs(a) do
    if not b[k] then map_put(d, k, v) end
  end
  for k, v in map.pairs(b) do
    if not a[k] then map_put(d, k, v) end
  end
  return out
end

function map.clone(m)
  local out = new_map(false)
  local d = DATA[out]
  for k, v in map.pairs(m) do map_put(d, k, v) end
  return out
end

---------------------------------------------------------------- bytes

local bytes = {}

local function ensure(d, n)
  if n > d.cap then
    d.buf = d.buf .. srep('\0', n - d.cap)
    d.cap = n
  end
end

local function put(d, pos, s)  -- pos is 0-based
  ensure(d, pos + #s)
  d.buf = d.buf:sub(1, pos) .. s .. d.buf:sub(pos + #s + 1)
  if pos + #s > d.size then d.size = pos + #s end
end

local function fits(v, lo, hi) return v >= lo and v <= hi end

function bytes.size(...)
  if select('#', ...) ~= 1 then return 0 end
  return check((...), Bytes, 1, 'size').size
end

-- Never grows the size: reports whether the capacity is at least n.
function bytes.set_size(...)
  if select('#', ...) ~= 2 then return false end
  local b, n = ...
  local d = check(b, Bytes, 1, 'set_size')
  n = optint(n, 2, 'set_size', 0)
  if n < 0 or n > 0xffffffff then return false end
  return n <= d.cap
end

function bytes.get_type(b)
  if b == nil then return end
  return check(b, Bytes, 1, 'get_type').type
end

function bytes.set_type(...)
  if select('#', ...) ~= 2 then return false end
  local b, t = ...
  local d = check(b, Bytes, 1, 'set_type')
  t = optint(t, 2, 'set_type', 0)
  if t == 0 then return false end
  d.type = t & 0xff
  return true
end

local function appender(fname, width, fmt, lo, hi)
  bytes[fname] = function(...)
    if select('#', ...) ~= 2 then return false end
    local b, v = ...
    local d = check(b, Bytes, 1, fname)
    v = optint(v, 2, fname, 0)
    if lo and not fits(v, lo, hi) then return false end
    if width < 8 then v = v & ((1 << (8 * width)) - 1) end  -- the C cast
    put(d, d.size, spack(fmt, v))
    return true
  end
end

local function setter(fname, width, fmt, lo, hi)
  bytes[fname] = function(...)
    if select('#', ...) ~= 3 then return false end
    local b, i, v = ...
    local d = check(b, Bytes, 1, fname)
    i = optint(i, 2, fname, 0)
    v = optint(v, 3, fname, 0)
    if i < 1 or i > 0xffffffff or (lo and not fits(v, lo, hi)) then return false end
    if width < 8 then v = v & ((1 << (8 * width)) - 1) end  -- the C cast
    put(d, i - 1, spack(fmt, v))
    return true
  end
end

local function getter(fname, width, fmt)
  bytes[fname] = function(...)
    if select('#', ...) ~= 2 then return end
    local b, i = ...
    local d = check(b, Bytes, 1, fname)
    i = optint(i, 2, fname, 0)
    if i < 1 or i > 0xffffffff or i - 1 + width > d.size then return end
    return (sunpack(fmt, d.buf, i))
  end
end

local I8, I16, I32 = {0, 0xff}, {-0x8000, 0x7fff}, {-0x80000000, 0x7fffffff}
for _, spec in ipairs({
  {'byte', 1, 'B', I8, 'B'},
  {'int16', 2, '>i2', I16}, {'int16_be', 2, '>i2', I16}, {'int16_le', 2, '<i2', I16},
  {'int32', 4, '>i4', I32}, {'int32_be', 4, '>i4', I32}, {'int32_le', 4, '<i4', I32},
  {'int64', 8, '>i8'}, {'int64_be', 8, '>i8'}, {'int64_le', 8, '<i8'},
}) do
  local name, width, fmt, range = spec[1], spec[2], spec[3], spec[4]
  local lo, hi = range and range[1], range and range[2]
  -- Out-of-range 16/32-bit values are refused; writes wrap like C casts.
  local wfmt = fmt
  if width == 2 then wfmt = fmt:sub(1, 1) .. 'I2' end
  if width == 4 then wfmt = fmt:sub(1, 1) .. 'I4' end
  appender('append_' .. name, width, wfmt, lo, hi)
  setter('set_' .. name, width, wfmt, lo, hi)
  getter('get_' .. name, width, fmt)
end

local function var_int(d, pos, v)  -- as the server: writes within the capacity only
  v = v & 0xffffffff
  local out = {}
  local p = pos
  while p < d.cap and v >= 0x80 do
    out[#out + 1] = schar((v & 0x7f) | 0x80)
    v = v >> 7
    p = p + 1
  end
  if p < d.cap then
    out[#out + 1] = schar(v)
    local s = table.concat(out)
    d.buf = d.buf:sub(1, pos) .. s .. d.buf:sub(pos + #s + 1)
    return #s
  end
  return 0
end

-- Written into the capacity; the size does not change.
function bytes.append_var_int(...)
  if select('#', ...) ~= 2 then return 0 end
  local b, v = ...
  local d = check(b, Bytes, 1, 'append_var_int')
  v = optint(v, 2, 'append_var_int', 0)
  if not fits(v, -0x80000000, 0x7fffffff) then return 0 end
  ensure(d, d.size + 5)
  return var_int(d, d.size, v)
end

function bytes.set_var_int(...)
  if select('#', ...) ~= 3 then return 0 end
  local b, i, v = ...
  local d = check(b, Bytes, 1, 'set_var_int')
  i = optint(i, 2, 'set_var_int', 0)
  v = optint(v, 3, 'set_var_int', 0)
  if i < 1 or i > 0xffffffff or not fits(v, -0x80000000, 0x7fffffff) then return 0 end
  ensure(d, i - 1 + 5)
  return var_int(d, i - 1, v)
end

function bytes.get_var_int(...)
  if select('#', ...) ~= 2 then return end
  local b, i = ...
  local d = check(b, Bytes, 1, 'get_var_int')
  i = optint(i, 2, 'get_var_int', 0)
  if i < 1 or i > 0xffffffff then return end
  local v, shift, p = 0, 0, i
  repeat
    local c = sbyte(d.buf, p) or 0
    p = p + 1
    v = v | ((c & 0x7f) << shift)
    shift = shift + 7
  until c & 0x80 == 0 or shift > 63
  return v & 0xffffffff, p - i
end

function bytes.append_string(...)
  if select('#', ...) ~= 2 then return false end
  local b, s = ...
  local d = check(b, Bytes, 1, 'append_string')
  if type(s) == 'number' then s = tostring(s) end
  if type(s) ~= 'string' or #s == 0 then return false end
  put(d, d.size, s)
  return true
end

function bytes.set_string(...)
  if select('#', ...) ~= 3 then return false end
  local b, i, s = ...
  local d = check(b, Bytes, 1, 'set_string')
  i = optint(i, 2, 'set_string', 0)
  if type(s) == 'number' then s = tostring(s) end
  if i < 1 or i > 0xffffffff or type(s) ~= 'string' then return false end
  put(d, i - 1, s)
  return true
end

function bytes.append_bytes(...)
  if select('#', ...) ~= 3 then return false end
  local b, v, n = ...
  local d = check(b, Bytes, 1, 'append_bytes')
  local dv = check(v, Bytes, 2, 'append_bytes')
  n = optint(n, 3, 'append_bytes', 0)
  if n < 0 or n > 0xffffffff then return false end
  if n > dv.size then n = dv.size end
  put(d, d.size, dv.buf:sub(1, n))
  return true
end

function bytes.set_bytes(...)
  if select('#', ...) ~= 4 then return false end
  local b, i, v, n = ...
  local d = check(b, Bytes, 1, 'set_bytes')
  i = optint(i, 2, 'set_bytes', 0)
  local dv = check(v, Bytes, 3, 'set_bytes')
  n = optint(n, 4, 'set_bytes', 0)
  if i < 1 or i > 0xffffffff or n < 0 or n > 0xffffffff then return false end
  local size = n > dv.size and dv.size or n
  ensure(d, i - 1 + size)
  if i - 1 + n > d.cap then return false end
  put(d, i - 1, (dv.buf .. srep('\0', n)):sub(1, n))
  return true
end

-- Reads past the end come back as zero bytes (the server reads its buffer).
local function raw_read(d, i, n)
  local s = d.buf:sub(i, i + n - 1)
  if #s < n then s = s .. srep('\0', n - #s) end
  return s
end

function bytes.get_string(...)
  if select('#', ...) ~= 3 then return end
  local b, i, n = ...
  local d = check(b, Bytes, 1, 'get_string')
  i = optint(i, 2, 'get_string', 0)
  n = optint(n, 3, 'get_string', 0)
  if i < 1 or i > 0xffffffff or n < 0 or n > 0xffffffff then return end
  return raw_read(d, i, n)
end

function bytes.get_bytes(...)
  if select('#', ...) ~= 3 then return end
  local b, i, n = ...
  local d = check(b, Bytes, 1, 'get_bytes')
  i = optint(i, 2, 'get_bytes', 0)
  n = optint(n, 3, 'get_bytes', 0)
  if i < 1 or i > 0xffffffff or n < 0 or n > 0xffffffff then return end
  return new_bytes(raw_read(d, i, n), 4)
end

-- bytes() / bytes(n): empty bytes with capacity n.
setmetatable(bytes, {
  __call = function(_, ...)
    local n = select('#', ...)
    if n == 0 then return new_bytes('', 4) end
    if n == 1 then
      local cap = optint((...), 2, 'bytes', 0)
      return new_bytes('', 4, cap & 0xffffffff)
    end
  end,
  __metatable = bytes,
})

Bytes.__index = function(b, i)
  return bytes.get_byte(b, i)
end
Bytes.__newindex = function(b, i, v)
  bytes.set_byte(b, i, v)
end
-- The server's __len reads its argument count, which is 2 for `#b`: always 0.
Bytes.__len = function() return 0 end

---------------------------------------------------------------- geojson

local geojson = {}

function geojson.tostring(g)
  check(g, GeoJSON, 1, 'tostring')
  return tostring(g)
end

setmetatable(geojson, {
  __call = function(_, s)
    if type(s) ~= 'string' then return nil end
    return P.new_geo(cstr(s))
  end,
  __metatable = geojson,
})

---------------------------------------------------------------- math

function math.sum(a, b) return a + b end
function math.product(a, b) return a * b end

return {list = list, map = map, bytes = bytes, geojson = geojson,
        List = List, Map = Map, Bytes = Bytes}
