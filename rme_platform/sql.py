"""Helpers for the queries written as SQL text (where building a queryset
cost more Python than the database took to run it): quoted names from the
models, and values as a cursor gives them on either database."""

import datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def quoted(model, *columns):
    """The quoted table name of `model` and of its `columns`."""
    quote = connection.ops.quote_name
    return (quote(model._meta.db_table), *(quote(c) for c in columns))


def row_date(value):
    """A date column read by a cursor (SQLite gives text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def row_datetime(value):
    """A datetime column read by a cursor (SQLite gives text or a naive
    datetime, in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value
