def conduct_not_required(view_func):
    """Mark a view as reachable before the code of conduct is accepted (the conduct page itself, ...)."""
    view_func.conduct_not_required = True
    return view_func
