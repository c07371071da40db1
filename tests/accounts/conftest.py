from tests.community.factories import make_user, user

__all__ = ["make_user", "user"]  # fixtures
