from celery import shared_task

from . import services


@shared_task
def import_directory_task(job_id):
    """Import an uploaded directory file, recording progress on its ImportJob.
    Runs once: a job that is no longer pending is left alone."""
    return services.run_import_job(job_id=job_id)
