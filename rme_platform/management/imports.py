"""What the import commands share: an import refused or a file missing
stops the command with nothing imported."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


@contextmanager
def import_errors(command, *, nothing, missing=None):
    """Run an import: a missing file raises CommandError (`missing`, or the
    error itself); a refused one writes each message to the command's stderr
    and raises CommandError(`nothing`)."""
    try:
        yield
    except FileNotFoundError as exc:
        raise CommandError(exc if missing is None else missing) from exc
    except ValidationError as exc:
        for message in exc.messages:
            command.stderr.write(message)
        raise CommandError(nothing) from exc
