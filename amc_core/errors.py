"""Errors the engine reports to people: each carries one clear sentence."""

from __future__ import annotations

# The exit status of every command (and the app) that finds the library damaged, whatever
# the damage; argparse's usage errors exit 2, other errors 1.
EXIT_DAMAGED = 3


class AmcError(Exception):
    """An error with a message fit to show a user as is (no traceback needed)."""


class LibraryError(AmcError):
    """The library folder or its catalog cannot be used."""


class CatalogDamagedError(LibraryError):
    """The catalog file is not a readable catalog (`amc repair` rebuilds it)."""


class LibraryLockedError(LibraryError):
    """Another process is indexing this library."""


class UserInputError(AmcError):
    """A path, query or argument from the user is not usable."""
