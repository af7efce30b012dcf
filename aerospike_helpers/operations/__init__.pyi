"""Type stubs of aerospike_helpers.operations."""
