-- Used by examples/udf.py: add a number to an integer bin and return the new value.
function add(rec, bin, amount)
    rec[bin] = (rec[bin] or 0) + amount
    aerospike:update(rec)
    return rec[bin]
end
