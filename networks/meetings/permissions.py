"""Who may see and do what with network meetings, for the pages and the API
alike. Built on networks.permissions.

- Supervisors of the network (networks.permissions.is_network_supervisor:
  an active supervisor membership) and ministry admins convene and run its
  meetings. A supervisor of the network's DEPROV who is not assigned to it
  manages the network but does not run, nor see, its meetings.
- Active members (an active Membership of the network) propose, vote, RSVP,
  read published minutes and follow agreements.
- Everybody else gets 404 for a meeting: its existence is private.
"""

from django.db import connection

from networks.models import Membership, Network
from networks.permissions import is_network_supervisor, supervised_networks
from rme_platform.accounts.permissions import is_active_user, is_admin

from .models import Meeting


def runnable_networks(user):
    """Networks whose meetings the user convenes and runs."""
    if is_admin(user):
        return Network.objects.all()
    return supervised_networks(user)


def member_network_ids(user):
    """Networks where the user is an active member, as a subquery."""
    return Membership.objects.filter(user=user, active=True).values("network_id")


def meeting_networks(user):
    """Networks whose meetings the user may see: those they run and those
    they belong to."""
    if not is_active_user(user):
        return Network.objects.none()
    if is_admin(user):
        return Network.objects.all()
    # Supervising a network is an active membership of it.
    return Network.objects.filter(pk__in=member_network_ids(user))


def visible_meetings(user):
    """Meetings the user may see (any status)."""
    if not is_active_user(user):
        return Meeting.objects.none()
    if is_admin(user):
        return Meeting.objects.all()
    # meeting_networks(user) without the Network table: the networks of the
    # user's active memberships (one subquery fewer to build and plan).
    return Meeting.objects.filter(network_id__in=member_network_ids(user))


def visible_meetings_sql(user, network):
    """visible_meetings(user) as a SQL condition on a meeting's `network`
    column (text and parameters), for reads written in SQL; None when the
    user sees none."""
    if not is_active_user(user):
        return None
    if is_admin(user):
        return "1 = 1", []
    quote = connection.ops.quote_name
    return (
        f"{network} IN (SELECT"  # noqa: S608 - our model's quoted names; values are parameters
        f" {quote('network_id')} FROM {quote(Membership._meta.db_table)} "
        f"WHERE {quote('user_id')} = %s AND {quote('active')} = %s)",
        [user.pk, True],
    )


def can_convene(user, network):
    return is_admin(user) or is_network_supervisor(user, network)


def can_run(user, meeting):
    """Edit, reschedule and cancel the meeting, set its agenda, take
    attendance, write minutes and agreements."""
    return can_convene(user, meeting.network)


def is_member(user, network):
    """An active member of the network: may propose, vote and RSVP."""
    return (
        is_active_user(user)
        and Membership.objects.filter(user=user, network_id=network.pk, active=True).exists()
    )


def is_member_of_visible(user, meeting):
    """is_member(user, meeting.network) for a meeting read through
    visible_meetings(user): who is not an admin sees a meeting only as an
    active member of its network, so only an admin is asked again."""
    return is_member(user, meeting.network) if is_admin(user) else is_active_user(user)


def can_read_minutes(user, meeting, *, runs=None):
    """Members read published minutes; who runs the meeting reads drafts too."""
    runs = can_run(user, meeting) if runs is None else runs
    minutes = getattr(meeting, "minutes", None)
    return runs or (minutes is not None and minutes.is_published)


def can_follow_up(user, agreement, *, runs=None):
    """Add follow-up notes and change the status of an agreement: who runs
    the network's meetings, the person responsible for it, and the members
    from the school responsible for it."""
    if not is_active_user(user):
        return False
    runs = can_run(user, agreement.meeting) if runs is None else runs
    if runs or agreement.responsible_user_id == user.pk:
        return True
    return bool(agreement.responsible_school_id) and (
        Membership.objects.filter(
            user=user,
            network_id=agreement.meeting.network_id,
            school_id=agreement.responsible_school_id,
            active=True,
        ).exists()
    )
