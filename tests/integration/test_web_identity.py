"""EKS IRSA: web identity credentials from moto's STS (AssumeRoleWithWebIdentity), end to end.

AssumeRoleWithWebIdentity is an unsigned call; moto 5.2.1 answers unsigned requests with HTTP 500
while IAM authentication is enforced, so this file runs with enforcement switched off (it has its
own moto process). What it proves: the token file is read, STS is asked for the role, and the
temporary credentials (with their session token) sign the publishing calls."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def auth_off(moto):
    moto.set_auth(False)
    yield
    moto.set_auth(True)


def test_web_identity_token_file_and_role_arn_publish_with_temporary_credentials(
    moto, auth_off, without_credentials, run_binary, tmp_path, today, get_events
):
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bXk6c2EifQ.sig")
    env = dict(without_credentials)
    env.update({
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/heartbeat-irsa",
        "AWS_ROLE_SESSION_NAME": "cwp-irsa-test",
    })
    r = run_binary(["once"], env=env)
    assert r.rc == 0, r.describe()
    validated = [l for l in r.out_lines if l["message"].startswith("Environment validation successful")]
    assert validated[0]["credentials_provider"].startswith("web")
    assert validated[0]["credentials_expiration"] != "never"
    identity = [l for l in r.out_lines if l["message"] == "AWS credentials validated successfully"]
    assert "assumed-role/heartbeat-irsa/cwp-irsa-test" in identity[0]["arn"]
    events = get_events("/monorepo-fem/heartbeat", f"heartbeat-{today}", expected=1)
    assert json.loads(events[0]["message"])["event"] == "heartbeat"
