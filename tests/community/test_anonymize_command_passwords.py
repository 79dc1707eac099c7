"""Passwords on command lines, found by the option that takes them (issue 18, Scope 5)."""

from __future__ import annotations

import pytest

from app.community.anonymize import anonymize


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("PGPASSWORD=hunter2x psql -h db -U app", "hunter2x"),
        ("export RSYNC_PASSWORD=abc123; rsync -a x/ backup::x", "abc123"),
        ("MYSQL_PWD=xyz987 mysql -u root", "xyz987"),
        ("curl -u alice:pw123456 https://api.example.org", "pw123456"),
        ("curl --user 'alice:pw 77' https://api.example.org", "pw 77"),
        ("mysql -u root -pS3cretPw shop", "S3cretPw"),
        ("sshpass -p hunter2 ssh box uptime", "hunter2"),
        ("docker login registry.example.org -u ci-bot -p Rg7vQ2mX", "Rg7vQ2mX"),
        ("podman login -u me --password 'tr0ub4dor' quay.io", "tr0ub4dor"),
        ("redis-cli -a s3cr3tpass ping", "s3cr3tpass"),
        ("mongosh -u admin -p pw1234 --authenticationDatabase admin", "pw1234"),
        ("smbclient //nas/share -U bob%pass123 -c ls", "pass123"),
        ("openssl rsa -passin pass:abc123 -in key.pem", "abc123"),
        ("zip -P secret123 -r out.zip docs", "secret123"),
        ("Log in with `docker login -u ci -p Gh7kQ2zL` first, then pull.", "Gh7kQ2zL"),
    ],
)
def test_a_password_after_its_option_is_removed(text: str, secret: str) -> None:
    out = anonymize(text).text
    assert secret not in out
    assert "<SECRET>" in out


@pytest.mark.parametrize(
    "text",
    [
        "mysql -u root -p shop",  # -p alone asks for the password; `shop` is the database
        "docker login -u me --password-stdin ghcr.io",
        "redis-cli -a $REDIS_PASS ping",
        "curl -u $USER:$TOKEN https://api.example.org",
        "ssh -p 2222 build",
        "zip -r out.zip docs",
        "PWD=/tmp ls",
        "export GITHUB_TOKEN=$(gh auth token)",
    ],
)
def test_options_and_references_that_hold_no_password_stay(text: str) -> None:
    assert anonymize(text).text == text
