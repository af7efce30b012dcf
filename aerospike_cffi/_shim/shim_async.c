/*
 * The async path (aerospike_cffi.aio): single-record commands and batches through the C
 * client's async API, whose event loop (libev) runs on a thread of the C client's own.
 *
 * Python never runs on that thread. A command's listener turns the answer into the same
 * output layout the sync commands write (shim.h), then appends the finished command to its
 * queue and, when the queue was not already signalled, writes the queue's eventfd. The
 * asyncio loop watches that fd (add_reader) and takes every finished command in one
 * shim_async_drain() call, so one wake-up and one FFI crossing serve many completions.
 *
 * Ownership: a submit that answers an error has freed its command (no listener will run);
 * otherwise the command belongs to the event loop until its listener queued it, then to
 * Python, which hands it back with shim_async_release() after reading it. A queue is freed
 * by Python once none of its commands is left in flight (shim_async_queue_free also frees
 * finished commands nobody drained).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_batch.h>
#include <aerospike/aerospike_key.h>
#include <aerospike/as_cluster.h>
#include <aerospike/as_event.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_record.h>

#include "shim.h"
#include "shim_internal.h"

#define KEY_ARGS ns, set, ktype, kdata, klen, kint

struct shim_async_queue {
    pthread_mutex_t lock;
    shim_async_cmd* head;
    shim_async_cmd* tail;
    int efd;
    int signalled;  /* the eventfd holds a wake-up Python has not drained yet */
    /* Pipelining (shim_async_queue_pipeline): see pipe_for(). */
    as_pipe_listener pipe;  /* non-NULL: single-record commands may go pipelined */
    uint32_t pipe_conns;    /* the cluster's pipe_max_conns_per_node */
    int warm;               /* every node's pipeline pool is made: all commands pipelined */
    uint32_t warming;       /* pipelined commands in flight before warm */
};

/* ------------------------------------------------------------------ event loops */

static pthread_mutex_t loops_lock = PTHREAD_MUTEX_INITIALIZER;
static int loops_created;

/* The C client's event loop globals (as_event.c). */
extern as_event_loop* as_event_loops;
extern as_event_loop* as_event_loop_current;
extern uint32_t as_event_loop_capacity;
extern uint32_t as_event_loop_size;
extern bool as_event_threads_created;

/* A forked child has none of its parent's threads: a cluster made or closed there with
 * the parent's event loops would wait forever for a loop thread that is not there. The
 * child forgets them (their memory stays: no thread of the child uses it), so its first
 * connection makes its own loop. A client inherited from the parent is not for use in the
 * child (as with the official client). */
static void
forget_loops_in_child(void)
{
    as_event_loops = NULL;
    as_event_loop_current = NULL;
    as_event_loop_capacity = 0;
    as_event_loop_size = 0;
    as_event_threads_created = false;
    loops_created = 0;
    pthread_mutex_init(&loops_lock, NULL);
}

int
shim_async_init(as_error* err, uint32_t n_loops)
{
    /* Once per process, before the first async connection (the C client sizes each
     * cluster's async connection pools by the event loop count). The loops live until the
     * process ends: clusters of later clients use them too. */
    as_error_reset(err);
    pthread_mutex_lock(&loops_lock);
    if (!loops_created) {
        static int atfork_set;
        if (!atfork_set) {
            pthread_atfork(NULL, NULL, forget_loops_in_child);
            atfork_set = 1;
        }
        if (as_create_event_loops(err, NULL, n_loops ? n_loops : 1, NULL) == AEROSPIKE_OK) {
            loops_created = 1;
        }
    }
    pthread_mutex_unlock(&loops_lock);
    return err->code;
}

/* ------------------------------------------------------------------ completion queues */

shim_async_queue*
shim_async_queue_new(void)
{
    shim_async_queue* q = calloc(1, sizeof(*q));
    if (!q) {
        return NULL;
    }
    q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->efd < 0) {
        free(q);
        return NULL;
    }
    pthread_mutex_init(&q->lock, NULL);
    return q;
}

/* Pipelining (the C client's as_pipe.c): with a pipe listener, a single-record command
 * takes a connection of its node's pipeline pool (pipe_max_conns_per_node per node) and is
 * written there while earlier commands on it still wait for their answers: a few
 * connections carry every command in flight, so the event-loop thread re-arms no socket per
 * command and the kernel coalesces commands into fewer TCP segments (benchmarks/README).
 * The listener only says "written, the connection may take the next one": nothing to do. */
static void
on_pipe_written(void* udata, as_event_loop* loop)
{
    (void)udata;
    (void)loop;
}

void
shim_async_queue_pipeline(shim_async_queue* q, uint32_t conns_per_node)
{
    q->pipe = conns_per_node ? on_pipe_written : NULL;
    q->pipe_conns = conns_per_node;
    q->warm = 0;
    q->warming = 0;
}

int
shim_async_queue_pipelined(shim_async_queue* q)
{
    return q->pipe && __atomic_load_n(&q->warm, __ATOMIC_ACQUIRE);
}

/* The pipe listener for `cmd` (on the Python thread, at submit), or NULL to send it through
 * the ordinary async pool.
 *
 * A pipeline pool refuses a command (AEROSPIKE_ERR_NO_MORE_CONNECTIONS, writes are not
 * retried) when it holds its limit of connections and every one of them is still being
 * connected (as_pipe_get_connection): with a few hundred commands sent at once to a cold
 * pool, most would fail. Until every node's pipeline pool is made ("warm"), at most
 * pipe_conns commands go pipelined at once (each one opens a connection of its own while
 * its pool is below its limit: the pool prefers new connections) and the others take the
 * ordinary pool, which the in-flight limit of aerospike_cffi.aio (async_max_conns_per_node)
 * never overfills. */
static as_pipe_listener
pipe_for(shim_async_cmd* cmd, aerospike* as)
{
    shim_async_queue* q = cmd->queue;
    if (!q->pipe) {
        return NULL;
    }
    if (__atomic_load_n(&q->warm, __ATOMIC_ACQUIRE)) {
        return q->pipe;
    }
    if (__atomic_add_fetch(&q->warming, 1, __ATOMIC_ACQ_REL) <= q->pipe_conns) {
        cmd->warming = 1;
        cmd->cluster = as->cluster;
        return q->pipe;
    }
    __atomic_sub_fetch(&q->warming, 1, __ATOMIC_ACQ_REL);
    return NULL;
}

/* On the event loop thread (the only one that touches the pools): every node's pipeline
 * pool holds its limit of connections and at least one is idle. */
static int
pipe_pools_made(as_cluster* cluster, as_event_loop* loop)
{
    as_nodes* nodes = as_nodes_reserve(cluster);
    int made = nodes->size > 0;
    for (uint32_t i = 0; made && i < nodes->size; i++) {
        as_async_conn_pool* pool = &nodes->array[i]->pipe_conn_pools[loop->index];
        made = pool->queue.total >= pool->limit && as_queue_size(&pool->queue) > 0;
    }
    as_nodes_release(nodes);
    return made;
}

/* On the event loop thread, as a warming command comes back. */
static void
pipe_warmed(shim_async_cmd* cmd, as_error* err, as_event_loop* loop)
{
    shim_async_queue* q = cmd->queue;
    if ((!err || err->code == AEROSPIKE_OK) && !__atomic_load_n(&q->warm, __ATOMIC_ACQUIRE) &&
        pipe_pools_made(cmd->cluster, loop)) {
        __atomic_store_n(&q->warm, 1, __ATOMIC_RELEASE);
    }
    __atomic_sub_fetch(&q->warming, 1, __ATOMIC_ACQ_REL);
}

int
shim_async_queue_fd(shim_async_queue* q)
{
    return q->efd;
}

static void
cmd_free(shim_async_cmd* cmd)
{
    free(cmd->out.data);
    free(cmd);
}

void
shim_async_queue_free(shim_async_queue* q)
{
    if (!q) {
        return;
    }
    shim_async_cmd* cmd = q->head;
    while (cmd) {
        shim_async_cmd* next = cmd->next;
        cmd_free(cmd);
        cmd = next;
    }
    close(q->efd);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

uint32_t
shim_async_drain(shim_async_queue* q, shim_async_cmd** out, uint32_t max)
{
    uint32_t n = 0;
    pthread_mutex_lock(&q->lock);
    while (q->head && n < max) {
        out[n++] = q->head;
        q->head = q->head->next;
    }
    if (!q->head) {
        q->tail = NULL;
        if (q->signalled) {
            /* Taken everything: clear the fd so the asyncio loop sleeps until the next one.
             * With commands left over (max reached), it stays readable and we come back. */
            uint64_t v;
            ssize_t r = read(q->efd, &v, sizeof(v));
            (void)r;
            q->signalled = 0;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

void
shim_async_release(shim_async_cmd** cmds, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        cmd_free(cmds[i]);
        cmds[i] = NULL;
    }
}

/* On the event loop thread: the command is finished; hand it to its queue. The eventfd is
 * written under the lock: once the command is in the queue, Python may drain it, see no
 * command left in flight and free the queue. */
static void
complete(shim_async_cmd* cmd, as_error* err, as_event_loop* loop)
{
    if (cmd->warming) {
        pipe_warmed(cmd, err, loop);
    }
    if (err && err->code != AEROSPIKE_OK) {
        as_error_copy(&cmd->err, err);
    }
    cmd->rc = cmd->err.code;
    cmd->next = NULL;
    shim_async_queue* q = cmd->queue;
    pthread_mutex_lock(&q->lock);
    if (q->tail) {
        q->tail->next = cmd;
    }
    else {
        q->head = cmd;
    }
    q->tail = cmd;
    if (!q->signalled) {
        q->signalled = 1;
        uint64_t one = 1;
        ssize_t r = write(q->efd, &one, sizeof(one));
        (void)r;
    }
    pthread_mutex_unlock(&q->lock);
}

static void
on_record(as_error* err, as_record* rec, void* udata, as_event_loop* loop)
{
    shim_async_cmd* cmd = udata;
    if (!err && rec) {
        /* The C client destroys rec when this returns: copy it out now. */
        command_record_out(&cmd->err, rec, &cmd->out, cmd->want_marshal);
    }
    complete(cmd, err, loop);
}

static void
on_write(as_error* err, void* udata, as_event_loop* loop)
{
    complete((shim_async_cmd*)udata, err, loop);
}

/* A new command of `q`; NULL with err set when out of memory. */
static shim_async_cmd*
cmd_new(shim_async_queue* q, uint64_t id, as_error* err, int want_marshal)
{
    as_error_reset(err);
    /* malloc, not calloc: the as_error's 1 KB message needs no zeroing, only a first NUL
     * (as_error_init); every other field is set here. */
    shim_async_cmd* cmd = malloc(sizeof(*cmd));
    if (!cmd) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        return NULL;
    }
    as_error_init(&cmd->err);
    memset(&cmd->out, 0, sizeof(cmd->out));
    cmd->id = id;
    cmd->rc = 0;
    cmd->want_marshal = 0;
    cmd->queue = q;
    cmd->next = NULL;
    cmd->warming = 0;
    cmd->cluster = NULL;
    cmd->out.want_marshal = want_marshal;
    return cmd;
}

/* A new command of `q` with its key's digest written at the start of its output, as the
 * sync commands do (command_begin). NULL with err set on failure. */
static shim_async_cmd*
cmd_begin(shim_async_queue* q, uint64_t id, as_error* err, as_key* key, KEY_PARAMS,
          int want_marshal)
{
    shim_async_cmd* cmd = cmd_new(q, id, err, want_marshal);
    if (cmd && command_begin(err, key, KEY_ARGS, &cmd->out, &cmd->want_marshal) !=
                   AEROSPIKE_OK) {
        cmd_free(cmd);
        return NULL;
    }
    return cmd;
}

/* After a submit: on an error no listener runs, so the command is ours to free. */
static int
cmd_submitted(shim_async_cmd* cmd, as_error* err)
{
    if (err->code != AEROSPIKE_OK) {
        if (cmd->warming) {
            __atomic_sub_fetch(&cmd->queue->warming, 1, __ATOMIC_ACQ_REL);
        }
        cmd_free(cmd);
    }
    return err->code;
}

/* ------------------------------------------------------------------ commands */

int
shim_async_get(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
               const as_policy_read* policy, KEY_PARAMS, const char* bin_names,
               uint32_t n_bins, int want_marshal)
{
    as_key key;
    shim_async_cmd* cmd = cmd_begin(q, id, err, &key, KEY_ARGS, want_marshal);
    if (!cmd) {
        return err->code;
    }
    if (bin_names) {
        const char** names = alloca(sizeof(char*) * (n_bins + 1));
        const char* p = bin_names;
        for (uint32_t i = 0; i < n_bins; i++) {
            names[i] = p;
            p += strlen(p) + 1;
        }
        names[n_bins] = NULL;
        aerospike_key_select_async(as, err, policy, &key, names, on_record, cmd, NULL,
                                   pipe_for(cmd, as));
    }
    else {
        aerospike_key_get_async(as, err, policy, &key, on_record, cmd, NULL,
                                pipe_for(cmd, as));
    }
    return cmd_submitted(cmd, err);
}

int
shim_async_exists(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                  const as_policy_read* policy, KEY_PARAMS)
{
    as_key key;
    shim_async_cmd* cmd = cmd_begin(q, id, err, &key, KEY_ARGS, 0);
    if (!cmd) {
        return err->code;
    }
    aerospike_key_exists_async(as, err, policy, &key, on_record, cmd, NULL, pipe_for(cmd, as));
    return cmd_submitted(cmd, err);
}

static void
put_async(as_error* err, as_record* rec, const put_send* send)
{
    aerospike_key_put_async(send->as, err, send->policy, send->key, rec, on_write, send->udata,
                            NULL, pipe_for((shim_async_cmd*)send->udata, send->as));
}

int
shim_async_put(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
               const as_policy_write* policy, KEY_PARAMS, const char* bins, uint32_t bins_size,
               uint32_t n_bins, uint32_t ttl, uint16_t gen)
{
    as_key key;
    shim_async_cmd* cmd = cmd_begin(q, id, err, &key, KEY_ARGS, 0);
    if (!cmd) {
        return err->code;
    }
    put_send sender = {as, policy, &key, put_async, cmd};
    put_record(err, bins, bins_size, n_bins, ttl, gen, &sender);
    return cmd_submitted(cmd, err);
}

int
shim_async_put_pickled(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                       const as_policy_write* policy, KEY_PARAMS, const char* pickled,
                       uint32_t size, int bool_as_bool, uint32_t ttl, uint16_t gen)
{
    shim_buf bins = {0};
    uint32_t n_bins;
    int rc = SHIM_NOT_PLAIN;
    if (pickled_bins(pickled, size, bool_as_bool, &bins, &n_bins)) {
        rc = shim_async_put(q, id, as, err, policy, KEY_ARGS, (const char*)bins.data,
                            (uint32_t)bins.len, n_bins, ttl, gen);
    }
    shim_buf_free(&bins);
    return rc;
}

int
shim_async_remove(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                  const as_policy_remove* policy, KEY_PARAMS)
{
    as_key key;
    shim_async_cmd* cmd = cmd_begin(q, id, err, &key, KEY_ARGS, 0);
    if (!cmd) {
        return err->code;
    }
    aerospike_key_remove_async(as, err, policy, &key, on_write, cmd, NULL, pipe_for(cmd, as));
    return cmd_submitted(cmd, err);
}

int
shim_async_operate(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                   const as_policy_operate* policy, KEY_PARAMS, const char* packed_ops,
                   uint32_t ops_size, uint32_t n_ops, uint32_t ttl, uint16_t gen,
                   int want_marshal)
{
    as_key key;
    shim_async_cmd* cmd = cmd_begin(q, id, err, &key, KEY_ARGS, want_marshal);
    if (!cmd) {
        return err->code;
    }
    as_operations ops;
    as_operations_inita(&ops, (uint16_t)n_ops);
    ops.ttl = ttl;
    ops.gen = gen;
    if (operations_from_packed(err, &ops, packed_ops, ops_size, n_ops) == AEROSPIKE_OK) {
        aerospike_key_operate_async(as, err, policy, &key, &ops, on_record, cmd, NULL,
                                    pipe_for(cmd, as));
    }
    as_operations_destroy(&ops);
    return cmd_submitted(cmd, err);
}

/* ------------------------------------------------------------------ batches */

/* On the event loop thread: the batch is back (or failed as a whole: the per-record
 * results it has are kept, as the sync batch keeps them). */
static void
on_batch(as_error* err, as_batch_records* records, void* udata, as_event_loop* loop)
{
    (void)records;  /* the job's own */
    batch_job* job = udata;
    shim_async_cmd* cmd = batch_job_cmd(job);
    batch_job_out(job, &cmd->out);
    batch_job_free(job);
    complete(cmd, err, loop);
}

int
shim_async_batch(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                 const as_policy_batch* policy, int has_write, const char* packed,
                 uint32_t size, uint32_t n_records, void* const* policies, uint32_t n_policies,
                 int want_marshal)
{
    shim_async_cmd* cmd = cmd_new(q, id, err, want_marshal);
    if (!cmd) {
        return err->code;
    }
    batch_job* job = batch_job_new(err, packed, size, n_records, policies, n_policies, cmd);
    if (!job) {
        cmd_free(cmd);
        return err->code;
    }
    /* The records (and the packed bytes and policies they point into, which Python keeps
     * until the command is back) live until on_batch: retries write them again. */
    if (has_write) {
        aerospike_batch_write_async(as, err, policy, batch_job_records(job), on_batch, job,
                                    NULL);
    }
    else {
        aerospike_batch_read_async(as, err, policy, batch_job_records(job), on_batch, job,
                                   NULL);
    }
    if (err->code != AEROSPIKE_OK) {
        batch_job_free(job);  /* refused before it left: no listener runs */
    }
    return cmd_submitted(cmd, err);
}
