/*
 * Multi-record transactions: an as_txn on the heap, owned by its Python Transaction
 * (freed once by shim_txn_free), and commit / abort over the C client's own protocol.
 * Commands join a transaction through the `txn` field of their policy's base.
 */
#include <stdlib.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_txn.h>
#include <aerospike/as_txn.h>

#include "shim.h"

struct as_txn*
shim_txn_new(uint32_t reads_capacity, uint32_t writes_capacity)
{
    /* as_txn_create_capacity aborts the process when malloc fails: ask calloc first
     * for the buckets it is about to allocate (it doubles and floors at 16), so that a
     * huge capacity is a clean failure instead. */
    uint64_t rows = (uint64_t)(reads_capacity < 16 ? 16 : reads_capacity) * 2 +
                    (uint64_t)(writes_capacity < 16 ? 16 : writes_capacity) * 2;
    void* probe = calloc(rows, sizeof(as_txn_hash_row));
    if (!probe) {
        return NULL;
    }
    free(probe);
    return as_txn_create_capacity(reads_capacity, writes_capacity);
}

void
shim_txn_free(struct as_txn* txn)
{
    as_txn_destroy(txn);
}

void
shim_txn_info(struct as_txn* txn, uint64_t* id, int* state, int* in_doubt, uint32_t* timeout)
{
    *id = txn->id;
    *state = (int)txn->state;
    *in_doubt = txn->in_doubt;
    *timeout = txn->timeout;
}

void
shim_txn_set_timeout(struct as_txn* txn, uint32_t timeout)
{
    as_txn_set_timeout(txn, timeout);
}

int
shim_txn_commit(aerospike* as, as_error* err, struct as_txn* txn, int* status)
{
    as_error_reset(err);
    as_commit_status st = AS_COMMIT_OK;
    aerospike_commit(as, err, txn, &st);
    *status = (int)st;
    return err->code;
}

int
shim_txn_abort(aerospike* as, as_error* err, struct as_txn* txn, int* status)
{
    as_error_reset(err);
    as_abort_status st = AS_ABORT_OK;
    aerospike_abort(as, err, txn, &st);
    *status = (int)st;
    return err->code;
}
