-- UDFs of the benchmark's apply and aggregate workloads (benchmarks/workload.py).

function bump(rec, n)
  rec['i'] = (rec['i'] or 0) + n
  aerospike:update(rec)
  return rec['i']
end

local function int_of(rec)
  return rec['i']
end

local function add(a, b)
  return a + b
end

function sum_i(stream)
  return stream : map(int_of) : reduce(add)
end
