/*
 * Client metrics: enable / disable the C client's periodic metrics (its own file writer,
 * or listeners that hand each event to Python) and the cluster statistics of get_stats.
 *
 * Listener events come on the C client's tend thread (or the thread that enables,
 * disables or closes). Each is written into a buffer local to the call (layouts below)
 * and handed to the Python+C callback _aerospike_cffi_metrics, which cffi runs holding
 * the GIL; the Python side never raises through it. `udata` is a handle, not a pointer:
 * Python maps it to the listeners it keeps alive, so nothing here owns Python memory.
 *
 * Layout (shim_buf, NUL-ended fields; numbers as decimal text):
 *   cluster: has_name, name, has_app_id, app_id, invalid_node_count, command_count,
 *            retry_count, n_nodes, node*
 *   node:    name, address, port, conns (in_use, in_pool, opened, closed, recovered,
 *            aborted), error_count, timeout_count, key_busy_count, n_ns, ns_metrics*
 *   ns_metrics: ns, bytes_in, bytes_out, error_count, timeout_count, key_busy_count,
 *            then for conn, write, read, batch, query latency: n_buckets, bucket*
 *   stats:   retry_count, thread_pool_queued_tasks, recover_queue_size, n_nodes, node*
 *            (node without its ns_metrics part: n_ns is 0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_stats.h>
#include <aerospike/as_address.h>
#include <aerospike/as_cluster.h>
#include <aerospike/as_latency.h>
#include <aerospike/as_metrics.h>
#include <aerospike/as_node.h>

#include "shim.h"
#include "shim_internal.h"

/* Defined by cffi in the generated module (build_ffi.py). */
int _aerospike_cffi_metrics(int event, uint64_t handle, const uint8_t* data, size_t len,
                            char* message, size_t message_size);

AS_EXTERN extern char* aerospike_client_language;
AS_EXTERN extern char* aerospike_client_version;

static int
conns_out(shim_buf* out, const as_conn_stats* c)
{
    return buf_put_number(out, c->in_use) | buf_put_number(out, c->in_pool) | buf_put_number(out, c->opened) |
           buf_put_number(out, c->closed) | buf_put_number(out, c->recovered) | buf_put_number(out, c->aborted);
}

static int
node_head_out(shim_buf* out, as_node* node, const as_node_stats* stats)
{
    char address[AS_IP_ADDRESS_SIZE];
    as_address* a = as_node_get_address(node);
    struct sockaddr* addr = (struct sockaddr*)&a->addr;
    as_address_short_name(addr, address, sizeof(address));
    return buf_put_field(out, node->name) | buf_put_field(out, address) | buf_put_number(out, as_address_port(addr)) |
           conns_out(out, &stats->sync) | buf_put_number(out, stats->error_count) |
           buf_put_number(out, stats->timeout_count) | buf_put_number(out, stats->key_busy_count);
}

static int
node_out(shim_buf* out, as_node* node)
{
    as_node_stats stats;
    aerospike_node_stats(node, &stats);  /* reserves the node: released below */
    int rc = node_head_out(out, node, &stats);
    aerospike_node_stats_destroy(&stats);
    uint8_t n = node->metrics ? node->metrics_size : 0;
    rc |= buf_put_number(out, n);
    for (uint8_t i = 0; i < n; i++) {
        as_ns_metrics* m = node->metrics[i];
        rc |= buf_put_field(out, m->ns) | buf_put_number(out, m->bytes_in) | buf_put_number(out, m->bytes_out) |
              buf_put_number(out, m->error_count) | buf_put_number(out, m->timeout_count) |
              buf_put_number(out, m->key_busy_count);
        for (int t = 0; t < AS_LATENCY_TYPE_MAX; t++) {
            as_latency* lat = as_latency_reserve(m->latency[t]);
            rc |= buf_put_number(out, lat->size);
            for (uint32_t b = 0; b < lat->size; b++) {
                rc |= buf_put_number(out, as_latency_get_bucket(lat, b));
            }
            as_latency_release(lat);
        }
    }
    return rc;
}

static int
cluster_out(shim_buf* out, as_cluster* cluster)
{
    int rc = buf_put_number(out, cluster->cluster_name != NULL) | buf_put_field(out, cluster->cluster_name) |
             buf_put_number(out, cluster->app_id != NULL) | buf_put_field(out, cluster->app_id) |
             buf_put_number(out, cluster->invalid_node_count) | buf_put_number(out, cluster->command_count) |
             buf_put_number(out, cluster->retry_count);
    as_nodes* nodes = as_nodes_reserve(cluster);
    rc |= buf_put_number(out, nodes->size);
    for (uint32_t i = 0; i < nodes->size; i++) {
        rc |= node_out(out, nodes->array[i]);
    }
    as_nodes_release(nodes);
    return rc;
}

/* Hand one event to Python; a failing (raising) listener becomes the C client's error. */
static as_status
deliver(as_error* err, int event, void* udata, shim_buf* buf, int rc)
{
    if (rc) {
        shim_buf_free(buf);
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    char message[512];
    message[0] = 0;
    int failed = _aerospike_cffi_metrics(event, (uint64_t)(uintptr_t)udata, buf->data, buf->len,
                                         message, sizeof(message));
    shim_buf_free(buf);
    if (failed) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "%s", message);
    }
    return AEROSPIKE_OK;
}

static as_status
on_enable(as_error* err, void* udata)
{
    shim_buf buf = {0};
    return deliver(err, SHIM_METRICS_ENABLE, udata, &buf, 0);
}

static as_status
on_snapshot(as_error* err, struct as_cluster_s* cluster, void* udata)
{
    shim_buf buf = {0};
    int rc = cluster_out(&buf, cluster);
    return deliver(err, SHIM_METRICS_SNAPSHOT, udata, &buf, rc);
}

static as_status
on_node_close(as_error* err, struct as_node_s* node, void* udata)
{
    shim_buf buf = {0};
    int rc = node_out(&buf, node);
    return deliver(err, SHIM_METRICS_NODE_CLOSE, udata, &buf, rc);
}

static as_status
on_disable(as_error* err, struct as_cluster_s* cluster, void* udata)
{
    shim_buf buf = {0};
    int rc = cluster_out(&buf, cluster);
    return deliver(err, SHIM_METRICS_DISABLE, udata, &buf, rc);
}

int
shim_metrics_enable(aerospike* as, as_error* err, const char* report_dir,
                    uint64_t report_size_limit, uint32_t interval, uint8_t latency_columns,
                    uint8_t latency_shift, const char* labels, uint32_t n_labels,
                    int with_listeners, uint64_t handle)
{
    as_error_reset(err);
    as_metrics_policy policy;
    as_metrics_policy_init(&policy);
    if (report_dir) {
        if (strlen(report_dir) >= sizeof(policy.report_dir)) {
            as_metrics_policy_destroy(&policy);
            return as_error_update(err, AEROSPIKE_ERR_PARAM,
                                   "MetricsPolicy.report_dir must be less than 256 chars");
        }
        strcpy(policy.report_dir, report_dir);
    }
    policy.report_size_limit = report_size_limit;
    policy.interval = interval;
    policy.latency_columns = latency_columns;
    policy.latency_shift = latency_shift;
    for (uint32_t i = 0; i < n_labels; i++) {
        const char* name = labels;
        const char* value = name + strlen(name) + 1;
        labels = value + strlen(value) + 1;
        as_metrics_policy_add_label(&policy, name, value);
    }
    if (with_listeners) {
        as_metrics_policy_set_listeners(&policy, on_enable, on_disable, on_node_close,
                                        on_snapshot, (void*)(uintptr_t)handle);
    }
    aerospike_enable_metrics(as, err, &policy);
    as_metrics_policy_destroy(&policy);
    return err->code;
}

int
shim_metrics_disable(aerospike* as, as_error* err)
{
    as_error_reset(err);
    return aerospike_disable_metrics(as, err);
}

int
shim_stats(aerospike* as, shim_buf* out)
{
    out->len = 0;
    as_cluster_stats stats;
    aerospike_stats(as, &stats);
    int rc = buf_put_number(out, stats.retry_count) | buf_put_number(out, stats.thread_pool_queued_tasks) |
             buf_put_number(out, stats.recover_queue_size) | buf_put_number(out, stats.nodes_size);
    for (uint32_t i = 0; i < stats.nodes_size; i++) {
        rc |= node_head_out(out, stats.nodes[i].node, &stats.nodes[i]) | buf_put_number(out, 0);
    }
    aerospike_stats_destroy(&stats);
    return rc;
}

void
shim_client_identity(const char* language, const char* version)
{
    /* The C client names the client in its user agent and metrics files from these
     * globals; static copies, set once at import. */
    static char lang[16];
    static char ver[32];
    snprintf(lang, sizeof(lang), "%s", language);
    snprintf(ver, sizeof(ver), "%s", version);
    aerospike_client_language = lang;
    aerospike_client_version = ver;
}
