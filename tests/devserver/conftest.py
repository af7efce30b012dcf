"""Load the dev-server pytest plugin when it is not installed as an entry point."""

PLUGIN = "aerospike_cffi.testing.plugin"


def pytest_configure(config):
    manager = config.pluginmanager
    if not (manager.has_plugin("aerospike_cffi") or manager.has_plugin(PLUGIN)):
        manager.import_plugin(PLUGIN)
