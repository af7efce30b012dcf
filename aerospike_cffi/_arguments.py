"""Argument errors worded as the official client's C argument parser words them.

Code written against the official client (its own tests among it) looks for those words
("get() missing required argument 'key' (pos 1)", "takes at most 2 arguments (3 given)").
The wording costs a call layer, so it is put only on functions and methods off the hot
path: module functions, and the Client, Scan and Query methods that are not record or
batch commands (see ``c_style_methods``). The record and batch commands keep Python's own
words (docs/migrating.rst).
"""

import functools
import inspect


def c_style(fn, method=False):
    """``fn`` with its argument errors reworded; ``method``: its first parameter is self
    (not counted, as the official's methods count only what the caller passes)."""
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount]
    required = len(names) - len(fn.__defaults__ or ())
    skip = 1 if method else 0
    public = names[skip:]
    name = fn.__name__
    most = len(public)

    def reword(args, kwargs):
        # only reached when the call failed: find the official's first complaint
        given = len(args) - skip + len(kwargs)
        if given > most:
            return TypeError("%s() takes at most %d argument%s (%d given)"
                             % (name, most, "" if most == 1 else "s", given))
        for key in kwargs:
            if key not in public:
                return TypeError("'%s' is an invalid keyword argument for %s()" % (key, name))
            pos = names.index(key)
            if pos < len(args):
                return TypeError("argument for %s() given by name ('%s') and position (%d)"
                                 % (name, key, pos + 1 - skip))
        for pos in range(len(args), required):
            if names[pos] not in kwargs:
                return TypeError("%s() missing required argument '%s' (pos %d)"
                                 % (name, names[pos], pos + 1 - skip))
        return None

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:
            # A call that did not bind fails before fn runs: its traceback ends here.
            # A TypeError raised inside fn passes unchanged.
            if exc.__traceback__.tb_next is None:
                error = reword(args, kwargs)
                if error is not None:
                    raise error from None
            raise

    return call


def _plain(fn):
    """A function with only positional-or-keyword parameters (something to reword)."""
    if not inspect.isfunction(fn):
        return False
    code = fn.__code__
    return (not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
            and not code.co_kwonlyargcount and code.co_argcount > 1)


def c_style_methods(cls, exclude=()):
    """Reword the argument errors of the public methods of ``cls`` (its own and inherited
    ones), except those defined in a class of ``exclude``; the wrappers are set on ``cls``."""
    excluded = set()
    for base in exclude:
        excluded.update(name for name in vars(base) if not name.startswith("_"))
    for name in dir(cls):
        if name.startswith("_") or name in excluded:
            continue
        fn = inspect.getattr_static(cls, name)
        if _plain(fn):
            setattr(cls, name, c_style(fn, method=True))
