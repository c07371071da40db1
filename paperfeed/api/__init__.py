"""The JSON API (django-ninja): one router per app, mounted at /api/; it holds no logic."""
