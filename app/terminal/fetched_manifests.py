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

The same for an image (the fourteenth set): `kubectl run … --image=203.0.113.5:5000/x`,
`kubectl create deployment|job|cronjob … --image=…` or `docker|podman run …` of an image
served by a bare public address — a host nobody named, answering for no name — starts
whatever that host serves, kept running (`--restart=Always`) and often among the system's
own pods. Images by name (`nginx`, `ghcr.io/…`), and registries on this machine or its
private network (`localhost:5000`, `192.168.1.10:5000`) stay quiet.
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


# An image whose registry is a bare address outside loopback and the private ranges.
_BARE_IMAGE = re.compile(r"^(?!(?:127|10)\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\."
                         r"|169\.254\.)\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/\S+$")
_IMAGE_VERBS = (["run"], ["create"], ["set", "image"])


def _bare_image(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`kubectl run P --image=IP:5000/x`, `docker run -d IP/x`: an image from a bare address."""
    words = [a for a in args if not a.startswith("-")]
    if previews(args) or not any(words[:len(verb)] == verb for verb in _IMAGE_VERBS):
        return []
    images = [v for v in _values(args, frozenset({"--image"})) + words if _BARE_IMAGE.match(v)]
    return _reason(f"the image {images[0]}") if images else []


def _both(*judges: Judge) -> Judge:
    def judge(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
        return [reason for each in judges for reason in each(args, cwd, piped)]

    return judge


def applies_input(name: str, args: list[str]) -> bool:
    """`kubectl apply -f -`: the manifest is what flows in (a download, when one does)."""
    return name in ("kubectl", "oc") and not previews(args) and bool(
        _APPLIES & set(positional(args, _KUBE_VALUED)[:1])) and "-" in _values(
        args, frozenset({"-f", "--filename"}))


JUDGES: dict[str, Judge] = {"kubectl": _both(_kubectl, _bare_image),
                            "oc": _both(_kubectl, _bare_image), "helm": _helm,
                            "podman": _both(_podman, _bare_image), "docker": _bare_image,
                            "nerdctl": _bare_image}
