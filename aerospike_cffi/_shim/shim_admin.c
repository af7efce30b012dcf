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

/*
 * Security administration (users, roles, privileges). Lists come in packed: names one
 * after another, each ended by a NUL; privileges as `codes` beside "ns\0set\0" pairs.
 * Every array built here is freed before the call returns; query answers are copied
 * into `out` (layouts in shim.h) and the C client's users and roles destroyed.
 */
#include <aerospike/as_admin.h>

/* Pointers to the n strings of a packed list, or NULL (n == 0 or out of memory). */
static const char**
packed_strings(const char* packed, uint32_t n)
{
    if (n == 0) {
        return NULL;
    }
    const char** arr = malloc(sizeof(char*) * n);
    if (!arr) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        arr[i] = packed;
        packed += strlen(packed) + 1;
    }
    return arr;
}

int
shim_admin_user(aerospike* as, as_error* err, const as_policy_admin* policy, int op,
                const char* user, const char* password, const char* roles, uint32_t n_roles)
{
    as_error_reset(err);
    const char** list = packed_strings(roles, n_roles);
    if (n_roles && !list) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    switch (op) {
    case SHIM_ADMIN_CREATE_USER:
        aerospike_create_user(as, err, policy, user, password, list, (int)n_roles);
        break;
    case SHIM_ADMIN_CREATE_PKI_USER:
        aerospike_create_pki_user(as, err, policy, user, list, (int)n_roles);
        break;
    case SHIM_ADMIN_DROP_USER:
        aerospike_drop_user(as, err, policy, user);
        break;
    case SHIM_ADMIN_SET_PASSWORD:
        aerospike_set_password(as, err, policy, user, password);
        break;
    case SHIM_ADMIN_CHANGE_PASSWORD:
        aerospike_change_password(as, err, policy, user, password);
        break;
    case SHIM_ADMIN_GRANT_ROLES:
        aerospike_grant_roles(as, err, policy, user, list, (int)n_roles);
        break;
    case SHIM_ADMIN_REVOKE_ROLES:
        aerospike_revoke_roles(as, err, policy, user, list, (int)n_roles);
        break;
    default:
        as_error_update(err, AEROSPIKE_ERR_PARAM, "Unknown user operation");
    }
    free(list);
    return err->code;
}

int
shim_admin_role(aerospike* as, as_error* err, const as_policy_admin* policy, int op,
                const char* role, const int* codes, const char* scopes, uint32_t n_privileges,
                const char* whitelist, uint32_t n_whitelist, int read_quota, int write_quota)
{
    as_error_reset(err);
    as_privilege* privs = n_privileges ? calloc(n_privileges, sizeof(as_privilege)) : NULL;
    as_privilege** priv_ptrs = n_privileges ? malloc(sizeof(as_privilege*) * n_privileges) : NULL;
    const char** white = packed_strings(whitelist, n_whitelist);
    if ((n_privileges && (!privs || !priv_ptrs)) || (n_whitelist && !white)) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < n_privileges; i++) {
        const char* ns = scopes;
        const char* set = ns + strlen(ns) + 1;
        scopes = set + strlen(set) + 1;
        /* The C client keeps them in fixed arrays: a longer name is the caller's error. */
        if (strlen(ns) >= sizeof(privs[i].ns) || strlen(set) >= sizeof(privs[i].set)) {
            as_error_update(err, AEROSPIKE_ERR_PARAM, "Privilege namespace or set name too long");
            goto done;
        }
        strcpy(privs[i].ns, ns);
        strcpy(privs[i].set, set);
        privs[i].code = (as_privilege_code)codes[i];
        priv_ptrs[i] = &privs[i];
    }
    switch (op) {
    case SHIM_ADMIN_CREATE_ROLE:
        aerospike_create_role_quotas(as, err, policy, role, priv_ptrs, (int)n_privileges,
                                     white, (int)n_whitelist, read_quota, write_quota);
        break;
    case SHIM_ADMIN_DROP_ROLE:
        aerospike_drop_role(as, err, policy, role);
        break;
    case SHIM_ADMIN_GRANT_PRIVILEGES:
        aerospike_grant_privileges(as, err, policy, role, priv_ptrs, (int)n_privileges);
        break;
    case SHIM_ADMIN_REVOKE_PRIVILEGES:
        aerospike_revoke_privileges(as, err, policy, role, priv_ptrs, (int)n_privileges);
        break;
    case SHIM_ADMIN_SET_WHITELIST:
        aerospike_set_whitelist(as, err, policy, role, white, (int)n_whitelist);
        break;
    case SHIM_ADMIN_SET_QUOTAS:
        aerospike_set_quotas(as, err, policy, role, read_quota, write_quota);
        break;
    default:
        as_error_update(err, AEROSPIKE_ERR_PARAM, "Unknown role operation");
    }
done:
    free(privs);
    free(priv_ptrs);
    free(white);
    return err->code;
}

static int
user_out(shim_buf* out, const as_user* user)
{
    int rc = buf_put_field(out, user->name);
    rc |= buf_put_number(out, user->read_info_size > 0 && user->read_info ? user->read_info[0] : 0);
    rc |= buf_put_number(out, user->write_info_size > 0 && user->write_info ? user->write_info[0] : 0);
    rc |= buf_put_number(out, user->conns_in_use);
    rc |= buf_put_number(out, user->roles_size);
    for (int i = 0; i < user->roles_size; i++) {
        rc |= buf_put_field(out, user->roles[i]);
    }
    return rc;
}

static int
role_out(shim_buf* out, const as_role* role)
{
    int rc = buf_put_field(out, role->name);
    rc |= buf_put_number(out, role->read_quota);
    rc |= buf_put_number(out, role->write_quota);
    rc |= buf_put_number(out, role->whitelist_size);
    for (int i = 0; i < role->whitelist_size; i++) {
        rc |= buf_put_field(out, role->whitelist[i]);
    }
    rc |= buf_put_number(out, role->privileges_size);
    for (int i = 0; i < role->privileges_size; i++) {
        rc |= buf_put_number(out, role->privileges[i].code);
        rc |= buf_put_field(out, role->privileges[i].ns);
        rc |= buf_put_field(out, role->privileges[i].set);
    }
    return rc;
}

int
shim_admin_query(aerospike* as, as_error* err, const as_policy_admin* policy, int roles,
                 const char* name, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    int rc = 0;
    if (!roles && name) {
        as_user* user = NULL;
        if (aerospike_query_user(as, err, policy, name, &user) == AEROSPIKE_OK && user) {
            rc = user_out(out, user);
            as_user_destroy(user);
        }
    }
    else if (!roles) {
        as_user** users = NULL;
        int n = 0;
        if (aerospike_query_users(as, err, policy, &users, &n) == AEROSPIKE_OK) {
            for (int i = 0; i < n; i++) {
                rc |= user_out(out, users[i]);
            }
            as_users_destroy(users, n);
        }
    }
    else if (name) {
        as_role* role = NULL;
        if (aerospike_query_role(as, err, policy, name, &role) == AEROSPIKE_OK && role) {
            rc = role_out(out, role);
            as_role_destroy(role);
        }
    }
    else {
        as_role** all = NULL;
        int n = 0;
        if (aerospike_query_roles(as, err, policy, &all, &n) == AEROSPIKE_OK) {
            for (int i = 0; i < n; i++) {
                rc |= role_out(out, all[i]);
            }
            as_roles_destroy(all, n);
        }
    }
    if (err->code == AEROSPIKE_OK && rc) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    return err->code;
}
