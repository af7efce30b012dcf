-- Stream UDFs: the stream object a stream function builds its chain on
-- (map / filter / aggregate / reduce / groupby) and the server's part of
-- running it: every stage up to and including the first reduce.  The client
-- runs that reduce again and every stage after it.

local P = ...
local is, List, Map = P.is, P.List, P.Map
local type, pcall, error, select, unpack, insert = type, pcall, error, select, table.unpack, table.insert

local SERVER, CLIENT, EITHER, BOTH = 1, 2, 3, 4

-- aggregate() hands out its value early when it is a number of 1000 or more.
local function flush_early(v)
  return type(v) == 'number' and v >= 1000
end

local function copy_initial(v)
  local t = type(v)
  if t == 'table' then
    local out = {}
    for k, x in pairs(v) do out[k] = x end
    return out
  end
  if t == 'userdata' then
    if is(v, Map) then return map.clone(v) end
    if is(v, List) then return list.clone(v) end
    return nil
  end
  return v
end

local stages = {}

function stages.map(next_value, f)
  local done = false
  return function()
    if done then return nil end
    local v = next_value()
    if v ~= nil then return f(v) end
    done = true
    return nil
  end
end

function stages.filter(next_value, keep)
  local done = false
  return function()
    if done then return nil end
    for v in next_value do
      if keep(v) then return v end
    end
    done = true
    return nil
  end
end

function stages.reduce(next_value, f)
  local done = false
  return function()
    if done then return nil end
    local acc = next_value()
    if acc ~= nil then
      for v in next_value do acc = f(acc, v) end
    end
    done = true
    return acc
  end
end

function stages.aggregate(next_value, initial, f)
  local done = false
  return function()
    if done then return nil end
    local acc = copy_initial(initial)
    for v in next_value do
      acc = f(acc, v)
      if flush_early(acc) then return acc end
    end
    done = true
    return acc
  end
end

local Stream = {}
Stream.__index = Stream

local function add(self, scope, name, ...)
  insert(self.ops, {scope = scope, name = name, args = {n = select('#', ...), ...}})
  return self
end

function Stream:map(...) return add(self, EITHER, 'map', ...) end
function Stream:filter(...) return add(self, EITHER, 'filter', ...) end
function Stream:aggregate(...) return add(self, SERVER, 'aggregate', ...) end
function Stream:reduce(...) return add(self, BOTH, 'reduce', ...) end

function Stream:groupby(key_of)
  local function collect(groups, v)
    local k = key_of and key_of(v) or nil
    local l = groups[k] or list()
    list.append(l, v)
    groups[k] = l
    return groups
  end
  local function join(a, b)
    local l = list.clone(a)
    for v in list.iterator(b) do list.append(l, v) end
    return l
  end
  local function merge(m1, m2)
    return map.merge(m1, m2, join)
  end
  return self:aggregate(map(), collect):reduce(merge)
end

-- The server's `stream` module: streams are internal here, so it is empty.
stream = {}

function P.new_stream()
  return setmetatable({ops = {}}, Stream)
end

-- The stages the server runs: up to and including the first reduce.
function P.server_stages(ops)
  local out = {}
  for _, op in ipairs(ops) do
    insert(out, op)
    if op.scope == BOTH then break end
  end
  return out
end

-- Run the server's stages over `next_record` (a function returning the next
-- record or nil); returns the output values as an array (n = count).
-- A value with no Aerospike type (a table, a record) ends the output.
function P.run_stream(ops, next_record)
  local source = function() return next_record() end
  local it = source
  for _, op in ipairs(P.server_stages(ops)) do
    it = stages[op.name](it, unpack(op.args, 1, op.args.n)) or it
  end
  local out, n = {}, 0
  for v in it do
    if not P.storable(v) or is(v, P.Record) then break end
    n = n + 1
    out[n] = P.encode(v)
  end
  out.n = n
  return out
end

return Stream
