from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts exist only by invitation (P1): the sign-up page answers that sign-up is closed."""

    def is_open_for_signup(self, request):
        return False
