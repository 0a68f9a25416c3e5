"""The registry table: every entry implements the Registry protocol; unknown names are clear."""

from __future__ import annotations

import inspect

import pytest

from reflekt.core.errors import ConfigError, SelectError
from reflekt.core.profiles import SegmentRegistryConfig
from reflekt.core.registries import check_registry
from reflekt.core.registries.compare import compare_base_for
from reflekt.core.registries.git_base import GitBase
from reflekt.core.registries.protocol import CompareBase, Registry
from reflekt.core.registries.sync import parse_registry_select
from reflekt.core.registries.table import REGISTRIES, registry_for, registry_names
from reflekt.core.secrets import Secret

# What the protocol asks of a registry: the methods, with the arguments the jobs pass.
PROTOCOL_METHODS = {
    "check": ["config", "profile_name", "policy"],
    "pull": ["context", "plan", "progress"],
    "pulled_version": ["remote", "local"],
    "describe": ["remote"],
    "push_refused": [],
    "push_preview": ["context", "plan", "files", "delete", "progress"],
    "push": ["context", "plan", "files", "delete", "progress"],
    "compare_base": ["context", "selects", "progress"],
}


def test_the_table_holds_segment_avo_and_iglu():
    assert registry_names() == ("segment", "avo", "iglu")


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_each_entry_implements_the_registry_protocol(name):
    registry = registry_for(name)
    assert isinstance(registry, Registry)
    assert isinstance(registry, CompareBase)
    assert registry.name == name
    assert registry.plan_kind in ("tracking plan", "branch", "vendor")
    for method, parameters in PROTOCOL_METHODS.items():
        signature = inspect.signature(getattr(registry, method))
        assert list(signature.parameters) == parameters, (name, method)


def test_the_protocol_lists_the_methods_the_test_checks():
    declared = {
        member
        for member, value in vars(Registry).items()
        if callable(value) and not member.startswith("_")
    } | {
        member
        for member, value in vars(CompareBase).items()
        if callable(value) and not member.startswith("_")
    }
    assert declared == set(PROTOCOL_METHODS)


def test_the_same_instance_serves_every_call():
    assert registry_for("segment") is registry_for("segment")


def test_an_unknown_registry_type_is_a_config_error_naming_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        registry_for("confluent")
    assert str(caught.value) == "unknown registry type 'confluent' (known: segment, avo, iglu)"
    assert caught.value.exit_code == 2
    assert caught.value.hint


def test_check_registry_of_an_unknown_type_is_the_same_error():
    class ConfluentConfig:
        type = "confluent"

    with pytest.raises(ConfigError, match="unknown registry type 'confluent'"):
        check_registry(ConfluentConfig())  # type: ignore[arg-type]


def test_check_registry_goes_to_the_entry_of_the_config_type():
    config = SegmentRegistryConfig(api_token=Secret(" "))
    with pytest.raises(ConfigError, match="the Segment api_token of profile 'dev' is empty"):
        check_registry(config, "dev")


def test_a_select_naming_no_known_registry_lists_the_table():
    with pytest.raises(SelectError) as caught:
        parse_registry_select("confluent/plan", command="pull")
    assert "must start with a registry: segment/<plan> or avo/<branch> or iglu/<vendor>" in str(
        caught.value
    )


def test_a_select_without_a_plan_names_the_registrys_plan_kind():
    with pytest.raises(SelectError, match="names no tracking plan: use segment/<plan>"):
        parse_registry_select("segment", command="pull")
    with pytest.raises(SelectError, match="names no branch: use avo/<branch>"):
        parse_registry_select("avo", command="pull")


def test_only_registries_that_take_a_push_say_so():
    assert registry_for("segment").push_refused() is None
    assert registry_for("iglu").push_refused() is None
    refused = registry_for("avo").push_refused()
    assert isinstance(refused, SelectError)
    assert "push to Avo is not supported" in str(refused)


def test_the_git_base_is_a_compare_base_and_not_a_registry():
    base = compare_base_for("git:main")
    assert base == GitBase("main")
    assert isinstance(base, CompareBase)
    assert not isinstance(base, Registry)
    assert isinstance(compare_base_for(None), CompareBase)
    for bad in ("git:", "svn:trunk"):
        with pytest.raises(SelectError):
            compare_base_for(bad)
