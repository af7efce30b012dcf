"""Type stubs of aerospike_helpers."""

class HyperLogLog(bytes):
    def __new__(cls, o: bytes) -> "HyperLogLog": ...
