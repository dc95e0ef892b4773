"""The `any_of` lookup (cssr/lookups.py) finds exactly what `in` finds, on SQLite and on PostgreSQL."""

import pytest
from django.contrib.auth import get_user_model

from workgroups.models import Membership

from . import factories

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds_through_joins_and_on_text_columns():
    space = factories.make_space()
    users = [factories.add_member(space, username=f"any{i}") for i in range(5)]
    User = get_user_model()
    wanted = [users[0].pk, users[3].pk, users[3].pk, 10**9]  # a duplicate and an id that does not exist
    assert (
        set(User.objects.filter(pk__any_of=wanted))
        == set(User.objects.filter(pk__in=wanted))
        == {users[0], users[3]}
    )
    assert set(
        Membership.objects.filter(user__any_of=wanted, space=space).values_list("user_id", flat=True)
    ) == {users[0].pk, users[3].pk}
    assert list(User.objects.filter(username__any_of=["any1", "nobody"])) == [users[1]]
    assert User.objects.exclude(pk__any_of=wanted).filter(pk__any_of=[u.pk for u in users]).count() == 3


def test_any_of_an_empty_list_matches_nothing(django_assert_num_queries):
    factories.make_space()
    with django_assert_num_queries(0):
        assert list(get_user_model().objects.filter(pk__any_of=[])) == []
    assert get_user_model().objects.exclude(pk__any_of=[]).count() == get_user_model().objects.count()


def test_on_postgresql_the_list_is_one_array_parameter():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ids = list(range(1, 501))
    with CaptureQueriesContext(connection) as captured:
        list(get_user_model().objects.filter(pk__any_of=ids))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql and sql.count(",") >= len(ids) - 1
