"""`reflekt debug --connect` asks each registry of the profile whether it accepts the credentials."""

from __future__ import annotations

from click.testing import CliRunner
from registry_fakes import AVO_ACCOUNT, SEGMENT_TOKEN

from reflekt.cli import cli
from reflekt.core.errors import RegistryError
from reflekt.core.profiles import AvoRegistryConfig, SegmentRegistryConfig
from reflekt.core.registries import check_registry
from reflekt.core.secrets import Secret


def test_check_registry_segment_and_avo(segment, avo):
    segment.add_plan("shop")
    avo.set_branch("main", {"events": [{"name": "a"}, {"name": "b"}]})

    segment_ok = check_registry(
        SegmentRegistryConfig(api_token=Secret(SEGMENT_TOKEN), api_url=segment.url), "dev"
    )
    avo_ok = check_registry(
        AvoRegistryConfig("ws123", AVO_ACCOUNT[0], Secret(AVO_ACCOUNT[1]), api_url=avo.url), "dev"
    )

    assert "token accepted, 1 tracking plan(s)" in segment_ok
    assert "2 event(s) on main" in avo_ok


def test_check_registry_rejected_token(segment):
    config = SegmentRegistryConfig(api_token=Secret("nope-token-123"), api_url=segment.url)
    try:
        check_registry(config, "dev")
    except RegistryError as error:
        assert "rejected the credentials of profile 'dev'" in str(error)
        assert "nope-token-123" not in str(error)
        assert error.exit_code == 3
    else:
        raise AssertionError("expected a RegistryError")


def test_debug_connect_through_the_cli(segment, segment_project):
    good = segment_project()
    ok = CliRunner().invoke(cli, ["debug", "--connect", "--project-dir", str(good.root)])
    assert ok.exit_code == 0, ok.output
    assert "token accepted" in ok.output

    bad = segment_project(token="bad-token-xyz-42")
    failed = CliRunner().invoke(cli, ["debug", "--connect", "--project-dir", str(bad.root)])
    assert failed.exit_code == 3
    assert "bad-token-xyz-42" not in failed.output
