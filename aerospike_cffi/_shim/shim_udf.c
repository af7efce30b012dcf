/*
 * User-defined functions: module management (udf put / get / list / remove) and the record
 * UDF call (apply). Stream UDFs on scans and queries live with the streams (shim_stream.c:
 * shim_stream_apply, shim_stream_aggregate), which own the as_scan / as_query they set.
 *
 * Argument lists cross as one msgpack list (packed by Python's Packer, as for batch apply);
 * a result value comes back as a one-bin record in the record layout of shim.h, so Python
 * decodes it with the record decoder it already has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_key.h>
#include <aerospike/aerospike_udf.h>
#include <aerospike/as_arraylist.h>
#include <aerospike/as_msgpack.h>
#include <aerospike/as_record.h>
#include <aerospike/as_serializer.h>
#include <aerospike/as_udf.h>

#include "shim.h"
#include "shim_internal.h"

as_status
udf_arglist(as_error* err, const uint8_t* args, uint32_t size, as_list** out)
{
    *out = NULL;
    if (!args || size == 0) {
        return AEROSPIKE_OK;
    }
    as_serializer ser;
    as_msgpack_init(&ser);
    as_buffer buffer = {.data = (uint8_t*)args, .size = size, .capacity = size};
    as_val* list = NULL;
    as_serializer_deserialize(&ser, &buffer, &list);
    as_serializer_destroy(&ser);
    if (!list || as_val_type(list) != AS_LIST) {
        as_val_destroy(list);
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "UDF arguments must be a list");
    }
    *out = (as_list*)list;
    return AEROSPIKE_OK;
}

as_status
udf_value_out(as_error* err, as_val* val, shim_buf* out)
{
    /* One bin named "v" that only points at the value: the record and its bin live on
     * the stack and are never destroyed, so the value stays its caller's (no reference is
     * taken: as_boolean has none, its reserve is a no-op). A missing value is nil. */
    as_record rec;
    as_record_inita(&rec, 1);
    as_bin* bin = &rec.bins.entries[0];
    strcpy(bin->name, "v");
    bin->valuep = val ? (as_bin_value*)val : (as_bin_value*)&as_nil;
    rec.bins.size = 1;
    return record_out(err, &rec, out, NULL);
}

int
shim_apply(aerospike* as, as_error* err, const as_policy_apply* policy, KEY_PARAMS,
           const char* module, const char* function, const uint8_t* args, uint32_t args_size,
           shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    out->want_marshal = out->is_marshal = 0;
    as_key key;
    if (key_init(err, &key, ns, set, ktype, kdata, klen, kint) != AEROSPIKE_OK) {
        return err->code;
    }
    as_list* arglist = NULL;
    if (udf_arglist(err, args, args_size, &arglist) != AEROSPIKE_OK) {
        as_key_destroy(&key);
        return err->code;
    }
    if (!arglist) {
        arglist = (as_list*)as_arraylist_new(0, 1);
    }
    as_val* result = NULL;
    if (aerospike_key_apply(as, err, policy, &key, module, function, arglist, &result) ==
        AEROSPIKE_OK) {
        udf_value_out(err, result, out);
    }
    as_val_destroy(result);
    as_list_destroy(arglist);
    as_key_destroy(&key);
    return err->code;
}

int
shim_udf_put(aerospike* as, as_error* err, const as_policy_info* policy, const char* filename,
             const uint8_t* content, uint32_t size)
{
    as_error_reset(err);
    as_bytes bytes;
    as_bytes_init_wrap(&bytes, (uint8_t*)content, size, false);
    aerospike_udf_put(as, err, policy, filename, AS_UDF_TYPE_LUA, &bytes);
    as_bytes_destroy(&bytes);
    return err->code;
}

int
shim_udf_remove(aerospike* as, as_error* err, const as_policy_info* policy, const char* filename)
{
    as_error_reset(err);
    return aerospike_udf_remove(as, err, policy, filename);
}

int
shim_udf_get(aerospike* as, as_error* err, const as_policy_info* policy, const char* filename,
             int udf_type, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    as_udf_file file;
    as_udf_file_init(&file);
    if (aerospike_udf_get(as, err, policy, filename, (as_udf_type)udf_type, &file) ==
        AEROSPIKE_OK && file.content.size &&
        buf_put(out, file.content.bytes, file.content.size) != 0) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    as_udf_file_destroy(&file);
    return err->code;
}

int
shim_udf_list(aerospike* as, as_error* err, const as_policy_info* policy, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    as_udf_files files;
    as_udf_files_init(&files, 0);
    if (aerospike_udf_list(as, err, policy, &files) == AEROSPIKE_OK) {
        for (uint32_t i = 0; i < files.size; i++) {
            const as_udf_file* file = &files.entries[i];
            uint8_t head[2] = {(uint8_t)file->type, (uint8_t)strnlen(file->name,
                                                                       AS_UDF_FILE_NAME_LEN)};
            if (buf_put(out, head, 2) != 0 || buf_put(out, file->name, head[1]) != 0 ||
                buf_put(out, file->hash, AS_UDF_FILE_HASH_SIZE) != 0) {
                as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
                break;
            }
        }
    }
    as_udf_files_destroy(&files);
    return err->code;
}

void
shim_lua_configure(const char* user_path)
{
    /* The C client's Lua settings are process-wide and set once, at the first connect;
     * aggregations of a client with another user_path re-point them first (_stream). */
    as_config_lua lua;
    as_config_lua_init(&lua);
    snprintf(lua.user_path, sizeof(lua.user_path), "%s", user_path);
    aerospike_init_lua(&lua);
}
