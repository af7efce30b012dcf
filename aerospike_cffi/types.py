"""Value types of the `aerospike` module: GeoJSON, KeyOrderedDict, null, CDTWildcard, CDTInfinite."""

import json

from .exception import ParamError


class GeoJSON:
    """A GeoJSON value: stored in a GeoJSON bin, used in geo queries and expressions."""

    __slots__ = ("geo_data",)

    def __init__(self, geo_data=None):
        self.geo_data = None
        if geo_data is not None:
            self.wrap(geo_data) if isinstance(geo_data, dict) else self.loads(geo_data)

    def wrap(self, geo_data):
        if not isinstance(geo_data, dict):
            raise ParamError(-2, "Geospatial data should be a dictionary or raw GeoJSON string")
        self.geo_data = geo_data

    def unwrap(self):
        return self.geo_data

    def loads(self, raw_geo):
        if not isinstance(raw_geo, str):
            raise ParamError(-2, "Geospatial data should be a dictionary or raw GeoJSON string")
        try:
            self.geo_data = json.loads(raw_geo)
        except ValueError:
            raise ParamError(-2, "String is not GeoJSON serializable") from None

    def dumps(self):
        return json.dumps(self.geo_data)

    def __str__(self):
        return self.dumps()

    def __repr__(self):
        return repr(self.dumps())

    def __eq__(self, other):
        return type(other) is GeoJSON and other.geo_data == self.geo_data

    __hash__ = None


GeoJSON.__name__ = GeoJSON.__qualname__ = "Geospatial"


class KeyOrderedDict(dict):
    """A dict stored as a key-ordered map; key-ordered maps read back as this type."""

    __slots__ = ()


class null:
    """Passed as a bin value, deletes that bin (as None does)."""

    __slots__ = ()


class CDTWildcard:
    """Matches any value in CDT range and value operations."""

    __slots__ = ()


class CDTInfinite:
    """Greater than every value: an open end of a CDT range."""

    __slots__ = ()


class ConfigProvider:
    """Where the C client reads dynamic configuration: a YAML file, checked every
    ``interval`` (the official default, 5000). Given as config["config_provider"]."""

    __slots__ = ("_path", "_interval")

    def __init__(self, path, interval=5000):
        if not isinstance(path, str):
            raise TypeError("argument 1 must be str, not %s" % type(path).__name__)
        if isinstance(interval, bool) or not isinstance(interval, int) or not 0 <= interval < 1 << 32:
            raise TypeError("interval must be an unsigned 32-bit integer")
        self._path = path
        self._interval = interval

    @property
    def path(self):
        return self._path

    @property
    def interval(self):
        return self._interval


def geodata(geo_data):
    """GeoJSON from a dict."""
    return GeoJSON(geo_data)


def geojson(geojson_str):
    """GeoJSON from its JSON text."""
    return GeoJSON(geojson_str)
