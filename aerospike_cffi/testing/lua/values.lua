-- The value types of Aerospike Lua (List, Map, Bytes, GeoJSON) and the
-- msgpack codec that carries values between the dev server and a Lua state.
--
-- Loaded first into every Lua state of the dev server with one argument: a
-- function returning a fresh host object.  Each Aerospike value is a full
-- userdata made from such an object (pure Lua cannot make userdata) whose
-- metatable is replaced by the value's class metatable, so `type(v)` is
-- "userdata" and error messages name the class ("attempt to compare two List
-- values").  The data of a value lives in the weak table DATA, keyed by the
-- userdata; containers hold Lua values, so a list inside a list is shared by
-- reference, as on the server.
--
-- Returns the private API table used by the other chunks (record.lua,
-- stream.lua) and by the engine; user code never sees it.

local new_host = ...
local setmt, getmt = debug.setmetatable, debug.getmetatable
local mtype, tointeger, floor = math.type, math.tointeger, math.floor
local spack, sunpack, schar, sbyte, srep = string.pack, string.unpack, string.char, string.byte, string.rep
local concat, tsort, unpack = table.concat, table.sort, table.unpack
local type, pairs, rawequal, error, select, tostring, setmetatable =
  type, pairs, rawequal, error, select, tostring, setmetatable

-- The host metatable: restored before the host object is released, so its
-- finaliser frees the host object exactly once.
local HOST_MT = getmt(new_host())
local host_gc = HOST_MT.__gc

local DATA = setmetatable({}, {__mode = 'k'})

local P = {}      -- private API
P.DATA = DATA

-- getmetatable() gives a class's public face (the globals List, Map, Bytes),
-- never the metatable itself, so user code cannot reach the finaliser.
local function class(name)
  local mt = {__name = name, __metatable = {__name = name}}
  mt.__gc = function(u)
    if rawequal(getmt(u), mt) then
      DATA[u] = nil
      setmt(u, HOST_MT)
      host_gc(u)
    end
  end
  return mt
end
P.class = class

local function wrap(mt, data)
  local u = new_host()
  setmt(u, mt)
  DATA[u] = data
  return u
end
P.wrap = wrap

local List = class('List')
local Map = class('Map')
local Bytes = class('Bytes')
local GeoJSON = class('GeoJSON')
P.List, P.Map, P.Bytes, P.GeoJSON = List, Map, Bytes, GeoJSON

local function is(v, mt)
  return type(v) == 'userdata' and rawequal(getmt(v), mt)
end
P.is = is

-- Strings cross as C strings on the server: cut at the first NUL.
local function cstr(s)
  local z = s:find('\0', 1, true)
  if z then return s:sub(1, z - 1) end
  return s
end
P.cstr = cstr

-- The server's library functions are C functions: a UDF that tail-calls one
-- (`return list.append(x, 1)`) keeps its own frame, so the server's "bad
-- argument" message names the UDF's file:line.  Ours are Lua functions, and
-- a tail call replaces the UDF's frame, so the call site is looked up in the
-- module's source (P.user_source, P.current_fn: the function the engine runs):
-- the line that returns a call of `fname`.
local getinfo = debug.getinfo

-- `in_entry`: the replaced frame is the function the engine called (the frame above
-- is the engine's pcall); else it is a helper of the module, found when one line of
-- the module outside that function can be the call.
local function tail_call_site(fname, in_entry)
  local f, src = P.current_fn, P.user_source
  if type(f) ~= 'function' or type(src) ~= 'string' then return nil end
  local info = getinfo(f, 'S')
  if not info or info.what ~= 'Lua' or info.linedefined < 1 then return nil end
  local first, last = info.linedefined, info.lastlinedefined
  local pattern = '%f[%w_]return%f[^%w_].-[%.:]%s*' .. fname:gsub('%W', '%%%0') .. '%s*%('
  local n, found, count = 0, nil, 0
  for line in (src .. '\n'):gmatch('([^\n]*)\n') do
    n = n + 1
    if (n >= first and n <= last) == in_entry and line:find(pattern) then
      if in_entry then return info.short_src .. ':' .. n .. ': ' end
      found, count = n, count + 1
    end
  end
  if count ~= 1 then return nil end
  return info.short_src .. ':' .. found .. ': '
end

-- error(msg, level) as seen from the caller of raise.
local function raise(msg, level, fname)
  level = (level or 1) + 1
  if fname then
    local lib = getinfo(level - 1, 't')
    if lib and lib.istailcall then
      local at = getinfo(level, 'l')
      local where = tail_call_site(fname, not at or at.currentline < 0)
      if where then error(where .. msg, 0) end
    end
  end
  error(msg, level)
end
P.raise = raise

-- The type name luaL_typename would give (for "bad argument" messages).
local function arg_error(n, fname, expected, v, level)
  local got = v == nil and 'nil' or type(v)
  raise(("bad argument #%d to '%s' (%s expected, got %s)"):format(n, fname, expected, got), level or 3, fname)
end
P.arg_error = arg_error

-- `depth`: how many library frames lie between check and the user's code.
local function check(v, mt, n, fname, depth)
  depth = depth or 1
  if type(v) ~= 'userdata' then
    arg_error(n, fname, 'userdata', v, 3 + depth)
  end
  if not rawequal(getmt(v), mt) then
    local m = getmt(v)
    local got = (type(m) == 'table' and m.__name) or type(v)
    raise(("bad argument #%d to '%s' (%s expected, got %s)"):format(n, fname, mt.__name, got), 2 + depth, fname)
  end
  return DATA[v]
end
P.check = check

-- An integer argument as luaL_optinteger reads it (default when nil).
local function optint(v, n, fname, default)
  if v == nil then return default end
  local t = type(v)
  if t == 'string' then v = tonumber(v) end
  if type(v) ~= 'number' then
    error(("bad argument #%d to '%s' (number expected, got %s)"):format(n, fname, t), 3)
  end
  local i = tointeger(v)
  if i == nil then
    error(("bad argument #%d to '%s' (number has no integer representation)"):format(n, fname), 3)
  end
  return i
end
P.optint = optint

-- Which Lua values can be stored in a container / bin: the others become
-- "no value" (NULL on the server).
local function storable(v)
  local t = type(v)
  if t == 'nil' or t == 'number' or t == 'boolean' or t == 'string' then return true end
  if t == 'userdata' then
    local m = getmt(v)
    return m == List or m == Map or m == Bytes or m == GeoJSON or m == P.Record
  end
  return false
end
P.storable = storable

local function as_stored(v)
  if type(v) == 'string' then return cstr(v) end
  return v
end

---------------------------------------------------------------- List

local function new_list(items, n)
  return wrap(List, {n = n or #items, items = items})
end
P.new_list = new_list

List.__index = function(l, i)
  local d = DATA[l]
  i = optint(i, 2, 'index', 0)
  if i > 0 and i <= d.n then return d.items[i] end
  return nil
end
List.__newindex = function(l, i, v)
  local d = DATA[l]
  i = optint(i, 2, 'newindex', 0)
  if i <= 0 or not storable(v) or is(v, P.Record) then return end
  d.items[i] = as_stored(v)
  if i > d.n then d.n = i end
end
List.__len = function(l) return DATA[l].n end

---------------------------------------------------------------- Map

-- Map keys: integers, strings and Bytes (by content); anything else is dropped.
local function map_key(k)
  local t = type(k)
  if t == 'string' then return 's' .. cstr(k) end
  if t == 'number' then
    if mtype(k) == 'integer' then return k end
    return nil
  end
  if is(k, Bytes) then
    local b = DATA[k]
    return 'b' .. b.buf:sub(1, b.size)
  end
  return nil
end
P.map_key = map_key

local function new_map(ordered)
  return wrap(Map, {keys = {}, vals = {}, n = 0, ordered = ordered or false})
end
P.new_map = new_map

local function map_put(d, k, v)
  local ck = map_key(k)
  if ck == nil then return end
  if d.keys[ck] == nil then
    d.n = d.n + 1
    d.keys[ck] = as_stored(k)
  end
  d.vals[ck] = as_stored(v)
end
P.map_put = map_put

local function map_remove(d, k)
  local ck = map_key(k)
  if ck ~= nil and d.keys[ck] ~= nil then
    d.keys[ck] = nil
    d.vals[ck] = nil
    d.n = d.n - 1
  end
end
P.map_remove = map_remove

-- Keys in the server's order: integers, then strings, then bytes.
local function key_rank(ck)
  if type(ck) == 'number' then return 0 end
  return ck:sub(1, 1) == 's' and 1 or 2
end
local function key_less(a, b)
  local ra, rb = key_rank(a), key_rank(b)
  if ra ~= rb then return ra < rb end
  return a < b
end
local function sorted_keys(d)
  local out, n = {}, 0
  for ck in pairs(d.keys) do n = n + 1; out[n] = ck end
  tsort(out, key_less)
  return out
end
P.sorted_keys = sorted_keys

Map.__index = function(m, k)
  local d = DATA[m]
  local ck = map_key(k)
  if ck == nil then return nil end
  return d.vals[ck]
end
Map.__newindex = function(m, k, v)
  if not storable(v) or is(v, P.Record) then return end
  map_put(DATA[m], k, v)
end
Map.__len = function(m) return DATA[m].n end

---------------------------------------------------------------- Bytes

-- buf holds `cap` bytes (the capacity); the value is its first `size` bytes.
local function new_bytes(s, btype, cap)
  s = s or ''
  local size = #s
  cap = cap or size
  if cap > size then s = s .. srep('\0', cap - size) end
  return wrap(Bytes, {buf = s, size = size, cap = cap, type = btype or 4})
end
P.new_bytes = new_bytes

---------------------------------------------------------------- GeoJSON

local function new_geo(text)
  return wrap(GeoJSON, {text = text})
end
P.new_geo = new_geo
GeoJSON.__tostring = function(g) return '"' .. DATA[g].text .. '"' end

---------------------------------------------------------------- tostring

local function num_str(v)
  if mtype(v) == 'integer' then return tostring(v) end
  return (('%g'):format(v))
end

local val_str
local function bytes_hex(d, sep)
  local parts = {}
  for i = 1, d.size do parts[i] = ('%02X'):format(sbyte(d.buf, i)) end
  return concat(parts, sep)
end

-- as_val_tostring of the server (used by tostring() and nested values).
val_str = function(v, nested)
  local t = type(v)
  if v == nil then return 'NIL' end
  if t == 'boolean' then return tostring(v) end
  if t == 'number' then return num_str(v) end
  if t == 'string' then return nested and ('"' .. v .. '"') or v end
  if is(v, List) then
    local d, parts = DATA[v], {}
    for i = 1, d.n do parts[i] = val_str(d.items[i], true) end
    return '[' .. concat(parts, ', ') .. ']'
  end
  if is(v, Map) then
    local d, parts = DATA[v], {}
    for i, ck in pairs(sorted_keys(d)) do
      parts[i] = val_str(d.keys[ck], true) .. ':' .. val_str(d.vals[ck], true)
    end
    return '{' .. concat(parts, ', ') .. '}'
  end
  if is(v, Bytes) then
    return bytes_hex(DATA[v], '')
  end
  if is(v, GeoJSON) then
    return '"' .. DATA[v].text .. '"'
  end
  return tostring(v)
end
P.val_str = val_str

List.__tostring = function(l) return val_str(l) end
Map.__tostring = function(m) return val_str(m) end
Bytes.__tostring = function(b)
  local d = DATA[b]
  if d.size == 0 then return 'Bytes()' end
  return bytes_hex(d, ' ')
end

---------------------------------------------------------------- msgpack in

-- Aerospike's msgpack dialect: strings and blobs carry a leading type byte;
-- a map whose first key is an ext value carries order flags.
local function decode(s, pos)
  local b = sbyte(s, pos)
  pos = pos + 1
  if b <= 0x7f then return b, pos end
  if b >= 0xe0 then return b - 0x100, pos end
  if b >= 0xa0 and b <= 0xbf then return P.raw(s, pos, b - 0xa0) end
  if b >= 0x90 and b <= 0x9f then return P.array(s, pos, b - 0x90) end
  if b >= 0x80 and b <= 0x8f then return P.map(s, pos, b - 0x80) end
  if b == 0xc0 then return nil, pos end
  if b == 0xc2 then return false, pos end
  if b == 0xc3 then return true, pos end
  if b == 0xc4 or b == 0xd9 then local n; n, pos = sunpack('>I1', s, pos); return P.raw(s, pos, n) end
  if b == 0xc5 or b == 0xda then local n; n, pos = sunpack('>I2', s, pos); return P.raw(s, pos, n) end
  if b == 0xc6 or b == 0xdb then local n; n, pos = sunpack('>I4', s, pos); return P.raw(s, pos, n) end
  if b == 0xca then return sunpack('>f', s, pos) end
  if b == 0xcb then return sunpack('>d', s, pos) end
  if b == 0xcc then return sunpack('>I1', s, pos) end
  if b == 0xcd then return sunpack('>I2', s, pos) end
  if b == 0xce then return sunpack('>I4', s, pos) end
  if b == 0xcf then return sunpack('>i8', s, pos) end  -- wraps like a Lua integer
  if b == 0xd0 then return sunpack('>i1', s, pos) end
  if b == 0xd1 then return sunpack('>i2', s, pos) end
  if b == 0xd2 then return sunpack('>i4', s, pos) end
  if b == 0xd3 then return sunpack('>i8', s, pos) end
  if b >= 0xd4 and b <= 0xd8 then return P.ext(s, pos + 1, 1 << (b - 0xd4)) end
  if b == 0xc7 then local n; n, pos = sunpack('>I1', s, pos); return P.ext(s, pos + 1, n) end
  if b == 0xc8 then local n; n, pos = sunpack('>I2', s, pos); return P.ext(s, pos + 1, n) end
  if b == 0xc9 then local n; n, pos = sunpack('>I4', s, pos); return P.ext(s, pos + 1, n) end
  if b == 0xdc then local n; n, pos = sunpack('>I2', s, pos); return P.array(s, pos, n) end
  if b == 0xdd then local n; n, pos = sunpack('>I4', s, pos); return P.array(s, pos, n) end
  if b == 0xde then local n; n, pos = sunpack('>I2', s, pos); return P.map(s, pos, n) end
  if b == 0xdf then local n; n, pos = sunpack('>I4', s, pos); return P.map(s, pos, n) end
  error('bad msgpack byte ' .. b)
end
P.decode = decode

local EXT = {}  -- marker for ext values (order flags)

P.ext = function(s, pos, n)
  return EXT, pos + n
end

P.raw = function(s, pos, n)
  local body = s:sub(pos, pos + n - 1)
  pos = pos + n
  if n == 0 then return '', pos end
  local t = sbyte(body, 1)
  body = body:sub(2)
  if t == 3 then return cstr(body), pos end
  if t == 23 then return new_geo(body), pos end
  return new_bytes(body, t), pos
end

P.array = function(s, pos, n)
  local items, count = {}, 0
  for i = 1, n do
    local v
    v, pos = decode(s, pos)
    if not (i == 1 and v == EXT) then
      count = count + 1
      items[count] = v
    end
  end
  return new_list(items, count), pos
end

P.map = function(s, pos, n)
  local m = new_map(false)
  local d = DATA[m]
  for i = 1, n do
    local k, v
    k, pos = decode(s, pos)
    v, pos = decode(s, pos)
    if i == 1 and k == EXT then
      d.ordered = true
    else
      map_put(d, k, v)
    end
  end
  return m, pos
end

-- The values of a packed list (the UDF argument list), as a Lua array.
function P.decode_args(s)
  if s == nil or #s == 0 then return {n = 0} end
  local l = decode(s, 1)
  if not is(l, List) then return {n = 0} end
  local d = DATA[l]
  return {n = d.n, unpack(d.items, 1, d.n)}
end

function P.decode_value(s)
  return (decode(s, 1))
end

---------------------------------------------------------------- msgpack out

local encode

local function enc_raw(out, ptype, body)
  local n = #body + 1
  if n < 32 then out[#out + 1] = schar(0xa0 + n)
  elseif n < 0x100 then out[#out + 1] = spack('>BI1', 0xd9, n)
  elseif n < 0x10000 then out[#out + 1] = spack('>BI2', 0xda, n)
  else out[#out + 1] = spack('>BI4', 0xdb, n) end
  out[#out + 1] = schar(ptype)
  out[#out + 1] = body
end

local function enc_int(out, v)
  if v >= 0 then
    if v < 0x80 then out[#out + 1] = schar(v)
    elseif v < 0x100 then out[#out + 1] = spack('>BI1', 0xcc, v)
    elseif v < 0x10000 then out[#out + 1] = spack('>BI2', 0xcd, v)
    elseif v < 0x100000000 then out[#out + 1] = spack('>BI4', 0xce, v)
    else out[#out + 1] = spack('>Bi8', 0xcf, v) end
  else
    if v >= -32 then out[#out + 1] = schar(v + 0x100)
    elseif v >= -0x80 then out[#out + 1] = spack('>Bi1', 0xd0, v)
    elseif v >= -0x8000 then out[#out + 1] = spack('>Bi2', 0xd1, v)
    elseif v >= -0x80000000 then out[#out + 1] = spack('>Bi4', 0xd2, v)
    else out[#out + 1] = spack('>Bi8', 0xd3, v) end
  end
end

local function enc_header(out, n, fix, h16, h32)
  if n < 16 then out[#out + 1] = schar(fix + n)
  elseif n < 0x10000 then out[#out + 1] = spack('>BI2', h16, n)
  else out[#out + 1] = spack('>BI4', h32, n) end
end

-- Values that have no Aerospike type (tables, functions, the record...)
-- encode as nil; `top` says whether the value is a whole result.
encode = function(out, v)
  local t = type(v)
  if t == 'nil' then out[#out + 1] = '\xc0'
  elseif t == 'boolean' then out[#out + 1] = v and '\xc3' or '\xc2'
  elseif t == 'number' then
    if mtype(v) == 'integer' then enc_int(out, v)
    else out[#out + 1] = spack('>Bd', 0xcb, v) end
  elseif t == 'string' then enc_raw(out, 3, cstr(v))
  elseif t == 'userdata' then
    local m = getmt(v)
    local d = DATA[v]
    if m == List then
      enc_header(out, d.n, 0x90, 0xdc, 0xdd)
      for i = 1, d.n do encode(out, d.items[i]) end
    elseif m == Map then
      local keys = sorted_keys(d)
      local n = #keys
      if d.ordered then
        enc_header(out, n + 1, 0x80, 0xde, 0xdf)
        out[#out + 1] = '\xc7\x00\x01\xc0'
      else
        enc_header(out, n, 0x80, 0xde, 0xdf)
      end
      for i = 1, n do
        local ck = keys[i]
        encode(out, d.keys[ck])
        encode(out, d.vals[ck])
      end
    elseif m == Bytes then enc_raw(out, d.type, d.buf:sub(1, d.size))
    elseif m == GeoJSON then enc_raw(out, 23, d.text)
    else out[#out + 1] = '\xc0' end
  else
    out[#out + 1] = '\xc0'
  end
end

function P.encode(v)
  local out = {}
  encode(out, v)
  return concat(out)
end

-- The packed size of a value (list.nbytes / map.nbytes).
function P.nbytes(v)
  return #P.encode(v)
end

return P
