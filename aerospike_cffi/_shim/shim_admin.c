/*
 * Cluster administration: secondary indexes and truncate.
 * Every value created here (ctx, expression) is freed before the call returns.
 */
#include <stdlib.h>
#include <string.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_index.h>
#include <aerospike/as_cdt_ctx.h>
#include <aerospike/as_exp.h>
#include <aerospike/as_record.h>
#include <aerospike/as_operations.h>

#include "shim.h"
#include "shim_internal.h"

int
shim_index_create(aerospike* as, as_error* err, const as_policy_info* policy, const char* ns,
                  const char* set, const char* bin, const char* name, int index_type,
                  int datatype, const char* ctx_base64, const uint8_t* exp_bytes,
                  uint32_t exp_size, uint32_t wait_interval_ms)
{
    as_error_reset(err);
    as_cdt_ctx ctx;
    bool has_ctx = false;
    if (ctx_base64) {
        if (!as_cdt_ctx_from_base64(&ctx, ctx_base64)) {
            return as_error_update(err, AEROSPIKE_ERR_PARAM, "Invalid ctx");
        }
        has_ctx = true;
    }
    as_index_task task;
    if (exp_bytes) {
        as_exp* exp = malloc(sizeof(as_exp) + exp_size);
        exp->packed_sz = exp_size;
        memcpy(exp->packed, exp_bytes, exp_size);
        aerospike_index_create_exp(as, err, &task, policy, ns, set, name,
                                   (as_index_type)index_type, (as_index_datatype)datatype, exp);
        free(exp);
    }
    else {
        aerospike_index_create_ctx(as, err, &task, policy, ns, set, bin, name,
                                   (as_index_type)index_type, (as_index_datatype)datatype,
                                   has_ctx ? &ctx : NULL);
    }
    if (has_ctx) {
        as_cdt_ctx_destroy(&ctx);
    }
    if (err->code == AEROSPIKE_OK && wait_interval_ms) {
        aerospike_index_create_wait(err, &task, wait_interval_ms);
    }
    return err->code;
}

int
shim_index_remove(aerospike* as, as_error* err, const as_policy_info* policy, const char* ns,
                  const char* name)
{
    as_error_reset(err);
    return aerospike_index_remove(as, err, policy, ns, name);
}

int
shim_truncate(aerospike* as, as_error* err, const as_policy_info* policy, const char* ns,
              const char* set, uint64_t before_nanos)
{
    as_error_reset(err);
    /* The C client takes a non-const policy but does not change it. */
    return aerospike_truncate(as, err, (as_policy_info*)policy, ns, set, before_nanos);
}
