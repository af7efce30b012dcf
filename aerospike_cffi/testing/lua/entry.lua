-- The entry points the engine calls in a Lua state (after the user module
-- is loaded): one record UDF call, one stream UDF run over a partition.

local P = ...
local type, unpack, raw_pcall = type, table.unpack, pcall

-- The error text the server reports: strings as they are, anything else
-- (a table, a number, nil) is not a message.
local function failure(err)
  if type(err) == 'string' then return false, err end
  return false, nil
end

-- ok, packed result | error text (nil: not a string), then the outcome.
function P.apply_record(fname, args, exists, packed_bins, meta, budget)
  local f = _G[fname]
  if f == nil then return false, 'function not found' end
  local rec = P.new_record(exists, packed_bins, meta)
  local a = P.decode_args(args)
  P.current_fn = f  -- for the call site of a tail-called library function
  P.start_clock(budget)
  local ok, res = raw_pcall(f, rec, unpack(a, 1, a.n))
  P.stop_clock()
  if not ok then return failure(res) end
  return true, P.encode(res), P.outcome(rec)
end

-- Build the stream of `fname` and run the server's stages over the records
-- `next_record` hands out: ok, array of packed values | error text.
function P.apply_stream(fname, args, next_record, budget)
  local f = _G[fname]
  if f == nil then return false, 'function not found' end
  local a = P.decode_args(args)
  local stream = P.new_stream()
  P.current_fn = f
  P.start_clock(budget)
  local ok, built = raw_pcall(f, stream, unpack(a, 1, a.n))
  if not ok then
    P.stop_clock()
    return failure(built)
  end
  local function next_rec()
    local exists, bins, meta = next_record()
    if exists == nil then return nil end
    return P.new_record(exists, bins, meta, true)
  end
  local ok2, out = raw_pcall(P.run_stream, (type(built) == 'table' and built.ops) or stream.ops, next_rec)
  P.stop_clock()
  if not ok2 then return failure(out) end
  return true, out
end

return P
