"""Manifests and charts a cluster runs, taken straight from an address.

Why: `kubectl apply -f URL` or `helm install NAME oci://HOST/chart` hands the cluster
whatever that address serves today, and the cluster starts it at once with the rights it
asks for — cluster roles, privileged daemon sets, host mounts — with nobody having read it.
That is the same act as piping a download into a shell, whichever tool does it: `kubectl`
and `oc` (`apply|create|replace -f URL`, a remote kustomization `-k github.com/…`, a
download piped into `-f -`), `helm install|upgrade` of a chart given by address (`oci://`,
`https://…tgz`, `--repo URL`) and `podman kube play URL`. A local file, a chart from a
repository the user added (`bitnami/nginx`), a dry run, `kubectl diff`, `helm template`,
`helm pull` and `helm show` only show what would run, and stay single-click.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.cloud_wiped import positional, previews

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_ADDRESS = re.compile(r"^(?:https?|oci)://")
# A remote kustomization: a URL, or a repository named by its forge (`github.com/u/r//dir`).
_REMOTE_BASE = re.compile(r"^(?:(?:https?|ssh|git)://|git@|git::|[\w-]+(?:\.[\w-]+)+/[\w.-]+/)")
_APPLIES = frozenset({"apply", "create", "replace"})
_KUBE_VALUED = frozenset({"-n", "--namespace", "--context", "--cluster", "--kubeconfig",
                          "--user", "-s", "--server", "-l", "--selector", "-o", "--output",
                          "-f", "--filename", "-k", "--kustomize", "--field-manager"})
_HELM_VALUED = frozenset({"-n", "--namespace", "-f", "--values", "--set", "--set-string",
                          "--set-file", "--set-json", "--version", "--kube-context",
                          "--kubeconfig", "--timeout", "--description", "--username",
                          "--password", "--ca-file", "--cert-file", "--key-file",
                          "--post-renderer", "--registry-config", "--repository-config",
                          "--repository-cache", "--repo"})


def _values(args: list[str], options: frozenset[str]) -> list[str]:
    """The values given to `options`, in any spelling: `-f X`, `-f=X`, `--filename=X`."""
    found = []
    for index, arg in enumerate(args):
        name, sep, value = arg.partition("=")
        if name in options:
            found += [value] if sep else args[index + 1:index + 2]
    return found


def _reason(source: str) -> list[str]:
    return [f"runs in the cluster what an address serves ({source}), unread: the same as "
            f"piping a download into a shell"]


def _kubectl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`kubectl apply -f https://…`, `create -f=URL`, `apply -k github.com/u/r//dir`."""
    if previews(args) or not _APPLIES & set(positional(args, _KUBE_VALUED)[:1]):
        return []
    files = [v for v in _values(args, frozenset({"-f", "--filename"})) if _ADDRESS.match(v)]
    bases = [v for v in _values(args, frozenset({"-k", "--kustomize"}))
             if _REMOTE_BASE.match(v)]
    return _reason((files + bases)[0]) if files or bases else []


def _helm(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`helm install NAME oci://…`, `helm upgrade --install NAME https://…/c.tgz`,
    `helm install NAME CHART --repo https://…`."""
    words = positional(args, _HELM_VALUED)
    if previews(args) or words[:1] not in (["install"], ["upgrade"]):
        return []
    charts = [w for w in words[1:] if _ADDRESS.match(w)]
    charts += [v for v in _values(args, frozenset({"--repo"})) if _ADDRESS.match(v)]
    return _reason(charts[0]) if charts else []


def _podman(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`podman kube play URL` (or the older `play kube`): the pods of a fetched manifest."""
    words = positional(args)
    if previews(args) or words[:2] not in (["kube", "play"], ["play", "kube"]):
        return []
    remote = [w for w in words[2:] if _ADDRESS.match(w)]
    return _reason(remote[0]) if remote else []


def applies_input(name: str, args: list[str]) -> bool:
    """`kubectl apply -f -`: the manifest is what flows in (a download, when one does)."""
    return name in ("kubectl", "oc") and not previews(args) and bool(
        _APPLIES & set(positional(args, _KUBE_VALUED)[:1])) and "-" in _values(
        args, frozenset({"-f", "--filename"}))


JUDGES: dict[str, Judge] = {"kubectl": _kubectl, "oc": _kubectl, "helm": _helm,
                            "podman": _podman}
