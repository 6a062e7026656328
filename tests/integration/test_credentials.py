"""Where credentials come from, end to end: the SDKs' chain against moto with IAM auth on."""

from __future__ import annotations

import json
import os
import stat


def test_no_credentials_anywhere_is_exit_2_listing_what_was_tried(without_credentials, run_binary):
    r = run_binary(["once"], env=without_credentials)
    assert r.rc == 2, r.describe()
    message = r.err_lines[0]["message"]
    assert message.startswith("no AWS credentials found: tried environment")
    for source in ("web identity", "shared config files", "container", "EC2 instance metadata"):
        assert source in message


def test_a_named_profile_in_the_shared_credentials_file_publishes(moto, without_credentials, run_binary, tmp_path, today, get_events):
    creds = tmp_path / "credentials"
    p = moto.publisher
    creds.write_text(
        f"[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\naws_secret_access_key = wrong-default-secret\n\n"
        f"[heartbeat]\naws_access_key_id = {p.access_key_id}\naws_secret_access_key = {p.secret_access_key}\n"
    )
    env = {**without_credentials, "AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_PROFILE": "heartbeat"}
    r = run_binary(["once"], env=env)
    assert r.rc == 0, r.describe()
    validated = [l for l in r.out_lines if l["message"].startswith("Environment validation successful")]
    assert validated[0]["credentials_provider"].startswith("profile")
    assert len(get_events("/monorepo-fem/heartbeat", f"heartbeat-{today}", expected=1)) == 1


def test_credential_process_supplies_credentials_without_a_shell(moto, without_credentials, run_binary, tmp_path, today, get_events):
    p = moto.publisher
    script = tmp_path / "creds-helper"
    script.write_text(
        "#!/bin/sh\n"
        f"echo '{json.dumps({'Version': 1, 'AccessKeyId': p.access_key_id, 'SecretAccessKey': p.secret_access_key})}'\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    config = tmp_path / "config"
    config.write_text(f"[profile proc]\ncredential_process = {script}\nregion = ap-southeast-2\n")
    env = {**without_credentials, "AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "proc"}
    r = run_binary(["once"], env=env)
    assert r.rc == 0, r.describe()
    assert len(get_events("/monorepo-fem/heartbeat", f"heartbeat-{today}", expected=1)) == 1


def test_region_comes_from_the_profile_when_no_variable_sets_it(moto, run_binary, tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\n")
    env = {**moto.env("publisher"), "AWS_CONFIG_FILE": str(config), "AWS_REGION": None, "AWS_DEFAULT_REGION": None}
    r = run_binary(["once"], env=env)
    assert r.rc == 0, r.describe()
    assert "Environment validation successful (AWS_REGION=eu-west-1)" in [l["message"] for l in r.out_lines]
