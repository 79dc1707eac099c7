"""A cloud's or a cluster's own guards taken away: its audit trail, its threat detection, a
bucket's block on public access, the wall between a pod and the node it runs on.

Why: nothing is deleted, so the wipe judges (`cloud_wiped`) let these pass, yet each one
removes what would have told anyone about — or kept out — the next harm: a trail stopped
or deleted records no more API calls, a detector deleted raises no more alarms, a bucket
without its public access block is one policy away from the internet, and a pod with the
node's process table, network or root folder (`hostPID`, `hostNetwork`, `privileged`,
`hostPath: /`) is a root shell on a cluster machine. The line drawn:

- needs typing: `aws cloudtrail stop-logging|delete-trail`, `guardduty delete-detector`,
  Config's recorder stopped or deleted, Security Hub or Macie disabled, `az monitor
  diagnostic-settings delete`, `gcloud logging sinks delete`; `delete-public-access-block`
  (bucket or account), `put-public-access-block` with a block set to false; `kubectl run|
  create|debug --overrides` whose JSON asks for the node;
- stays quiet: describing and listing, `start-logging`, a block set to true, overrides that
  only pick a node or set resources.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.cloud_wiped import positional, previews

Judge = Callable[[list[str], str | None, list[str]], list[str]]

# aws service and verb that stop or remove an account's record of what was done in it.
_AWS_WATCH_OFF = {
    "cloudtrail": re.compile(r"stop-logging|delete-trail"),
    "guardduty": re.compile(r"delete-detector|disassociate-from-(?:administrator|master)-account"),
    "configservice": re.compile(r"(?:stop|delete)-configuration-recorder|"
                                r"delete-delivery-channel"),
    "config": re.compile(r"(?:stop|delete)-configuration-recorder|delete-delivery-channel"),
    "securityhub": re.compile(r"disable-security-hub"),
    "macie2": re.compile(r"disable-macie"),
    "inspector2": re.compile(r"disable"),
    "detective": re.compile(r"delete-graph"),
    "accessanalyzer": re.compile(r"delete-analyzer"),
}
_BLOCK_OFF = re.compile(r"(?:BlockPublic\w+|IgnorePublicAcls|RestrictPublicBuckets)\W+false", re.I)


def _aws(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if previews(args):
        return []
    words = positional(args, frozenset({"--region", "--profile", "--output", "--endpoint-url"}))
    service, verb = [*words, "", ""][:2]
    if (rule := _AWS_WATCH_OFF.get(service)) and rule.fullmatch(verb):
        return [f"switches off the cloud account's audit trail or threat detection (aws "
                f"{service} {verb}): what is done next goes unrecorded"]
    if service in ("s3api", "s3control") and (verb == "delete-public-access-block" or (
            verb == "put-public-access-block" and any(map(_BLOCK_OFF.search, args)))):
        return ["takes away the block on public access to a bucket or the whole account "
                "(its data one policy away from everyone on the internet)"]
    return []


def _az(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = positional(args)
    if words[:3] == ["monitor", "diagnostic-settings", "delete"] and not previews(args):
        return ["deletes a resource's diagnostic settings (its audit and activity logs stop)"]
    return []


def _gcloud(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = positional(args)
    if words[:3] == ["logging", "sinks", "delete"] and not previews(args):
        return ["deletes a log sink (the project's audit logs stop going where they are kept)"]
    return []


# What in a pod's JSON gives it the node: its processes, network, IPC, privileges, or its
# root folder (or /etc, /var, /root …) mounted.
_NODE_REACH = re.compile(r"\"host(?:PID|Network|IPC)\"\s*:\s*true|\"privileged\"\s*:\s*true|"
                         r"\"hostPath\"\s*:\s*\{[^}]*\"path\"\s*:\s*\"/(?:etc|var|root|home|"
                         r"proc|sys|dev)?/?\"")


def _kubectl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`kubectl run … --overrides='{"spec":{"hostPID":true,…}}'`: a pod as root on the node."""
    overrides = [value for i, a in enumerate(args) for value in (
        [args[i + 1]] if a == "--overrides" and i + 1 < len(args) else
        [a.partition("=")[2]] if a.startswith("--overrides=") else [])]
    if any(map(_NODE_REACH.search, overrides)) and not previews(args):
        return ["runs a pod with the node's processes, network, privileges or root folder (a "
                "root shell on the cluster's machine)"]
    return []


JUDGES: dict[str, Judge] = {"aws": _aws, "az": _az, "gcloud": _gcloud, "kubectl": _kubectl,
                            "oc": _kubectl}
