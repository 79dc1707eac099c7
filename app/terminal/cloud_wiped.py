"""Whole cloud, cluster and platform resources deleted with no question asked.

Why: a bucket with its objects, a key or secret, a DNS zone, a cluster, a virtual machine
with its disks, a namespace or every object of a Kubernetes kind, an app or a whole stack
can be gone in one line, and nothing on this machine brings them back. The line drawn, by
what is harmed rather than by spelling:

- needs typing: such a resource deleted by a tool that never asks (`aws`, `openstack`,
  `kubectl`, `qm`, `hcloud`, `gh api -X DELETE`, an HTTP `DELETE` of a whole index or
  database, `az storage blob delete-batch` with no pattern), a bucket mirrored with deletion
  from a folder that is empty by its name (`sync /tmp/empty s3://b --delete`), or
  by one that would ask, told not to (`--quiet`, `--yes`, `--force`, `-auto-approve`,
  `--confirm NAME`, `oci os bucket delete --empty --force`) — on the command line or
  through the environment the tool reads its options from (`TF_CLI_ARGS_destroy`,
  `env_options`); a serverless app's whole stack removed (`serverless remove`, `sam delete
  --no-prompts`, `amplify delete --force`); a key vault deleted (`az keyvault delete` never
  asks); a Helm release that holds a data store or runs in production uninstalled (a
  database chart's volumes orphaned, its service gone); several nodes drained at once, or
  one with `--force` and its pods' local data deleted;
- stays quiet: listing and describing, dry runs and `--help`; a delete its tool still asks
  about (`terraform destroy`, `gcloud … delete NAME`, `gh repo delete NAME`); one named
  small object — a pod (its controller starts another), a file or folder inside a bucket,
  a tag, a message, one snapshot; `helm uninstall` of a test or demo release; draining
  one node and leaving what no controller restarts (no `--force`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_PREVIEW = re.compile(r"(?:--?help|help|-\?|--?dry-?run(?:=(?!none$).*)?|--what-?if|--pretend"
                      r"|--preview)", re.I)


def previews(args: list[str]) -> bool:
    """`--help`, `help`, `--dry-run` (not kubectl's `--dry-run=none`): nothing is deleted."""
    return any(_PREVIEW.fullmatch(a) for a in args)


def positional(args: list[str], valued: frozenset[str] = frozenset()) -> list[str]:
    """Arguments that are not options, skipping the value after each option in `valued`."""
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-") and arg != "-":
            skip = arg in valued
        else:
            words.append(arg)
    return words


def _judge(rule: Callable[[list[str]], str]) -> Judge:
    """A judge from a rule that reads only the arguments and names what goes ("" if nothing);
    previews never count."""
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        harmed = "" if previews(args) else rule(args)
        return [f"deletes {harmed} with no question asked"] if harmed else []
    return judge


# aws never asks. Resources that hold data or run a service, as the noun of a delete verb;
# small objects (`delete-object`, `delete-tags`, `delete-message`, `delete-snapshot`) are
# not among them.
_AWS_WHOLE = re.compile(
    r"terminate-instances|schedule-key-deletion|delete-(?:[a-z-]+-)?(?:stack|instances?|cluster"
    r"|bucket|table|repository|file-system|vpc|function|user|key-pair|hosted-zone|secret|key"
    r"|vault|log-group|distribution|domain|graph|stream|queue|topic|namespace|environment"
    r"|application|replication-group|database|workgroup|pool|registry|volume|organization"
    r"|project|service|api|index|collection|broker|keyspace|ledger|warehouse)")
_NO_PROMPT = {"gcloud": {"--quiet", "-q"}, "az": {"--yes", "-y"}, "doctl": {"--force", "-f"},
              "openstack": {"--yes", "-y"}}
# openstack never asks for these; a stack it asks about unless `--yes`.
_OPENSTACK_WHOLE = frozenset({"server", "volume", "project", "container", "share", "zone",
                              "cluster", "instance"})


def _cloud_cli(name: str) -> Judge:
    def rule(args: list[str]) -> str:
        if name in ("aws", "gcloud") and (bucket := _bucket_tool(args)):
            return bucket
        words = positional(args)
        unasked = bool(_NO_PROMPT.get(name, set()) & set(args))
        if name == "aws":
            hit = any(map(_AWS_WHOLE.fullmatch, words))
        elif name == "openstack":
            noun = words[words.index("delete") - 1] if "delete" in words[1:] else ""
            hit = noun in _OPENSTACK_WHOLE or (noun == "stack" and unasked)
        elif name == "az" and words[:2] == ["storage", "blob"]:
            # `delete-batch` with no `--pattern` empties the whole container
            hit = "delete-batch" in words and not any(a.startswith("--pattern") for a in args)
        else:  # `az keyvault purge`: gone for good, and az never asks about it
            hit = ("delete" in words and unasked) or (name == "az" and "purge" in words) or (
                name == "az" and words[:3] in (["storage", "container", "delete"],
                                               ["storage", "share", "delete"])) or (
                name == "az" and words[:2] == ["keyvault", "delete"])
        return f"cloud resources ({name} {' '.join(words[:3])})" if hit else ""
    return _judge(rule)


# Hosting CLIs that never ask: `hcloud server delete`, `linode-cli linodes delete`,
# `vultr-cli instance delete`, `scw instance server delete` — a machine or volume with its data.
_HOST_WHOLE = frozenset({"server", "servers", "volume", "volumes", "linodes", "instance",
                         "load-balancer", "database", "databases", "bucket", "cluster",
                         "lke", "kubernetes", "block-storage"})


def _host_cli(args: list[str]) -> str:
    words = positional(args)
    verb = next((i for i, w in enumerate(words) if w in ("delete", "rm", "destroy")), 0)
    return f"a hosted {words[verb - 1]} with its data" if verb and \
        words[verb - 1] in _HOST_WHOLE and words[verb + 1:] else ""


# Oracle Cloud's CLI asks before every delete unless `--force`; these nouns hold data or run
# a service (one object, a tag or a pre-authenticated request are small).
_OCI_WHOLE = frozenset({"instance", "volume", "boot-volume", "autonomous-database", "db-system",
                        "database", "cluster", "file-system", "compartment", "vcn", "vault",
                        "user", "stack", "repository", "mount-target", "bucket"})


def _oracle(args: list[str]) -> str:
    """`oci os bucket delete --empty --force` (without `--empty` only an empty bucket goes),
    `oci os object bulk-delete --force` with no prefix or pattern, `oci compute instance
    terminate --force`."""
    words = positional(args)
    verb = next((i for i, w in enumerate(words) if w in ("delete", "terminate", "bulk-delete")),
                0)
    if not verb or "--force" not in args:
        return ""
    if words[verb] == "bulk-delete":
        picked = any(a.startswith(("--prefix", "--include", "--exclude")) for a in args)
        return "" if picked else "every object of an Oracle Cloud bucket"
    noun = words[verb - 1]
    if noun not in _OCI_WHOLE or (noun == "bucket" and "--empty" not in args):
        return ""
    return f"Oracle Cloud resources (oci {' '.join(words[:verb + 1])})"


# A source folder that is empty by its name (`/tmp/empty`, `/var/empty`, `$(mktemp -d)`).
_EMPTY_SOURCE = re.compile(r"(?:.*/)?\.?empty[\w.-]*/?|/dev/null|\$\(mktemp -d\)")


def _mirrored_empty(args: list[str]) -> str:
    """`aws s3 sync /tmp/empty s3://b --delete`, `gsutil rsync -d -r /tmp/empty gs://b`,
    `rclone sync /tmp/empty remote:b`: a bucket made to match an empty folder, so every object
    in it goes (a deploy from a real folder, `./site`, is the user's pick)."""
    words = positional(args)
    deletes = bool({"--delete", "-d"} & set(args)) or words[:1] == ["sync"]  # rclone's sync
    targets = [w for w in words if bucket_root(w) or re.fullmatch(r"[\w.-]+:[^/]*/?", w)]
    return "a whole cloud storage bucket (mirrored from an empty folder)" if deletes and \
        targets and any(map(_EMPTY_SOURCE.fullmatch, words)) and \
        ("sync" in words or "rsync" in words) else ""


def bucket_root(url: str) -> bool:
    """`s3://b`, `gs://b/`, `b2://b`, `gs://b/**`: a whole bucket, not a folder inside it."""
    return bool(re.fullmatch(r"(?:s3|gs|b2)://[^/]+/?(?:\*\*?)?", url))  # `gs://b/**`: all of it


_RECURSIVE = frozenset({"-r", "-R", "--recursive", "--force", "-rf", "-fr"})


def _bucket_tool(args: list[str]) -> str:
    """`aws s3 rm s3://b --recursive`, `aws s3 rb s3://b --force`, `gsutil rm -r gs://b`,
    `gcloud storage rm -r gs://b`, `s3cmd del --recursive s3://b`, `b2 rm --recursive
    b2://b`: a whole bucket emptied or removed (`rb` alone only removes an empty one)."""
    if mirrored := _mirrored_empty(args):
        return mirrored
    words = positional(args)
    verb = next((w for w in words if w in ("rm", "rb", "del")), "")
    if verb and any(map(bucket_root, words)) and _RECURSIVE & set(args):
        return "a whole cloud storage bucket"
    return ""


def _minio(args: list[str]) -> str:
    """`mc rb --force ALIAS/BUCKET`, `mc rm -r --force ALIAS/BUCKET`: `mc rb` alone only
    removes an empty bucket."""
    words = positional(args)
    forced = "--force" in args and bool({"-r", "--recursive"} & set(args) or words[:1] == ["rb"])
    tops = [w for w in words[1:] if re.fullmatch(r"[\w.-]+(?:/[\w.-]+)?/?", w)]
    return "a whole object storage bucket" if words[:1] in (["rb"], ["rm"]) and forced and \
        tops else ""


def _rclone(args: list[str]) -> str:
    """`rclone purge REMOTE:BUCKET`, `rclone delete REMOTE:`: a remote's top level emptied
    (a folder further down, a local path or files picked by age or pattern are the user's
    pick)."""
    if mirrored := _mirrored_empty(args):
        return mirrored
    words = positional(args)
    tops = [w for w in words[1:] if re.fullmatch(r"[\w.-]+:[^/]*/?", w)]
    filtered = words[:1] == ["delete"] and any(re.match(
        r"--(?:min-age|max-age|min-size|max-size|include|exclude|filter|files-from)", a)
        for a in args)  # `delete` obeys filters (`purge` does not): a retention clean-up
    return "a whole cloud drive or bucket" if words[:1] in (["purge"], ["delete"]) and tops \
        and not filtered else ""


def _bigquery(args: list[str]) -> str:
    """`bq rm -r -f DATASET`: a dataset and every table in it (one table, `-t`, is quiet)."""
    words = positional(args)
    flags = "".join(a[1:] for a in args if re.fullmatch(r"-[a-z]+", a))
    return "a whole BigQuery dataset" if words[:1] == ["rm"] and "r" in flags and "f" in flags \
        else ""


_KUBE_VALUED = frozenset({"-n", "--namespace", "-l", "--selector", "--context", "--cluster",
                          "--kubeconfig", "-o", "--output", "--field-selector", "-f",
                          "--filename", "--user", "-s", "--server"})
# Deleting every pod, event, replica set or job loses nothing that lasts: controllers
# start the pods again, and the rest is history.
_DISPOSABLE = re.compile(r"(?:pods?|po|events?|ev|replicasets?|rs|jobs?)(?:\.[\w.]+)?")
_WHOLE_KINDS = re.compile(r"(?:namespaces?|ns|customresourcedefinitions?|crds?)(?:\.[\w.]+)?")
_VOLUME_KINDS = re.compile(r"(?:persistentvolume(?:claim)?s?|pvc?s?)")


def _drain(args: list[str], nodes: list[str]) -> str:
    """`kubectl drain A B C`, `drain -l pool=x`: a share of the cluster emptied at once;
    `drain A --force --delete-emptydir-data`: pods no controller restarts deleted for good,
    with the data they kept on the node."""
    selected = bool({"-l", "--selector"} & set(args)) or any(
        a.startswith(("-l=", "--selector=")) for a in args)
    local = any(a.startswith(("--delete-emptydir-data", "--delete-local-data")) for a in args)
    listed = any(re.search(r"(?:\$\(|`).*\bget\s+(?:nodes?|no)\b", n) for n in nodes)
    if len(nodes) > 1 or selected or listed:  # `drain $(kubectl get nodes -o name)`
        return "the pods of several cluster nodes at once (drained together)"
    return "pods no controller restarts, with their local data (drain --force)" if \
        "--force" in args and local else ""


def _kubectl(args: list[str]) -> str:
    """Every object of a kind (`delete KIND --all`, not pods), a namespace or a custom
    resource definition (all objects in it or of it), volumes picked by a selector; nodes
    drained (`_drain`, also `oc adm drain`)."""
    words = positional(args, _KUBE_VALUED)
    words = words[1:] if words[:2] == ["adm", "drain"] else words
    if words[:1] == ["drain"]:
        return _drain(args, words[1:])
    if words[:1] != ["delete"] or not words[1:]:
        return ""
    kinds = re.split(r"[,/]", words[1])
    everything = "--all" in args
    if words[1] == "all" and everything:
        return "every resource of a Kubernetes namespace"
    if any(map(_WHOLE_KINDS.fullmatch, kinds)) and (everything or words[2:] or "/" in words[1]):
        return "a Kubernetes namespace or resource type and everything in it"
    if everything and not all(map(_DISPOSABLE.fullmatch, kinds)):
        return f"every Kubernetes {words[1]} of the namespace"
    selected = bool({"-l", "--selector"} & set(args)) or any(
        a.startswith(("-l=", "--selector=")) for a in args)
    if selected and any(map(_VOLUME_KINDS.fullmatch, kinds)):
        return "the Kubernetes volumes (and their data) that match a selector"
    return ""


_APPROVED = frozenset({"-auto-approve", "--auto-approve", "-force", "--yes", "-y",
                       "--terragrunt-non-interactive", "--non-interactive", "--force", "-f"})


def _infrastructure(args: list[str]) -> str:
    """`terraform destroy -auto-approve`, `apply -destroy -auto-approve`, `pulumi destroy
    --yes`, `pulumi stack rm --yes`, `cdk destroy --force`: every resource the code
    manages (a plain `destroy` shows the plan and asks)."""
    words = positional(args)
    destroys = "destroy" in words[:2] or (words[:1] == ["apply"] and "-destroy" in args) or (
        words[:2] == ["stack", "rm"])
    return "every resource this infrastructure code manages" if destroys and \
        _APPROVED & set(args) else ""


_PLATFORM_APPS = frozenset({"apps", "app", "volumes", "volume", "vol", "postgres", "pg",
                            "redis", "databases", "mpg"})


def _platform(args: list[str]) -> str:
    """`heroku apps:destroy --confirm APP`, `heroku pg:reset --confirm APP`, `fly apps
    destroy NAME --yes`: an app or its database, with the question answered."""
    words = positional(args, frozenset({"-a", "--app", "--confirm"}))
    heroku = words[:1] and re.fullmatch(r"(?:apps:)?destroy|pg:reset|addons:destroy", words[0])
    fly = words[:1] and words[0] in _PLATFORM_APPS and words[1:2] and \
        words[1] in ("destroy", "delete", "remove", "rm")
    unasked = bool({"--confirm", "--yes", "-y"} & set(args)) or any(
        a.startswith("--confirm=") for a in args)
    return "a whole app or its database" if (heroku or fly) and unasked else ""


def _serverless(args: list[str]) -> str:
    """`serverless remove` (`sls remove`): the app's whole stack — functions, tables, buckets
    it made — and the tool never asks; `sam delete --no-prompts`, `amplify delete --force`
    with their question answered."""
    words = positional(args, frozenset({"-s", "--stage", "-r", "--region", "--stack-name",
                                        "--aws-profile", "--profile"}))
    unasked = words[:1] == ["remove"] or (words[:1] == ["delete"] and bool(
        {"--no-prompts", "--force", "-y", "--yes"} & set(args)))
    return "a serverless app's whole stack (its functions, tables and buckets)" if unasked \
        else ""


# A Helm release named for what keeps data, or a namespace named for production: its
# workloads and services go, and a database's volumes are left with nothing serving them.
# Whole parts of the name (split at `-`, `_`, `.`), so "product-catalog" and "upgrade-demo"
# are no production or Postgres release; a part saying test, demo or dev makes it a trial.
_KEEPS_DATA = re.compile(r"(?i)postgres(?:ql)?|pg|mysql|maria(?:db)?|mongo(?:db)?|redis|"
                         r"elastic(?:search)?|opensearch|cassandra|kafka|rabbit(?:mq)?|etcd|"
                         r"minio|vault|clickhouse|influx(?:db)?|db|database|prod(?:uction)?")
_TRIAL = re.compile(r"(?i)tests?|demo|dev|sandbox|scratch")
_HELM_VALUED = frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig", "--timeout",
                          "--cascade", "--description"})


def _helm(args: list[str]) -> str:
    """`helm uninstall postgres -n databases`, `helm delete api -n production` (`helm list`,
    a test release in dev, `--dry-run`, stay quiet)."""
    words = positional(args, _HELM_VALUED)
    if words[:1] not in (["uninstall"], ["delete"], ["del"], ["un"]):
        return ""
    spaces = [v for i, a in enumerate(args[:-1]) if a in ("-n", "--namespace")
              for v in [args[i + 1]]] + [a.partition("=")[2] for a in args
                                         if a.startswith("--namespace=")]
    parts = [re.split(r"[-_.]", name) for name in words[1:] + spaces]
    if any(_TRIAL.fullmatch(p) for name in parts for p in name):
        return ""
    if any(_KEEPS_DATA.fullmatch(p) for name in parts for p in name):
        return f"the Helm release {' '.join(words[1:])} (a data store or production service)"
    return ""


def _firebase(args: list[str]) -> str:
    """`firebase firestore:delete --all-collections --force`, `-r` on a collection,
    `database:remove / --force`: a project's database, unasked."""
    words = positional(args)
    forced = bool({"--force", "-f"} & set(args))
    whole = "--all-collections" in args or bool({"-r", "--recursive"} & set(args)) or \
        "/" in words[1:2]
    return "a Firebase database or collection" if words[:1] and words[0] in (
        "firestore:delete", "database:remove") and forced and whole else ""


def _virtual_machines(args: list[str]) -> str:
    """`virsh undefine VM --remove-all-storage`, `virsh pool-delete`, `qm destroy ID`,
    `pct destroy ID` (Proxmox never asks): a machine and its disks."""
    words = positional(args)
    storage = {"--remove-all-storage", "--storage", "--wipe-storage"} & set(args)
    if (words[:1] == ["undefine"] and storage) or words[:1] == ["pool-delete"]:
        return "a virtual machine's disks (or a storage pool)"
    return ""


def _qm(args: list[str]) -> str:
    return "a virtual machine or container with its disks" if positional(args)[:1] == [
        "destroy"] else ""


def _eksctl(args: list[str]) -> str:
    """`eksctl delete cluster`: the cluster and its node groups, and eksctl never asks."""
    return "a whole Kubernetes cluster" if positional(args)[:2] == ["delete", "cluster"] else ""


def _nomad(args: list[str]) -> str:
    """`nomad job stop -purge JOB`: the job and its history gone, not only stopped."""
    return "a Nomad job for good" if "stop" in positional(args)[:2] and "-purge" in args else ""


def _method(args: list[str]) -> str:
    """The HTTP method of a `curl -X`/`--request`, `gh api --method`, `http METHOD URL`."""
    for i, arg in enumerate(args):
        if arg in ("-X", "--request", "--method") and i + 1 < len(args):
            return args[i + 1].upper()
        if match := re.fullmatch(r"(?:-X|--request=|--method=)(\w+)", arg):
            return match.group(1).upper()
    words = positional(args)
    return words[0].upper() if words[1:] and re.fullmatch(r"[A-Za-z]+", words[0]) else ""


_REPOSITORY = re.compile(r"(?:https://api\.github\.com|https?://[^/\s]+/api/v3)?/?repos/[^/\s]+"
                         r"/[^/\s]+/?")
# A branch's protection: with it gone, anyone with push rights force-pushes or deletes it.
_PROTECTION = re.compile(r"/?repos/[^/\s]+/[^/\s]+/branches/[^/\s]+/protection/?")


def _github_api(args: list[str]) -> str:
    """`gh api -X DELETE repos/OWNER/NAME` (or `curl -X DELETE` of it on the GitHub API): the
    repository, as `gh repo delete --yes`; `…/branches/B/protection`: the rules that kept
    the branch's history from being rewritten."""
    if _method(args) != "DELETE":
        return ""
    words = positional(args, frozenset({"-X", "--method"}))
    if any(map(_REPOSITORY.fullmatch, words)):
        return "a repository on the forge"
    return "a branch's protection on the forge" if any(map(_PROTECTION.fullmatch, words)) else ""


# Ports of stores where one path segment is a whole index or database (Elasticsearch,
# OpenSearch, CouchDB).
_STORE_PORTS = frozenset({"9200", "5984"})


def _http_delete(args: list[str]) -> str:
    """An HTTP DELETE of `_all`, of a wildcard, or of a whole index or database on a search
    or document store's port: one document (`/index/_doc/1`) or an API item is quiet."""
    if _method(args) != "DELETE":
        return ""
    if forge := _github_api([a for a in args if _REPOSITORY.fullmatch(a) and "://" in a] + [
            "-X", "DELETE"]):
        return forge
    for arg in args:
        match = re.fullmatch(r"(?:https?://)?(?:[\w.-]*)(?::(\d+))?(/[^?#\s]*)", arg)
        if not match or "/" not in arg:
            continue
        segments = [s for s in match.group(2).split("/") if s]
        if segments and ("_all" in segments or "*" in segments[0] or (
                match.group(1) in _STORE_PORTS and len(segments) == 1)):
            return f"a whole index or database ({match.group(2)})"
    return ""


JUDGES: dict[str, Judge] = {
    **{name: _cloud_cli(name) for name in ("aws", "gcloud", "az", "doctl", "openstack")},
    **dict.fromkeys(("gsutil", "s3cmd", "b2"), _judge(_bucket_tool)),
    "mc": _judge(_minio), "rclone": _judge(_rclone), "bq": _judge(_bigquery),
    "kubectl": _judge(_kubectl), "oc": _judge(_kubectl),
    **dict.fromkeys(("terraform", "tofu", "pulumi", "terragrunt", "cdk", "cdktf"),
                    _judge(_infrastructure)),
    "heroku": _judge(_platform), "fly": _judge(_platform), "flyctl": _judge(_platform),
    "firebase": _judge(_firebase), "helm": _judge(_helm),
    **dict.fromkeys(("serverless", "sls", "sam", "amplify"), _judge(_serverless)),
    "virsh": _judge(_virtual_machines), "qm": _judge(_qm),
    "pct": _judge(_qm), "nomad": _judge(_nomad), "eksctl": _judge(_eksctl),
    "gh": _judge(_github_api), "oci": _judge(_oracle),
    **dict.fromkeys(("hcloud", "linode-cli", "vultr-cli", "scw"), _judge(_host_cli)),
    **dict.fromkeys(("curl", "http", "https", "xh", "wget"), _judge(_http_delete)),
}
