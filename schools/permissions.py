"""Who may see and change the registry.

The directory is public information: any signed-in user may see every school.
Importing files is for ministry staff."""

from .models import School


def visible_schools(user):
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    return School.objects.all()


def can_import_directory(user):
    return user.is_authenticated and user.is_active and user.is_staff
