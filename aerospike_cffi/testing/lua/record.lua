-- The record a UDF works on (`rec[name]`, the `record` module), the
-- `aerospike` object (create / update / exists / remove / log) and the entry
-- points the engine calls: apply_record and apply_stream.
--
-- A record UDF sees a copy of the record: writes stay pending until the UDF
-- returns without an error, and only after aerospike:update() / create() /
-- remove(); the engine then stores what `outcome` reports.

local P = ...
local DATA, is, wrap, class, check = P.DATA, P.is, P.wrap, P.class, P.check
local List, Map, Bytes, GeoJSON = P.List, P.Map, P.Bytes, P.GeoJSON
local type, pcall, error, select, tostring, unpack = type, pcall, error, select, tostring, table.unpack
local mtype = math.type

local Record = class('Record')
P.Record = Record

local MAX_BIN_NAME = 15

-- A record from what the engine hands over: exists, the bins as a packed
-- list [name, value, name, value, ...] in bin order, and its metadata.
function P.new_record(exists, packed_bins, meta, readonly)
  local r = {exists = exists, opened = exists, names = {}, values = {}, dirty = {},
             order = {}, meta = meta, wrote = false, removed = false, created = false,
             ttl = nil, drop_key = false, readonly = readonly}
  if packed_bins and #packed_bins > 0 then
    local l = P.decode_value(packed_bins)
    local d = DATA[l]
    for i = 1, d.n, 2 do
      local name = d.items[i]
      r.order[#r.order + 1] = name
      r.names[name] = true
      r.values[name] = d.items[i + 1]
    end
  end
  return wrap(Record, r)
end

local function bin_name(name)
  local t = type(name)
  if t == 'number' then return tostring(name) end
  if t == 'string' then return P.cstr(name) end
  return nil
end

Record.__index = function(rec, name)
  local r = DATA[rec]
  name = bin_name(name)
  if name == nil or #name > MAX_BIN_NAME then return nil end
  return r.values[name]
end

-- Values with no Aerospike type fail the call when the write is applied.
Record.__newindex = function(rec, name, v)
  local r = DATA[rec]
  if r.readonly then return end  -- a record of a stream
  name = bin_name(name)
  if name == nil or #name > MAX_BIN_NAME then return end
  local t = type(v)
  if t == 'table' or t == 'function' or t == 'thread' then
    error(("can't set bin %s to unsupported type"):format(name), 2)
  end
  if is(v, Record) then
    r.bad_bin = true
    return
  end
  if t == 'string' then v = P.cstr(v) end
  if not r.names[name] and v ~= nil then
    r.order[#r.order + 1] = name
  end
  r.names[name] = v ~= nil or nil
  r.values[name] = v
  r.dirty[name] = true
end

---------------------------------------------------------------- record module

local record = {}

local function rec_data(rec, fname)
  -- Not a tail call: check's error level counts this frame.
  local r = check(rec, Record, 1, fname, 2)
  return r
end

local function live(r) return r.opened or r.created end

function record.ttl(rec)
  local r = rec_data(rec, 'ttl')
  return live(r) and r.meta.ttl or 0
end
function record.gen(rec)
  local r = rec_data(rec, 'gen')
  return live(r) and r.meta.gen or 0
end
function record.last_update_time(rec)
  local r = rec_data(rec, 'last_update_time')
  return live(r) and r.meta.lut or 0
end
function record.setname(rec)
  local r = rec_data(rec, 'setname')
  if not live(r) then return nil end
  return r.meta.setname
end
function record.key(rec)
  local r = rec_data(rec, 'key')
  if not live(r) or r.drop_key then return nil end
  if r.meta.key_bytes then return P.new_bytes(r.meta.key_bytes, 4) end
  return r.meta.key
end
function record.digest(rec)
  local r = rec_data(rec, 'digest')
  return P.new_bytes(r.meta.digest, 4)
end
function record.numbins(rec)
  local r = rec_data(rec, 'numbins')
  if not live(r) then return 0 end
  local n = 0
  for _ in pairs(r.names) do n = n + 1 end
  return n
end
-- A Lua table (not a List) of the bin names, in bin order.
function record.bin_names(rec)
  local r = rec_data(rec, 'bin_names')
  if not live(r) then error("can't get bin names", 2) end
  local items, n, seen = {}, 0, {}
  for _, name in ipairs(r.order) do
    if r.names[name] and not seen[name] then
      seen[name] = true
      n = n + 1
      items[n] = name
    end
  end
  return items
end
function record.size(rec)
  local r = rec_data(rec, 'size')
  return live(r) and r.meta.size or 0
end
record.memory_size = record.size
function record.device_size(rec)
  rec_data(rec, 'device_size')
  return 0
end
function record.set_ttl(rec, ttl)
  local r = rec_data(rec, 'set_ttl')
  ttl = P.optint(ttl, 2, 'set_ttl', 0)
  r.ttl = ttl
end
function record.drop_key(rec)
  local r = rec_data(rec, 'drop_key')
  r.drop_key = true
end

---------------------------------------------------------------- aerospike

local Aerospike = class('Aerospike')
local aerospike_methods = {}
Aerospike.__index = aerospike_methods

local function as_rec(rec, fname)
  if not is(rec, Record) then
    local m = type(rec) == 'userdata' and getmetatable(rec)
    local got = (type(m) == 'table' and m.__name) or (rec == nil and 'nil' or type(rec))
    P.raise(("bad argument #1 to '%s' (Record expected, got %s)"):format(fname, got), 3, fname)
  end
  return DATA[rec]
end

-- Returns 0, or -2 when the record does not exist (nothing is written).
function aerospike_methods.update(self, rec)
  local r = as_rec(rec, 'update')
  if not live(r) then return -2 end
  r.wrote = true
  return 0
end

-- Returns 0, or 1 when the record exists already (nothing is written).
function aerospike_methods.create(self, rec)
  local r = as_rec(rec, 'create')
  if live(r) then return 1 end
  r.created = true
  r.wrote = true
  return 0
end

function aerospike_methods.exists(self, rec)
  local r = as_rec(rec, 'exists')
  return live(r) and not r.removed
end

-- Returns 0, or 1 when there is no record.
function aerospike_methods.remove(self, rec)
  local r = as_rec(rec, 'remove')
  if not live(r) then return 1 end
  r.removed = true
  r.wrote = false
  for name in pairs(r.names) do
    r.values[name] = nil
    r.dirty[name] = true
  end
  r.names = {}
  return 0
end

function aerospike_methods.log(self, level, msg)
  return nil
end

function aerospike_methods.get_current_time(self)
  return P.now_ms()
end

function aerospike_methods.set_context(self)
  return nil
end

-- What the engine stores after a successful record UDF:
-- action ('none' / 'write' / 'delete'), the final bins (packed list
-- [name, value, ...] in bin order), record.set_ttl's ttl or nil, drop_key,
-- and whether a bin was set to the record itself.
function P.outcome(rec)
  local r = DATA[rec]
  if r.bad_bin and (r.wrote or r.created) then return 'bad_bin' end
  if not r.wrote then
    if r.removed then return 'delete' end
    return 'none'
  end
  -- Only the bins the UDF assigned: a value read from a bin and changed in
  -- place is not written back.
  local items, n, seen = {}, 0, {}
  for _, name in ipairs(r.order) do
    if r.dirty[name] and r.values[name] ~= nil and not seen[name] then
      seen[name] = true
      items[n + 1] = name
      items[n + 2] = r.values[name]
      n = n + 2
    end
  end
  for name in pairs(r.dirty) do
    if r.values[name] == nil then
      items[n + 1] = name
      items[n + 2] = nil
      n = n + 2
    end
  end
  return 'write', P.encode(P.new_list(items, n)), r.ttl, r.drop_key, r.removed
end

return {record = record, aerospike = wrap(Aerospike, {})}
