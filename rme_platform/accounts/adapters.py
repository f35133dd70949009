from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts exist by invitation only."""

    def is_open_for_signup(self, request):
        return False
