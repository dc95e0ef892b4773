def conduct_not_required(view_func):
    """Mark a view as reachable before the code of conduct is accepted (the conduct page itself, ...)."""
    view_func.conduct_not_required = True
    return view_func


def two_factor_not_required(view_func):
    """Mark a view as outside the two-factor gate (the health checks: they show nothing of anyone)."""
    view_func.two_factor_not_required = True
    return view_func
