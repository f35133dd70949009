"""Celery application, configured from Django settings (CELERY_ namespace).

Without REDIS_URL tasks run eagerly in process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rme_platform.settings")

app = Celery("rme_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
