"""Value types of the `aerospike` module: GeoJSON, KeyOrderedDict, null, CDTWildcard, CDTInfinite."""

import json

from .exception import ClientError, ParamError


_NOT_GIVEN = object()
_NOT_GEO = "Geospatial data should be a dictionary or raw GeoJSON string"


class GeoJSON:
    """A GeoJSON value: stored in a GeoJSON bin, used in geo queries and expressions.

    Errors as the official's: the data is a dict or JSON text of an object (else
    ParamError); text that is no JSON at all is a ClientError; wrap() and loads() return 0.
    """

    __slots__ = ("geo_data",)

    def __init__(self, geo_data=_NOT_GIVEN, *extra):
        self.geo_data = None
        if geo_data is _NOT_GIVEN or extra:
            raise ParamError(-2, "GeoJSON() expects exactly 1 parameter")
        if isinstance(geo_data, str):
            self.geo_data = self._object(_parse(geo_data))
        else:
            self.geo_data = self._object(geo_data)

    @staticmethod
    def _object(data):
        if not isinstance(data, dict):
            raise ParamError(-2, _NOT_GEO)
        return data

    def wrap(self, geodata):
        """Replace the value with the dict ``geodata``; returns 0."""
        self.geo_data = self._object(geodata)
        return 0

    def unwrap(self):
        """The value as a dict."""
        return self.geo_data

    def loads(self, geodata):
        """Replace the value with the GeoJSON text ``geodata``; returns 0."""
        if not isinstance(geodata, str):
            raise ParamError(-2, "Argument should be a GeoJSON string")
        self.geo_data = self._object(_parse(geodata))
        return 0

    def dumps(self):
        """The value as GeoJSON text."""
        return _dump(self.geo_data, "Unable to call dumps function")

    def __str__(self):
        return _dump(self.geo_data, "Unable to call get data in str format")

    def __repr__(self):
        return repr(_dump(self.geo_data, "Unable to call get data in str format"))

    def __eq__(self, other):
        return type(other) is GeoJSON and other.geo_data == self.geo_data

    __hash__ = None


def _parse(text):
    try:
        return json.loads(text)
    except ValueError:
        raise ClientError(-1, "String is not GeoJSON serializable -> Unable to load GeoJSON") \
            from None


def _dump(data, message):
    try:
        return json.dumps(data)
    except (TypeError, ValueError):
        raise ClientError(-1, message) from None


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
        """The YAML file of dynamic configuration."""
        return self._path

    @property
    def interval(self):
        """How often (in milliseconds) the C client reads the file again."""
        return self._interval


def geodata(geo_data):
    """GeoJSON from a dict."""
    return GeoJSON(geo_data)


def geojson(geojson_str):
    """GeoJSON from its JSON text."""
    return GeoJSON(geojson_str)
