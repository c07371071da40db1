"""Who may read /metrics: addresses, networks and bearer tokens."""

from __future__ import annotations

import pytest

from paperfeed.lib.allowlist import allowlist_parse


def test_addresses_and_networks_admit_the_callers_inside_them() -> None:
    allowed = allowlist_parse(["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"])
    assert allowed.allows(address="127.0.0.1")
    assert allowed.allows(address="::1")
    assert allowed.allows(address="10.200.0.7")
    assert allowed.allows(address="fd12::5")
    assert not allowed.allows(address="127.0.0.2")
    assert not allowed.allows(address="11.0.0.1")
    assert not allowed.allows(address=None)
    assert not allowed.allows(address="not-an-address")


def test_an_ipv4_caller_on_a_dual_stack_socket_matches_its_ipv4_entry() -> None:
    assert allowlist_parse(["127.0.0.1"]).allows(address="::ffff:127.0.0.1")


def test_a_token_admits_a_bearer_of_it_from_any_address() -> None:
    allowed = allowlist_parse(["token:s3cret"])
    assert allowed.allows(address="203.0.113.9", authorization="Bearer s3cret")
    assert allowed.allows(address=None, authorization="bearer s3cret")
    assert not allowed.allows(address="203.0.113.9", authorization="Bearer s3cre")
    assert not allowed.allows(address="203.0.113.9", authorization="Basic s3cret")
    assert not allowed.allows(address="203.0.113.9", authorization="Bearer ")


def test_a_host_network_with_bits_set_is_accepted_as_its_network() -> None:
    assert allowlist_parse(["192.168.1.7/24"]).allows(address="192.168.1.200")


@pytest.mark.parametrize("entry", ["localhost", "10.0.0.0/33", "token:", "token:a b", "*"])
def test_an_entry_that_is_neither_an_address_a_network_nor_a_token_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="token:SECRET|no usable token"):
        allowlist_parse([entry])
