"""Creating the people who work tickets."""

from __future__ import annotations

import pytest

from grievance_engine import users
from grievance_engine.models import Role
from infra.db import session_scope


def test_a_user_gets_an_argon2_hash_never_the_password(world):
    with session_scope() as session:
        user, clear = users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(
                email="Officer.Rangpur@Example.org",
                role=Role.OFFICER,
                district="rangpur",
                password="correct horse battery",
            ),
        )
        assert user.email == "officer.rangpur@example.org"
        assert user.area_id == world.rangpur
        assert user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash
        assert users.verify_password(user.password_hash, "correct horse battery")
        assert not users.verify_password(user.password_hash, "wrong password")
        assert clear == "correct horse battery"


def test_a_generated_password_is_returned_once_and_works(world):
    with session_scope() as session:
        user, clear = users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email="a@example.org", role=Role.AGENT),
        )
        assert len(clear) >= 16 and users.verify_password(user.password_hash, clear)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email", "role": Role.AGENT}, "not an email"),
        ({"email": "o@example.org", "role": Role.OFFICER}, "needs --district"),
        ({"email": "o@example.org", "role": Role.OFFICER, "district": "Atlantis"}, "Atlantis"),
        ({"email": "o@example.org", "role": Role.AGENT, "password": "short"}, "10 characters"),
    ],
)
def test_bad_input_is_refused_with_a_reason(world, fields, message):
    with pytest.raises(users.UserError, match=message), session_scope() as session:
        users.create(session=session, country="BD", user_in=users.UserCreate(**fields))


def test_an_email_is_used_once(world):
    with session_scope() as session:
        users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email="x@example.org", role=Role.ADMIN),
        )
    with pytest.raises(users.UserError, match="already exists"), session_scope() as session:
        users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email="X@example.org", role=Role.ADMIN),
        )
