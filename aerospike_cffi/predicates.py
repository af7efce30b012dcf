"""Secondary-index query predicates, as the tuples the official client builds.

A predicate is ``(predicate type, index data type, bin, value[, value2][, index type])``
with predicate type 0 (equal) or 1 (range) and the index data types STRING 0, GEO2DSPHERE 2,
BLOB 3, NUMERIC 4; ``Query.where`` takes one.
"""

import json

from .constants import INDEX_TYPE_DEFAULT

PREDICATE_EQUAL, PREDICATE_RANGE = 0, 1
INDEX_STRING, INDEX_GEO2DSPHERE, INDEX_BLOB, INDEX_NUMERIC = 0, 2, 3, 4


def _datatype(value):
    if not isinstance(value, (int, str, bytes, bytearray)):
        return None
    if isinstance(value, int):
        return INDEX_NUMERIC
    if isinstance(value, str):
        return INDEX_STRING
    return INDEX_BLOB


def _check_geo_args(what, bin, *numbers):  # noqa: A002
    """Numbers and a str (or None) bin, else ParamError before any JSON, as the official."""
    if not (bin is None or isinstance(bin, str)) or not all(
            isinstance(v, (int, float)) for v in numbers):
        from .exception import ParamError

        raise ParamError(-2, "%s should be integer or double type, bin of string type" % what)


def equals(bin, val):  # noqa: A002 - official parameter name
    """Records whose ``bin`` equals ``val`` (int, str or bytes)."""
    dtype = _datatype(val)
    if dtype is None:
        return None  # as the official: an unusable value gives no predicate
    return (PREDICATE_EQUAL, dtype, bin, val)


def between(bin, min, max):  # noqa: A002
    """Records whose integer ``bin`` is in [min, max]."""
    if not (isinstance(min, int) and isinstance(max, int)):
        return None  # as the official
    return (PREDICATE_RANGE, INDEX_NUMERIC, bin, min, max)


def contains(bin, index_type, val):  # noqa: A002
    """Records whose list / map keys / map values in ``bin`` contain ``val``."""
    dtype = _datatype(val)
    if dtype is None:
        return None
    return (PREDICATE_EQUAL, dtype, bin, val, None, index_type)


def range(bin, index_type, min, max):  # noqa: A002
    """Records whose list / map keys / map values in ``bin`` hold an integer in [min, max]."""
    if not (isinstance(min, int) and isinstance(max, int)):
        return None
    return (PREDICATE_RANGE, INDEX_NUMERIC, bin, min, max, index_type)


def geo_within_geojson_region(bin, shape, index_type=INDEX_TYPE_DEFAULT):  # noqa: A002
    """Records whose GeoJSON ``bin`` lies within the region ``shape`` (GeoJSON text)."""
    if not isinstance(shape, str):
        return None  # as the official
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, shape, None, index_type)


def geo_within_radius(bin, long, lat, radius_meters, index_type=INDEX_TYPE_DEFAULT):  # noqa: A002
    """Records whose GeoJSON ``bin`` lies within ``radius_meters`` of (long, lat)."""
    _check_geo_args("Latitude, longitude and radius", bin, long, lat, radius_meters)
    circle = {"type": "AeroCircle", "coordinates": [[long, lat], radius_meters]}
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, json.dumps(circle), None, index_type)


def geo_contains_geojson_point(bin, point, index_type=INDEX_TYPE_DEFAULT):  # noqa: A002
    """Records whose GeoJSON region ``bin`` contains ``point`` (GeoJSON text)."""
    if not isinstance(point, str):
        return None
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, point, None, index_type)


def geo_contains_point(bin, long, lat, index_type=INDEX_TYPE_DEFAULT):  # noqa: A002
    """Records whose GeoJSON region ``bin`` contains the point (long, lat)."""
    _check_geo_args("Latitude and longitude", bin, long, lat)
    point = {"type": "Point", "coordinates": [long, lat]}
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, json.dumps(point), None, index_type)
