"""The exception hierarchy of the official client: same names, bases, codes, attributes.

Each class carries its result ``code``; an instance carries ``code``, ``msg``, ``file``,
``line``, ``in_doubt`` and ``subcode`` of its own (filled from ``args``), so one raised
error never changes what another instance shows.  ``RecordError`` adds ``key``/``bin``,
``IndexError`` adds ``name``, ``UDFError`` adds ``module``/``func``.
"""

import os
import sys

# Modules whose (code, msg) errors are the client's own: their args gain (file, line, in_doubt).
_OWN_PACKAGES = ("aerospike_cffi", "aerospike_helpers")
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _where(frame):
    """(file relative to the install root, line) of the frame that built the error."""
    path = frame.f_code.co_filename
    try:
        path = os.path.relpath(path, _ROOT)
    except ValueError:  # another drive (Windows)
        pass
    return path.replace(os.sep, "/"), frame.f_lineno


class AerospikeError(Exception):
    """Base class of every error the client raises; args are (code, msg, file, line, in_doubt)."""

    code = None

    def __init__(self, *args):
        if len(args) == 2:
            # An error the client raises from Python: as the official's (which name its C
            # source), args carry where it was raised and in_doubt False. Errors an
            # application builds itself keep the args it gave.
            frame = sys._getframe(1)
            if frame.f_globals.get("__name__", "").partition(".")[0] in _OWN_PACKAGES:
                args = args + _where(frame) + (False,)
        super().__init__(*args)
        fields = args + (None,) * (5 - len(args))
        code, self.msg, self.file, self.line, in_doubt = fields[:5]
        if code is not None:
            self.code = code
        self.in_doubt = bool(in_doubt)
        self.subcode = 0


# (name, base name, code) of every other class, bases first.
_TABLE = [
    ('AerospikeError', 'Exception', None),
    ('ServerError', 'AerospikeError', 1),
    ('AdminError', 'ServerError', None),
    ('AlwaysForbidden', 'ServerError', 10),
    ('ClientError', 'AerospikeError', -1),
    ('AsyncConnectionError', 'ClientError', -6),
    ('BatchDisabledError', 'ServerError', 150),
    ('BatchFailed', 'ClientError', -16),
    ('BatchMaxRequestError', 'ServerError', 151),
    ('BatchQueueFullError', 'ServerError', 152),
    ('RecordError', 'ServerError', None),
    ('BinExistsError', 'RecordError', 6),
    ('BinIncompatibleType', 'RecordError', 12),
    ('BinNameError', 'RecordError', 21),
    ('BinNotFound', 'RecordError', 17),
    ('ClientAbortError', 'ClientError', -5),
    ('ClusterError', 'ServerError', 11),
    ('ClusterChangeError', 'ClusterError', 7),
    ('ConnectionError', 'ClientError', -10),
    ('DeviceOverload', 'ServerError', 18),
    ('ElementExistsError', 'ServerError', 24),
    ('ElementNotFoundError', 'ServerError', 23),
    ('ExpiredPassword', 'AdminError', 63),
    ('FilteredOut', 'ServerError', 27),
    ('ForbiddenError', 'ServerError', 22),
    ('ForbiddenPassword', 'AdminError', 64),
    ('IllegalState', 'AdminError', 56),
    ('IndexError', 'ServerError', 204),
    ('IndexFoundError', 'IndexError', 200),
    ('IndexNameMaxCount', 'IndexError', 206),
    ('IndexNameMaxLen', 'IndexError', 205),
    ('IndexNotFound', 'IndexError', 201),
    ('IndexNotReadable', 'IndexError', 203),
    ('IndexOOM', 'IndexError', 202),
    ('InvalidCommand', 'AdminError', 54),
    ('InvalidCredential', 'AdminError', 65),
    ('InvalidField', 'AdminError', 55),
    ('InvalidGeoJSON', 'ServerError', 160),
    ('InvalidHostError', 'ClientError', -4),
    ('InvalidNodeError', 'ClientError', -8),
    ('InvalidPassword', 'AdminError', 62),
    ('InvalidPrivilege', 'AdminError', 72),
    ('InvalidQuota', 'AdminError', 75),
    ('InvalidRequest', 'ServerError', 4),
    ('InvalidRole', 'AdminError', 70),
    ('InvalidUser', 'AdminError', 60),
    ('InvalidWhitelist', 'AdminError', 73),
    ('LostConflict', 'ServerError', 28),
    ('UDFError', 'ServerError', 100),
    ('LuaFileNotFound', 'UDFError', 1302),
    ('MaxErrorRateExceeded', 'ClientError', -14),
    ('MaxRetriesExceeded', 'ClientError', -12),
    ('NamespaceNotFound', 'ServerError', 20),
    ('NoMoreConnectionsError', 'ClientError', -7),
    ('NoResponse', 'ClientError', -15),
    ('NotAuthenticated', 'AdminError', 80),
    ('NotWhitelisted', 'AdminError', 82),
    ('OpNotApplicable', 'ServerError', 26),
    ('ParamError', 'ClientError', -2),
    ('QueryAbortedError', 'ServerError', 210),
    ('QueryError', 'ServerError', 213),
    ('QueryQueueFull', 'QueryError', 211),
    ('QueryTimeout', 'QueryError', 212),
    ('QuotaExceeded', 'AdminError', 83),
    ('QuotasNotEnabled', 'AdminError', 74),
    ('RecordBusy', 'RecordError', 14),
    ('RecordExistsError', 'RecordError', 5),
    ('RecordGenerationError', 'RecordError', 3),
    ('RecordKeyMismatch', 'RecordError', 19),
    ('RecordNotFound', 'RecordError', 2),
    ('RecordTooBig', 'RecordError', 13),
    ('RoleExistsError', 'AdminError', 71),
    ('RoleViolation', 'AdminError', 81),
    ('ScanAbortedError', 'ServerError', 15),
    ('SecurityNotEnabled', 'AdminError', 52),
    ('SecurityNotSupported', 'AdminError', 51),
    ('SecuritySchemeNotSupported', 'AdminError', 53),
    ('ServerFull', 'ServerError', 8),
    ('TLSError', 'ClientError', -9),
    ('TimeoutError', 'AerospikeError', 9),
    ('TransactionAlreadyAborted', 'ClientError', -19),
    ('TransactionAlreadyCommitted', 'ClientError', -18),
    ('TransactionFailed', 'ClientError', -17),
    ('UDFNotFound', 'UDFError', 1301),
    ('UnsupportedFeature', 'ServerError', 16),
    ('UserExistsError', 'AdminError', 61),
]

# Class attributes beyond `code` that some families add (per-instance once set).
_EXTRA_ATTRS = {
    "RecordError": {"key": None, "bin": None},
    "IndexError": {"name": None},
    "UDFError": {"module": None, "func": None},
}


def _build():
    made = {"AerospikeError": AerospikeError}
    for name, base, code in _TABLE:
        if name == "AerospikeError":
            continue
        attrs = {"code": code, "__module__": __name__}
        attrs.update(_EXTRA_ATTRS.get(name, {}))
        made[name] = type(name, (made[base],), attrs)
    return made


_CLASSES = _build()
globals().update(_CLASSES)

# result code -> class; the first class listed for a code wins (bases are listed first).
_BY_CODE = {}
for _name, _base, _code in _TABLE:
    if _code is not None:
        _BY_CODE.setdefault(_code, _CLASSES[_name])


def class_for_code(code):
    """The exception class the official client raises for result ``code``."""
    return _BY_CODE.get(code, AerospikeError)

