"""The client config dict -> an as_config struct, validated as the official client does."""

import os

from . import _policy
from ._native import ffi, lib
from .exception import ParamError
from .types import ConfigProvider

CONFIG_KEYS = frozenset((
    "lua", "config_provider", "tls", "hosts", "shm", "serialization", "policies",
    "thread_pool_size", "max_threads", "min_conns_per_node", "max_conns_per_node",
    "max_error_rate", "error_rate_window", "connect_timeout", "use_shared_connection",
    "send_bool_as", "compression_threshold", "tend_interval", "cluster_name", "strict_types",
    "rack_aware", "rack_id", "rack_ids", "use_services_alternate", "max_socket_idle",
    "fail_if_not_connected", "user", "password", "validate_keys", "app_id",
    "force_single_node"))
SHM_KEYS = frozenset(("shm_max_nodes", "max_nodes", "shm_max_namespaces", "max_namespaces",
                      "shm_takeover_threshold_sec", "takeover_threshold_sec", "shm_key"))
LUA_KEYS = frozenset(("system_path", "user_path"))
TLS_KEYS = frozenset(("enable", "cafile", "capath", "protocols", "cipher_suite", "keyfile",
                      "keyfile_pw", "cert_blacklist", "certfile", "crl_check", "crl_check_all",
                      "log_session_info", "for_login_only"))
POLICIES_KEYS = frozenset((
    "read", "write", "apply", "operate", "remove", "query", "scan", "batch", "batch_remove",
    "batch_apply", "batch_write", "batch_parent_write", "info", "admin", "txn_verify",
    "txn_roll", "total_timeout", "auth_mode", "login_timeout_ms", "key", "exists",
    "max_retries", "replica", "commit_level", "metrics", "read_mode_ap", "max_threads",
    "thread_pool_size", "socket_timeout"))

# Policy kinds a config "policies" sub-dict may set, and the as_policies member it fills.
POLICY_MEMBERS = {
    "read": "read", "write": "write", "operate": "operate", "remove": "remove",
    "apply": "apply", "batch": "batch", "batch_parent_write": "batch_parent_write",
    "batch_write": "batch_write", "batch_apply": "batch_apply", "batch_remove": "batch_remove",
    "scan": "scan", "query": "query", "info": "info", "admin": "admin",
    "txn_verify": "txn_verify", "txn_roll": "txn_roll",
}
# Config kinds whose struct is an as_policy_batch (checked and set as "batch").
_BATCH_LIKE = ("batch_parent_write", "txn_verify", "txn_roll")
_AUTH_MODES = (0, 1, 2, 3)
_BASE_KINDS = ("read", "write", "operate", "remove", "apply", "batch", "scan", "query")


def _err(msg):
    return ParamError(-2, msg)


def _check(d, allowed):
    for key in d:
        if key not in allowed:
            raise _err('"%s" is an invalid client config dictionary key' % (key,))


def _int(config, name):
    value = config.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ClientSettings:
    """What the Python side keeps of a config: send_bool_as, serializers, validate_keys."""

    def __init__(self):
        self.send_bool_as = 1
        self.serializer = None
        self.deserializer = None
        self.validate_keys = False
        self.use_shared_connection = False
        self.user = None
        self.password = None
        self.strict_types = True
        # Policy kinds whose config policy has deserialize False (raw list/map bytes).
        self.raw_kinds = frozenset()


def build(config):
    """(as_config*, ClientSettings, keep-alive list) for a config dict."""
    if not isinstance(config, dict):
        raise _err("Config must be a dict")
    settings = ClientSettings()
    validate = config.get("validate_keys", False)
    if "validate_keys" in config and not isinstance(validate, bool):
        raise _err('config["validate_keys"] must be a boolean')
    settings.validate_keys = validate
    if validate:
        _check(config, CONFIG_KEYS)

    cfg = ffi.new("as_config*")
    lib.as_config_init(cfg)
    keep = []

    provider = config.get("config_provider")
    if provider is not None:
        if type(provider) is not ConfigProvider:
            raise _err("config_provider must be an aerospike.ConfigProvider class instance. "
                       "But a %s was received instead" % type(provider).__name__)
        lib.as_config_set_string(ffi.addressof(cfg.config_provider, "path"),
                                 provider.path.encode())
        cfg.config_provider.interval = provider.interval
    _set_lua(cfg, config.get("lua"), validate)
    tls = config.get("tls")
    if isinstance(tls, dict):
        if validate:
            _check(tls, TLS_KEYS)
        _set_tls(cfg, tls)
    _set_hosts(cfg, config.get("hosts"))
    shm = config.get("shm")
    if isinstance(shm, dict):
        if validate:
            _check(shm, SHM_KEYS)
        cfg.use_shm = True
        for names, field in ((("shm_max_nodes", "max_nodes"), "shm_max_nodes"),
                             (("shm_max_namespaces", "max_namespaces"), "shm_max_namespaces"),
                             (("shm_takeover_threshold_sec", "takeover_threshold_sec"),
                              "shm_takeover_threshold_sec"),
                             (("shm_key",), "shm_key")):
            for name in names:
                if isinstance(shm.get(name), int):
                    setattr(cfg, field, shm[name])

    serialization = config.get("serialization")
    if isinstance(serialization, tuple):
        ser = serialization[0] if len(serialization) > 0 else None
        deser = serialization[1] if len(serialization) > 1 else None
        if ser is not None and not callable(ser):
            raise _err("Serializer must be callable")
        if deser is not None and not callable(deser):
            raise _err("Deserializer must be callable")
        settings.serializer, settings.deserializer = ser, deser

    policies = config.get("policies")
    if isinstance(policies, dict):
        if validate:
            _check(policies, POLICIES_KEYS)
        if "metrics" in policies:
            from aerospike_helpers.metrics import MetricsPolicy

            if not isinstance(policies["metrics"], MetricsPolicy):
                raise _err("metrics must be an aerospike_helpers.metrics.MetricsPolicy class "
                           "instance. But a %s was received instead"
                           % type(policies["metrics"]).__name__)
        _set_policies(cfg, policies, validate, keep)
        settings.raw_kinds = frozenset(
            kind for kind in ("read", "operate", "batch", "query", "batch_parent_write")
            if isinstance(policies.get(kind), dict) and
            isinstance(policies[kind].get("deserialize", True), int) and
            not policies[kind].get("deserialize", True))

    for name, field in (("thread_pool_size", "thread_pool_size"),
                        ("max_threads", "max_conns_per_node"),
                        ("min_conns_per_node", "min_conns_per_node"),
                        ("max_conns_per_node", "max_conns_per_node"),
                        ("max_error_rate", "max_error_rate"),
                        ("error_rate_window", "error_rate_window"),
                        ("connect_timeout", "conn_timeout_ms"),
                        ("tend_interval", "tender_interval")):
        value = _int(config, name)
        if value is not None:
            setattr(cfg, field, value & 0xFFFFFFFF)
    settings.use_shared_connection = bool(config.get("use_shared_connection", False))
    if "strict_types" in config:
        # As the official: only False turns the checks off (any other value keeps them).
        settings.strict_types = config["strict_types"] is not False
    send_bool_as = _int(config, "send_bool_as")
    if send_bool_as in (0, 1):
        settings.send_bool_as = send_bool_as
    threshold = _int(config, "compression_threshold")
    if threshold is not None:
        if threshold < 0:
            raise _err("Compression value must not be negative")
        cfg.policies.write.compression_threshold = threshold & 0xFFFFFFFF
    if isinstance(config.get("cluster_name"), str):
        lib.as_config_set_string(ffi.addressof(cfg, "cluster_name"),
                                 config["cluster_name"].encode())
    app_id = config.get("app_id")
    if app_id is not None:
        if not isinstance(app_id, str):
            raise TypeError("%s is not a Python unicode object" % (app_id,))  # as the official
        lib.as_config_set_string(ffi.addressof(cfg, "app_id"), app_id.encode())
    _set_rack(cfg, config)
    if "use_services_alternate" in config:
        value = config["use_services_alternate"]
        if not isinstance(value, bool):
            raise _err("Invalid Policy setting value")
        cfg.use_services_alternate = value
    idle = _int(config, "max_socket_idle")
    if idle is not None and idle >= 0:
        cfg.max_socket_idle = idle & 0xFFFFFFFF
    for name in ("force_single_node", "fail_if_not_connected"):
        if isinstance(config.get(name), bool):
            setattr(cfg, name, config[name])
    user, password = config.get("user"), config.get("password")
    if isinstance(user, str) and isinstance(password, str):
        settings.user, settings.password = user, password
    return cfg, settings, keep


def set_user(cfg, user, password):
    check_user(user, password)
    lib.as_config_set_user(cfg, user.encode(), password.encode())


def check_user(user, password):
    """The official's checks of connect() credentials."""
    if not user:
        raise _err("Username must not be empty")
    if not password:
        raise _err("Password must not be empty")
    if len(user.encode()) >= 64:
        raise _err("Username length exceeds the maximum of 63 characters")
    if len(password.encode()) >= 64:
        raise _err("Password length exceeds the maximum of 63 characters")


def _set_lua(cfg, lua, validate):
    user_path = None
    if isinstance(lua, dict):
        if validate:
            _check(lua, LUA_KEYS)
        path = lua.get("user_path")
        if isinstance(path, str):
            if len(path.encode()) >= len(cfg.lua.user_path):
                raise _err("Lua user path too long")
            user_path = path
    # As the official client: a missing user_path directory means the current directory.
    if user_path is None or not os.path.isdir(user_path):
        user_path = "."
    cfg.lua.user_path = user_path.encode()


def _set_tls(cfg, tls):
    tls_cfg = cfg.tls
    for name in ("cafile", "capath", "protocols", "cipher_suite", "keyfile", "keyfile_pw",
                 "cert_blacklist", "certfile"):
        value = tls.get(name)
        if isinstance(value, str):
            lib.as_config_set_string(ffi.addressof(tls_cfg, name), value.encode())
    for name in ("enable", "crl_check", "crl_check_all", "log_session_info", "for_login_only"):
        if name in tls:
            setattr(tls_cfg, name, bool(tls[name]))


def _set_hosts(cfg, hosts):
    if not isinstance(hosts, list):
        raise _err("Hosts must be a list")
    if not hosts:
        raise _err("Hosts must not be empty")
    for host in hosts:
        if isinstance(host, tuple) and 2 <= len(host) <= 3:
            addr, port = host[0], host[1]
            if not isinstance(port, int):
                raise _err("Invalid host -> The host port must be an integer")
            if not isinstance(addr, str):
                raise _err("Invalid host")
            port &= 0xFFFF
            if len(host) == 3 and isinstance(host[2], str):
                lib.as_config_tls_add_host(cfg, addr.encode(), host[2].encode(), port)
            else:
                lib.as_config_add_host(cfg, addr.encode(), port)
        elif isinstance(host, str):
            if not lib.as_config_add_hosts(cfg, host.encode(), 3000):
                raise _err("Invalid host")
        else:
            raise _err("Invalid host")


def _set_rack(cfg, config):
    if "rack_aware" in config:
        if not isinstance(config["rack_aware"], bool):
            raise _err("Invalid Policy setting value")
        cfg.rack_aware = config["rack_aware"]
    if "rack_id" in config:
        rack_id = config["rack_id"]
        if not isinstance(rack_id, int) or not -(1 << 31) <= rack_id < (1 << 31):
            raise _err("Invalid Policy setting value")
        cfg.rack_id = rack_id
    rack_ids = config.get("rack_ids")
    if rack_ids is not None:
        if not isinstance(rack_ids, list):
            raise _err("Invalid Policy setting value")
        for rack in rack_ids:
            if not isinstance(rack, int) or not -(1 << 31) <= rack < (1 << 31):
                raise _err("Invalid Policy setting value")
            lib.as_config_add_rack_id(cfg, rack)


def _set_policies(cfg, policies, validate, keep):
    pols = cfg.policies
    # Global shortcuts first, the per-kind dicts then override them.
    for name, kinds, field in (
            ("total_timeout", _BASE_KINDS, "base.total_timeout"),
            ("socket_timeout", _BASE_KINDS, "base.socket_timeout"),
            ("max_retries", _BASE_KINDS, "base.max_retries"),
            ("key", ("read", "write", "operate", "remove", "apply"), "key"),
            ("exists", ("write",), "exists"),
            ("replica", ("read", "write", "operate", "remove", "apply", "batch", "scan", "query"),
             "replica"),
            ("read_mode_ap", ("read", "operate", "batch"), "read_mode_ap"),
            ("commit_level", ("write", "apply", "operate", "remove"), "commit_level")):
        value = _int(policies, name)
        if value is not None:
            for kind in kinds:
                _policy._set_path(ffi.addressof(pols, POLICY_MEMBERS[kind]), field,
                                  _policy._convert(name, "u32" if "timeout" in name or
                                                   name == "max_retries" else "enum", value))
    for name in ("max_threads",):
        if _int(policies, name) is not None:
            cfg.max_conns_per_node = policies[name]
    if _int(policies, "thread_pool_size") is not None:
        cfg.thread_pool_size = policies["thread_pool_size"]
    if _int(policies, "login_timeout_ms") is not None:
        cfg.login_timeout_ms = policies["login_timeout_ms"] & 0xFFFFFFFF
    if "auth_mode" in policies and isinstance(policies["auth_mode"], int):
        if policies["auth_mode"] not in _AUTH_MODES:
            raise _err("Specify valid auth_mode")
        cfg.auth_mode = policies["auth_mode"]
    for kind, member in POLICY_MEMBERS.items():
        sub = policies.get(kind)
        if isinstance(sub, dict):
            target = ffi.addressof(pols, member)
            try:
                exp = _policy.apply_dict(member if kind not in _BATCH_LIKE else "batch",
                                         target, sub, validate, config=True)
            except ParamError as exc:
                if exc.msg.endswith("dictionary key"):
                    raise
                raise _err("Invalid Policy setting value") from None
            if exp is not None:
                keep.append(exp)


# as_policies members (those we can set) with the filter expression in .base, or directly.
_BASE_EXP_MEMBERS = ("read", "write", "operate", "remove", "apply", "batch",
                     "batch_parent_write", "scan", "query", "txn_verify", "txn_roll")
_DIRECT_EXP_MEMBERS = ("batch_write", "batch_apply", "batch_remove")


def for_connection(config):
    """A fresh as_config for one aerospike_new() call.

    aerospike_new() takes over the heap fields of the config it gets (hosts, strings, rack
    ids, policy filter expressions) and aerospike_destroy() frees them: every connection
    needs its own copy, and the filter expressions (Python-owned memory, kept by the
    client's template config) must not reach it. Commands pass their own policies, so the
    connection's default policies need no expression.
    """
    cfg, _, _ = build(config)
    force_raw_collections(cfg)
    pols = cfg.policies
    for member in _BASE_EXP_MEMBERS:
        getattr(pols, member).base.filter_exp = ffi.NULL
    for member in _DIRECT_EXP_MEMBERS:
        getattr(pols, member).filter_exp = ffi.NULL
    return cfg


def force_raw_collections(cfg):
    """Lists and maps reach Python as raw msgpack: the shim never builds as_list/as_map."""
    pols = cfg.policies
    pols.read.deserialize = False
    pols.operate.deserialize = False
    pols.batch.deserialize = False
    pols.batch_parent_write.deserialize = False
    pols.query.deserialize = False
