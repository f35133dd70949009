"""Celery tasks of the networks app (autodiscovered as networks.tasks)."""

from .meeting_tasks import *  # noqa: F401,F403
from .practice_tasks import *  # noqa: F401,F403
