from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task
def ping(value="pong"):
    """Echo a value: proves a worker receives and answers tasks."""
    return value


@shared_task
def count_users():
    """Read the database from the worker: proves it shares the web's database."""
    return get_user_model().objects.count()
