"""Administrator rights handed out in a cloud account, a cluster or a secrets store.

Why: whoever holds an owner or administrator role there can read every secret, delete
every resource and grant themselves anything more, and nothing on this machine notices or
takes it back. Each platform spells the role its own way, so the class is held as the
roles that amount to "everything" (or "may grant everything") on each one, given by its own
grant verb:

- needs typing: AWS's AdministratorAccess, IAMFullAccess or PowerUserAccess attached, an
  inline policy allowing every action, a user put in an administrators' group; Google
  Cloud's owner, editor or IAM-administering roles bound, or any role bound to everyone
  (`allUsers`); Azure's Owner, Contributor or access-administering roles assigned (by name
  or by their fixed ids); Kubernetes' `cluster-admin` bound (or `admin` cluster-wide),
  OpenShift's `oc adm policy add-cluster-role-to-…`; OpenStack's `admin` role added; a
  Vault token or user given the `root` policy;
- the same "everything" given the other ways (the fourteenth set): a Kubernetes role patched
  to allow every verb on every resource (whoever the role is already bound to gets it), a
  forge repository or organisation handing its admin role to an account (`gh api -X PUT
  …/collaborators/USER -f permission=admin`), and a whole bucket opened to everyone on the
  internet (`gsutil iam ch allUsers:…`, `gsutil defacl ch -u AllUsers:R`, `aws s3api
  put-bucket-acl --acl public-read`);
- stays quiet: listing and reading policies, read-only and viewer roles, namespace-scoped
  everyday roles (`view`, `edit`), `--dry-run` and `--help`; a role patched with named
  verbs and resources, a forge's read or write permission, one object published
  (`aws s3 cp page.html … --acl public-read`), everyone's binding taken away (`-d allUsers`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal.cloud_wiped import positional, previews
from app.terminal.command_words import option_values

Judge = Callable[[list[str], str | None, list[str]], list[str]]

GRANTS = "gives {} administrator rights over a whole {} ({})"
_AWS_ADMIN = re.compile(r"arn:aws:iam::(?:aws|\d+):policy/(?:\S*/)?(?:AdministratorAccess\S*"
                        r"|IAMFullAccess|PowerUserAccess)$")
_AWS_ATTACH = frozenset({"attach-user-policy", "attach-role-policy", "attach-group-policy"})
_AWS_INLINE = frozenset({"put-user-policy", "put-role-policy", "put-group-policy",
                         "create-policy", "create-policy-version"})
_EVERY_ACTION = re.compile(r"\"Action\"\s*:\s*(?:\"\*\"|\[\s*\"\*\"\s*\])")
_ADMIN_GROUP = re.compile(r"(?i)^(?:admins?|administrators?|\w*-admins?|root)$")
_GCP_ADMIN = re.compile(r"^roles/(?:owner|editor|resourcemanager\.\w*Admin|iam\.\w*Admin"
                        r"|iam\.serviceAccountTokenCreator|iam\.serviceAccountKeyAdmin)$")
_EVERYONE = frozenset({"allUsers", "allAuthenticatedUsers"})
_AZURE_ADMIN = frozenset({
    "owner", "contributor", "user access administrator",
    "role based access control administrator",
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "f58310d9-a9f6-439a-9e8d-f62e7b41a168"})


_AWS_VALUED = frozenset({"--profile", "--region", "--output", "--endpoint-url", "--query"})


def _aws(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = positional(args, _AWS_VALUED)
    if words[:1] == ["s3api"] and not previews(args):
        return _public_bucket(words[1:2], args)
    if words[:1] != ["iam"] or previews(args):
        return []
    verb = words[1] if words[1:] else ""
    if verb in _AWS_ATTACH and any(map(_AWS_ADMIN.match, option_values(args, {"--policy-arn"}))):
        return [GRANTS.format("an account", "AWS account", "an administrator policy")]
    if verb in _AWS_INLINE and any(_EVERY_ACTION.search(d) for d in option_values(
            args, {"--policy-document"})):
        return [GRANTS.format("an account", "AWS account", "a policy allowing every action")]
    if verb == "add-user-to-group" and any(map(_ADMIN_GROUP.match, option_values(
            args, {"--group-name"}))):
        return [GRANTS.format("a user", "AWS account", "an administrators' group")]
    return []


def _gcloud(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gcloud projects|organizations|folders|iam service-accounts … add-iam-policy-binding`."""
    if "add-iam-policy-binding" not in args or previews(args):
        return []
    roles = option_values(args, {"--role"})
    members = set(option_values(args, {"--member"}))
    if any(map(_GCP_ADMIN.match, roles)):
        return [GRANTS.format("a member", "Google Cloud project or organisation", roles[0])]
    if members & _EVERYONE:
        return [f"gives everyone on the internet a role in Google Cloud ({sorted(members)[0]})"]
    return []


# Bucket ACLs that let anyone on the internet (or any account of the cloud) read or write.
_PUBLIC_ACL = re.compile(r"^(?:public-read(?:-write)?|authenticated-read|publicRead(?:Write)?"
                         r"|AllUsers:\w+|AllAuthenticatedUsers:\w+)$", re.I)
_PUBLIC_GRANTEE = re.compile(r"acs\.amazonaws\.com/groups/global/(?:AllUsers|AuthenticatedUsers)")
PUBLIC = "opens a whole storage bucket to everyone on the internet ({})"


def _public_bucket(verb: list[str], args: list[str]) -> list[str]:
    """`aws s3api put-bucket-acl --acl public-read` or a grant to the AllUsers group."""
    if verb != ["put-bucket-acl"]:
        return []
    acls = option_values(args, {"--acl"})
    grants = option_values(args, {"--grant-read", "--grant-write", "--grant-full-control",
                                  "--grant-read-acp", "--grant-write-acp"})
    if any(map(_PUBLIC_ACL.match, acls)) or any(map(_PUBLIC_GRANTEE.search, grants)):
        return [PUBLIC.format(acls[0] if acls else "a grant to all users")]
    return []


def _gsutil(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gsutil iam ch allUsers:objectViewer gs://B` (bucket-wide IAM), `gsutil defacl ch -u
    AllUsers:R gs://B` (every new object), `gsutil acl ch|set -R … gs://B` (every object)."""
    words = positional(args, frozenset({"-u", "-g", "-p", "-d", "-h", "-o"}))
    members = [a.rpartition(":")[0] or a for a in args if not a.startswith(("-", "gs://"))]
    if words[:2] == ["iam", "ch"] and "-d" not in args and set(members) & _EVERYONE:
        return [PUBLIC.format(sorted(set(members) & _EVERYONE)[0])]
    values = option_values(args, {"-u", "-g"}) + words[2:3]
    recursive = bool({"-R", "-r", "-a"} & set(args))
    if words[:1] in (["defacl"], ["acl"]) and words[1:2] in (["ch"], ["set"]) and (
            words[0] == "defacl" or recursive) and any(map(_PUBLIC_ACL.match, values)):
        return [PUBLIC.format(f"gsutil {words[0]} {words[1]}")]
    return []


def _az(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = positional(args)
    if words[:3] != ["role", "assignment", "create"] or previews(args):
        return []
    roles = [r.lower() for r in option_values(args, {"--role"})]
    if set(roles) & _AZURE_ADMIN:
        return [GRANTS.format("an account", "Azure subscription or resource group", roles[0])]
    return []


def _cluster_roles(args: list[str]) -> list[str]:
    """`kubectl create clusterrolebinding|rolebinding … --clusterrole=cluster-admin`."""
    words = positional(args, frozenset({"-n", "--namespace", "--context"}))
    if words[:1] != ["create"] or words[1:2] not in (["clusterrolebinding"], ["rolebinding"]) \
            or any(a.startswith("--dry-run") and not a.endswith("=none") for a in args):
        return []
    roles = option_values(args, {"--clusterrole"})
    if "cluster-admin" in roles or (words[1] == "clusterrolebinding" and "admin" in roles):
        return [GRANTS.format("an account", "Kubernetes cluster", roles[0])]
    return []


_WILDCARD = re.compile(r"\"(?:verbs|resources)\"\s*:\s*\[\s*\"\*\"")


def _role_widened(args: list[str]) -> list[str]:
    """`kubectl patch clusterrole|role NAME -p '…"resources":["*"],"verbs":["*"]…'`: every
    account the role is bound to may now do anything (`view` is bound to many)."""
    words = positional(args, frozenset({"-n", "--namespace", "--context", "--type", "-p",
                                        "--patch", "--patch-file"}))
    kind = words[1].partition("/")[0] if words[1:] else ""
    if words[:1] != ["patch"] or kind not in ("clusterrole", "clusterroles", "role", "roles") \
            or any(a.startswith("--dry-run") and not a.endswith("=none") for a in args):
        return []
    patches = " ".join(option_values(args, {"-p", "--patch"}))
    if len(set(_WILDCARD.findall(re.sub(r"\s+", "", patches)))) == 2:
        return [GRANTS.format("every account bound to a role", "Kubernetes cluster",
                              "every verb on every resource")]
    return []


def _kubectl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    return _cluster_roles(args) + _role_widened(args)


# The forge's endpoints that give an account a role in a repository or organisation, and
# the roles that administer it (change its settings, its members, delete it).
_FORGE_GRANT = re.compile(r"^/?(?:repos/[^/]+/[^/]+/collaborators/[^/]+|orgs/[^/]+/memberships/"
                          r"[^/]+|orgs/[^/]+/teams/[^/]+/(?:repos/[^/]+/[^/]+|memberships/[^/]+))$")
_FORGE_ADMIN = re.compile(r"^(?:permission|role)=(?:admin|maintain(?:er)?)$")


def _gh(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gh api -X PUT repos/O/R/collaborators/USER -f permission=admin`, and an
    organisation's membership with `role=admin`."""
    words = positional(args, frozenset({"-X", "--method", "-f", "-F", "--field", "--raw-field",
                                        "-H", "--header", "--jq", "-q", "--template", "-t",
                                        "--hostname", "--input"}))
    fields = option_values(args, {"-f", "-F", "--field", "--raw-field"})
    if words[:1] == ["api"] and any(map(_FORGE_GRANT.match, words[1:2])) and any(
            map(_FORGE_ADMIN.match, fields)):
        return [GRANTS.format("an account", "forge repository or organisation", "admin")]
    return []


def _oc(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`oc adm policy add-cluster-role-to-user|group ROLE …`, and `oc create …` as kubectl."""
    words = positional(args, frozenset({"-n", "--namespace", "-z", "--serviceaccount"}))
    if words[:3] in (["adm", "policy", "add-cluster-role-to-user"],
                     ["adm", "policy", "add-cluster-role-to-group"]) and \
            words[3:4] in (["cluster-admin"], ["admin"]) and not previews(args):
        return [GRANTS.format("an account", "OpenShift cluster", words[3])]
    return _cluster_roles(args) + _role_widened(args)


def _openstack(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = positional(args, frozenset({"--user", "--group", "--project", "--domain",
                                        "--system", "--os-cloud"}))
    if words[:2] == ["role", "add"] and words[2:3] == ["admin"]:
        return [GRANTS.format("an account", "OpenStack project or domain", "admin")]
    return []


def _vault(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`vault token create -policy=root`, `vault write auth/…/users/x policies=root`."""
    policies = option_values(args, {"-policy", "--policy"})
    policies += [a.partition("=")[2] for a in args
                 if a.startswith(("policies=", "token_policies="))]
    if any("root" in p.split(",") for p in policies):
        return [GRANTS.format("a token or user", "Vault server", "the root policy")]
    return []


JUDGES: dict[str, Judge] = {"aws": _aws, "gcloud": _gcloud, "az": _az, "kubectl": _kubectl,
                            "oc": _oc, "openstack": _openstack, "vault": _vault,
                            "gsutil": _gsutil, "gh": _gh}
