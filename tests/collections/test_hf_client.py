"""Hugging Face's own client, `huggingface_hub.HfApi`, managing collections on a live
paperfeed: a script written for huggingface.co's collections works by changing the endpoint."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.contrib.auth.models import User
from huggingface_hub import HfApi, constants
from huggingface_hub.errors import HfHubHTTPError

from paperfeed.accounts.tokens import api_token_create
from paperfeed.collections.models import CollectionItem
from tests.community.factories import make_paper

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def hf(live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> HfApi:
    for arxiv_id, title in (("2603.00001", "Sparse diffusion"), ("hep-th/9901001", "Strings")):
        make_paper(arxiv_id, title=title)
    user = User.objects.create_user("ada")
    token = api_token_create(user=user, name="hf").secret
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # only the loopback server
    return HfApi(endpoint=live_server.url, token=token)


def test_huggingface_hub_manages_a_collection(hf: HfApi, live_server: Any) -> None:
    made = hf.create_collection("Reading group", namespace="ada", description="Fridays.")
    assert made.slug == "ada/reading-group" and made.owner["name"] == "ada"
    assert made.url == f"{live_server.url}/collections/ada/reading-group"
    hf.add_collection_item(made.slug, "2603.00001", "paper", note="Start here.")
    added = hf.add_collection_item(made.slug, "hep-th/9901001", "paper")
    assert [item.item_id for item in added.items] == ["2603.00001", "hep-th/9901001"]
    assert added.items[0].note == "Start here." and added.items[0].item_type == "paper"
    again = hf.add_collection_item(made.slug, "2603.00001", "paper", exists_ok=True)
    assert len(again.items) == 2
    with pytest.raises(HfHubHTTPError):
        hf.add_collection_item(made.slug, "2603.00001", "paper")  # 409 without exists_ok

    strings = added.items[1]
    hf.update_collection_item(made.slug, strings.item_object_id, position=0, note="Old.")
    got = hf.get_collection(made.slug)
    assert [(i.item_id, i.position, i.note) for i in got.items] == [
        ("hep-th/9901001", 0, "Old."),
        ("2603.00001", 1, "Start here."),
    ]
    assert got.title == "Reading group" and got.description == "Fridays." and got.private is False

    updated = hf.update_collection_metadata(made.slug, title="Friday group", private=True)
    assert updated.title == "Friday group" and updated.private is True
    assert [c.slug for c in hf.list_collections(owner="ada")] == ["ada/reading-group"]
    assert list(HfApi(endpoint=live_server.url, token=False).list_collections()) == []  # private

    hf.delete_collection_item(made.slug, strings.item_object_id)
    assert [i.item_id for i in hf.get_collection(made.slug).items] == ["2603.00001"]
    hf.delete_collection_item(made.slug, strings.item_object_id, missing_ok=True)
    hf.delete_collection(made.slug)
    hf.delete_collection(made.slug, missing_ok=True)
    assert not CollectionItem.objects.exists()
