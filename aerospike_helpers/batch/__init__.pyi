"""Type stubs of aerospike_helpers.batch."""
