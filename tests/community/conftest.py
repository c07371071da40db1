from tests.community.factories import make_user, moderator, user

__all__ = ["make_user", "moderator", "user"]  # fixtures
