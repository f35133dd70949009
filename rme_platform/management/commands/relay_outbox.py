from django.core.management.base import BaseCommand

from rme_platform import outbox
from rme_platform.models import Outbox


class Command(BaseCommand):
    help = "Publica en Celery las tareas que esperan en la bandeja de salida (outbox)."

    def handle(self, *args, **options):
        sent = outbox.relay()
        waiting = Outbox.objects.filter(dispatched_at__isnull=True).count()
        self.stdout.write(f"sent={sent} waiting={waiting}")
        if waiting:
            raise SystemExit(1)
