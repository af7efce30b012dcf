/*
 * The part of the C client (7.6.1) that Python touches directly, for ffi.cdef().
 * Structs end with `...;` so that the compiler, not this file, fixes their layout:
 * only the fields aerospike_cffi reads or sets are listed.
 */

typedef int... as_status;
typedef int... as_policy_key;
typedef int... as_policy_replica;
typedef int... as_policy_read_mode_ap;
typedef int... as_policy_read_mode_sc;
typedef int... as_policy_commit_level;
typedef int... as_policy_gen;
typedef int... as_policy_exists;
typedef int... as_query_duration;
typedef int... as_auth_mode;

#define AS_ERROR_MESSAGE_MAX_SIZE ...
#define AS_CONFIG_PATH_MAX_SIZE ...

typedef struct aerospike_s aerospike;

typedef struct as_error_s {
    as_status code;
    char message[...];
    const char* func;
    const char* file;
    uint32_t line;
    bool in_doubt;
    ...;
} as_error;

typedef struct as_exp {
    uint32_t packed_sz;
    uint8_t packed[];
} as_exp;

typedef struct as_policy_base_s {
    uint32_t connect_timeout;
    uint32_t socket_timeout;
    uint32_t total_timeout;
    uint32_t timeout_delay;
    uint32_t max_retries;
    uint32_t sleep_between_retries;
    as_exp* filter_exp;
    bool compress;
    struct as_txn* txn;
    uint8_t error_detail_verbosity;
    ...;
} as_policy_base;

typedef struct as_policy_read_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    int read_touch_ttl_percent;
    bool deserialize;
    ...;
} as_policy_read;

typedef struct as_policy_write_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    as_policy_exists exists;
    uint32_t ttl;
    uint32_t compression_threshold;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_write;

typedef struct as_policy_apply_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_commit_level commit_level;
    uint32_t ttl;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_apply;

typedef struct as_policy_operate_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    as_policy_exists exists;
    uint32_t ttl;
    int read_touch_ttl_percent;
    bool deserialize;
    bool durable_delete;
    bool on_locking_only;
    bool respond_all_ops;
    ...;
} as_policy_operate;

typedef struct as_policy_remove_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    uint16_t generation;
    bool durable_delete;
    ...;
} as_policy_remove;

typedef struct as_policy_batch_s {
    as_policy_base base;
    as_policy_replica replica;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    int read_touch_ttl_percent;
    bool concurrent;
    bool allow_inline;
    bool allow_inline_ssd;
    bool respond_all_keys;
    bool send_set_name;
    bool deserialize;
    ...;
} as_policy_batch;

typedef struct as_policy_batch_read_s {
    as_exp* filter_exp;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    int read_touch_ttl_percent;
    ...;
} as_policy_batch_read;

typedef struct as_policy_batch_write_s {
    as_exp* filter_exp;
    as_policy_key key;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    as_policy_exists exists;
    uint32_t ttl;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_batch_write;

typedef struct as_policy_batch_apply_s {
    as_exp* filter_exp;
    as_policy_key key;
    as_policy_commit_level commit_level;
    uint32_t ttl;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_batch_apply;

typedef struct as_policy_batch_remove_s {
    as_exp* filter_exp;
    as_policy_key key;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    uint16_t generation;
    bool durable_delete;
    ...;
} as_policy_batch_remove;

typedef struct as_policy_query_s {
    as_policy_base base;
    uint32_t info_timeout;
    as_policy_replica replica;
    as_query_duration expected_duration;
    bool fail_on_cluster_change;
    bool deserialize;
    bool short_query;
    ...;
} as_policy_query;

typedef struct as_policy_scan_s {
    as_policy_base base;
    uint64_t max_records;
    uint32_t records_per_second;
    as_policy_replica replica;
    uint32_t ttl;
    bool durable_delete;
    ...;
} as_policy_scan;

typedef struct as_policy_info_s {
    uint32_t timeout;
    uint32_t timeout_delay;
    bool send_as_is;
    bool check_bounds;
    ...;
} as_policy_info;

typedef struct as_policy_admin_s {
    uint32_t timeout;
    ...;
} as_policy_admin;

typedef struct as_policies_s {
    as_policy_read read;
    as_policy_write write;
    as_policy_operate operate;
    as_policy_remove remove;
    as_policy_apply apply;
    as_policy_batch batch;
    as_policy_batch batch_parent_write;
    as_policy_batch_write batch_write;
    as_policy_batch_apply batch_apply;
    as_policy_batch_remove batch_remove;
    as_policy_scan scan;
    as_policy_query query;
    as_policy_info info;
    as_policy_admin admin;
    as_policy_batch txn_verify;
    as_policy_batch txn_roll;
    ...;
} as_policies;

typedef struct as_config_lua_s {
    bool cache_enabled;
    char user_path[...];
    ...;
} as_config_lua;

typedef struct as_config_tls_s {
    bool enable;
    char* cafile;
    char* castring;
    char* capath;
    char* protocols;
    char* cipher_suite;
    char* cert_blacklist;
    char* keyfile;
    char* keyfile_pw;
    char* keystring;
    char* certfile;
    char* certstring;
    bool crl_check;
    bool crl_check_all;
    bool log_session_info;
    bool for_login_only;
    ...;
} as_config_tls;

typedef struct as_config_provider_s {
    char* path;
    uint32_t interval;
    ...;
} as_config_provider;

typedef struct as_config_s {
    char* cluster_name;
    char* app_id;
    uint32_t min_conns_per_node;
    uint32_t max_conns_per_node;
    uint32_t async_min_conns_per_node;
    uint32_t async_max_conns_per_node;
    uint32_t pipe_max_conns_per_node;
    uint32_t conn_pools_per_node;
    uint32_t conn_timeout_ms;
    uint32_t login_timeout_ms;
    uint32_t max_socket_idle;
    uint32_t max_error_rate;
    uint32_t error_rate_window;
    uint32_t tender_interval;
    uint32_t thread_pool_size;
    as_policies policies;
    as_config_provider config_provider;
    as_config_lua lua;
    as_config_tls tls;
    as_auth_mode auth_mode;
    bool fail_if_not_connected;
    bool use_services_alternate;
    bool force_single_node;
    bool rack_aware;
    int rack_id;
    bool use_shm;
    int shm_key;
    uint32_t shm_max_nodes;
    uint32_t shm_max_namespaces;
    uint32_t shm_takeover_threshold_sec;
    ...;
} as_config;

as_config* as_config_init(as_config* config);
void as_config_add_host(as_config* config, const char* address, uint16_t port);
bool as_config_add_hosts(as_config* config, const char* string, uint16_t default_port);
void as_config_tls_add_host(as_config* config, const char* address, const char* tls_name, uint16_t port);
bool as_config_set_user(as_config* config, const char* user, const char* password);
void as_config_set_string(char** str, const char* value);
void as_config_add_rack_id(as_config* config, int rack_id);
void as_config_destroy(as_config* config);

aerospike* aerospike_new(as_config* config);
as_status aerospike_connect(aerospike* as, as_error* err);
as_status aerospike_close(aerospike* as, as_error* err);
bool aerospike_cluster_is_connected(aerospike* as);
void aerospike_destroy(aerospike* as);

as_policy_read* as_policy_read_init(as_policy_read* p);
as_policy_write* as_policy_write_init(as_policy_write* p);
as_policy_operate* as_policy_operate_init(as_policy_operate* p);
as_policy_remove* as_policy_remove_init(as_policy_remove* p);
as_policy_apply* as_policy_apply_init(as_policy_apply* p);
as_policy_batch* as_policy_batch_init(as_policy_batch* p);
as_policy_batch_read* as_policy_batch_read_init(as_policy_batch_read* p);
as_policy_batch_write* as_policy_batch_write_init(as_policy_batch_write* p);
as_policy_batch_apply* as_policy_batch_apply_init(as_policy_batch_apply* p);
as_policy_batch_remove* as_policy_batch_remove_init(as_policy_batch_remove* p);
as_policy_scan* as_policy_scan_init(as_policy_scan* p);
as_policy_query* as_policy_query_init(as_policy_query* p);
as_policy_info* as_policy_info_init(as_policy_info* p);
as_policy_admin* as_policy_admin_init(as_policy_admin* p);
