-- The globals a UDF sees, and the guard against runaway UDFs.
--
-- The global names of the server's Lua are all there (os, io, require, load,
-- debug as a logging function, ...) but nothing reaches the dev server's
-- process: `os` keeps only its clock and date functions, `io` functions
-- fail, `require` loads registered UDF modules only, `load` takes text
-- chunks only, and the debug library is gone.  A count hook stops a UDF that
-- runs more than `budget` Lua instructions with "UDF Execution Timeout";
-- pcall, xpcall and coroutines cannot swallow that error.
--
-- Loaded with the private API and the function that returns a registered
-- module's source (or nil).

local P, module_source = ...
local sethook, gethook = debug.sethook, debug.gethook
local raw_pcall, raw_xpcall, error, select, type, unpack = pcall, xpcall, error, select, type, table.unpack
local raw_load = load
local co_create, co_wrap, co_resume = coroutine.create, coroutine.wrap, coroutine.resume

local TIMEOUT = 'UDF Execution Timeout'
local STEP = 10000
local budget, used, timed_out = 0, 0, false

-- Recursion deeper than this ends with Lua's "stack overflow" early: Lua
-- itself gets there only after growing its stack for about a second.
local MAX_DEPTH = 20000
local getinfo = debug.getinfo

local function hook()
  used = used + STEP
  if used > budget then
    timed_out = true
    error(TIMEOUT, 0)
  end
  if getinfo(MAX_DEPTH, 'l') then
    error('stack overflow', 2)
  end
end

local function arm(thread)
  if thread then sethook(thread, hook, '', STEP) else sethook(hook, '', STEP) end
end

function P.start_clock(instructions)
  budget, used, timed_out = instructions, 0, false
  arm()
end

function P.stop_clock()
  sethook()
end

function P.timed_out() return timed_out end

local function rethrow_timeout(...)
  if timed_out then error(TIMEOUT, 0) end
  return ...
end

pcall = function(...) return rethrow_timeout(raw_pcall(...)) end
xpcall = function(...) return rethrow_timeout(raw_xpcall(...)) end

coroutine.create = function(f)
  local co = co_create(f)
  arm(co)
  return co
end
coroutine.resume = function(...) return rethrow_timeout(co_resume(...)) end
coroutine.wrap = function(f)
  local co = coroutine.create(f)
  return function(...)
    local res = {co_resume(co, ...)}
    if timed_out then error(TIMEOUT, 0) end
    if not res[1] then error(res[2], 0) end
    return unpack(res, 2)
  end
end

-- os: time functions only.
local real_os = os
os = {time = real_os.time, clock = real_os.clock, date = real_os.date,
      difftime = real_os.difftime,
      getenv = function() return nil end}
for _, name in ipairs({'execute', 'exit', 'remove', 'rename', 'tmpname', 'setlocale'}) do
  os[name] = function() error("os." .. name .. " is not available in the dev server", 2) end
end

-- io: present (as on the server), but it reaches no file.
io = {}
for _, name in ipairs({'close', 'flush', 'input', 'lines', 'open', 'output', 'popen',
                       'read', 'tmpfile', 'type', 'write'}) do
  io[name] = function() error("io." .. name .. " is not available in the dev server", 2) end
end

load = function(chunk, name, mode, env)
  if env == nil then env = _G end
  return raw_load(chunk, name, 't', env)
end
loadfile = nil
dofile = nil
string.dump = nil
python = nil

-- require: registered UDF modules only (as the server's package.path does).
local loaded = {}
package = {loaded = loaded, path = '', cpath = ''}
require = function(name)
  if type(name) ~= 'string' then
    error(("bad argument #1 to 'require' (string expected, got %s)"):format(type(name)), 2)
  end
  if loaded[name] ~= nil then return loaded[name] end
  local src = module_source(name)
  if src == nil then
    error(("module '%s' not found"):format(name), 2)
  end
  local f, err = raw_load(src, '@' .. P.udf_path .. '/' .. name .. '.lua', 't', _G)
  if not f then error(err, 2) end
  local v = f(name)
  if v == nil then v = true end
  loaded[name] = v
  return v
end

-- The logging functions of the server's aerospike.lua (they log nothing here).
local function logger(level)
  return function(fmt, ...)
    return aerospike:log(level, string.format(fmt, ...))
  end
end
trace, debug, info, warn = logger(4), logger(3), logger(2), logger(1)

