"""Checks that run before a write's body is read, so that someone who may not make the change
is told so (404 or 403) whatever they sent, rather than what is wrong with their body."""

from functools import wraps


def checked_first(load):
    """`load(**kwargs)` gets the view's path and query arguments, loads and authorizes what they
    name (aborting when the caller may not), and returns the keyword arguments the view takes
    instead. Place it between the query `arguments` and the body `arguments`."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            return view(*args, **load(**kwargs))

        return guarded

    return decorator
