"""Mark a reader's model stale when what it learns from changes; the next read retrains it.

Library entries and votes belong to other apps, which need not know that recommendations exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from paperfeed.accounts.models import LibraryEntry
from paperfeed.community.models import Vote
from paperfeed.recommend.models import Dismissal, Interest, ReaderModel


def reader_model_expire(*, user_id: int) -> None:
    ReaderModel.objects.filter(user_id=user_id).update(signal_changed_at=timezone.now())


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    reader_model_expire(user_id=instance.user_id)


def connect() -> None:
    for model in (LibraryEntry, Vote, Dismissal, Interest):
        uid = f"recommend-expire-{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
