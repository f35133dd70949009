"""An invited account is inactive until its invitation is accepted (issue
14): a revoked or expired invitation must not leave an account that a
password reset or an email confirmation lets in.

Existing accounts: those with an accepted invitation, or never invited
(created by staff, the directory, the demo), stay as they are; those whose
invitations were all left unaccepted (pending, expired or revoked) are
deactivated, unless they got in some other way and used the platform (they
have signed in, or hold a usable password). Accepting a (fresh) invitation
activates them again."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def deactivate_unaccepted_invitees(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    invited = Invitation.objects.filter(user=OuterRef("pk"))
    accepted = invited.filter(accepted_at__isnull=False)
    # Django marks an unusable password with a leading "!" (an invited
    # account is created with one); historical models lack the methods.
    usable_password = ~Q(password="") & ~Q(password__startswith="!")
    User.objects.filter(Exists(invited), ~Exists(accepted), is_active=True).exclude(
        Q(last_login__isnull=False) | usable_password
    ).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(deactivate_unaccepted_invitees, migrations.RunPython.noop),
    ]
