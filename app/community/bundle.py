"""A shared skill as a signed bundle: what leaves the machine, and how anyone checks it.

A bundle holds the anonymized SKILL.md text, a little metadata (domain tags, base-model
family, use counts, the day it was made: nothing finer, no device id), the contributor's
Ed25519 public key, a pseudonymous contributor id derived from that key, and a signature
over the canonical JSON of all the rest. The hub and every downloader verify it, so a skill
cannot be altered in transit or attributed to someone else, and only the holder of the key
can later withdraw it.

The private key lives in the system keyring, never in a file or a log. Rotating it gives
the user a new contributor id that cannot be linked to the old one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import keyring
import keyring.errors
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.skills.skill import MAX_FILE_BYTES, Skill, SkillFormatError, parse_skill

SCHEMA_VERSION = 1
KEYRING_SERVICE = "flywheel-community"
SIGNING_KEY_ENTRY = "signing-key"
MAX_SKILL_CHARS = 32 * 1024
MAX_BUNDLE_BYTES = 64 * 1024
MAX_TAGS = 8
MAX_TAG_CHARS = 40
_TAG = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,39}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTRIBUTOR = re.compile(r"^c-[0-9a-f]{24}$")
_FIELDS = {"schema", "skill", "metadata", "public_key", "contributor", "signature"}
_METADATA_FIELDS = {"domain_tags", "base_model_family", "uses", "successes", "created_day"}


class BundleError(ValueError):
    """A bundle that must not be accepted; the message says which part is wrong."""


class IdentityError(RuntimeError):
    """The signing key cannot be read from or stored in the system keyring."""


def canonical_json(value: Any) -> bytes:
    """One byte string per value (sorted keys, no spaces, UTF-8) so signatures reproduce."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str, size: int) -> bytes:
    if not isinstance(text, str):
        raise BundleError(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BundleError(f"{what} is not valid base64") from exc
    if len(raw) != size:
        raise BundleError(f"{what} must be {size} bytes, not {len(raw)}")
    return raw


def contributor_id(public_key: bytes) -> str:
    """The pseudonym shown for a contributor: a hash of the key, so it proves nothing else."""
    return "c-" + hashlib.sha256(b"flywheel-contributor:" + public_key).hexdigest()[:24]


@dataclass(frozen=True)
class Identity:
    """This install's signing key and the pseudonym derived from it."""

    key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes_raw()

    @property
    def contributor(self) -> str:
        return contributor_id(self.public_key)

    def sign(self, payload: Any) -> dict[str, str]:
        """Sign ``payload``'s canonical JSON; returns the key and signature to send along."""
        return {
            "public_key": _b64(self.public_key),
            "signature": _b64(self.key.sign(canonical_json(payload))),
        }


def load_identity(*, create: bool = True) -> Identity:
    """The install's identity from the keyring, created on first use."""
    try:
        stored = keyring.get_password(KEYRING_SERVICE, SIGNING_KEY_ENTRY)
    except keyring.errors.KeyringError as exc:
        raise IdentityError(f"the system keyring cannot be read: {exc}") from exc
    if stored:
        try:
            return Identity(Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored)))
        except (binascii.Error, ValueError):
            pass  # a damaged entry: replace it, as a rotation would
    if not create:
        raise IdentityError("no community signing key on this install yet")
    return rotate_identity()


def rotate_identity() -> Identity:
    """Replace the signing key: later bundles carry a new, unlinkable contributor id.

    Skills shared under the old key can no longer be withdrawn from this install.
    """
    key = Ed25519PrivateKey.generate()
    try:
        keyring.set_password(KEYRING_SERVICE, SIGNING_KEY_ENTRY, _b64(key.private_bytes_raw()))
    except keyring.errors.KeyringError as exc:
        raise IdentityError(f"the system keyring cannot store the signing key: {exc}") from exc
    return Identity(key)


def day_of(moment: datetime | None = None) -> str:
    """A date without time of day: enough to sort by age, too coarse to trace a session."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%d")


def make_bundle(
    skill_text: str, identity: Identity, *, domain_tags: list[str], base_model_family: str,
    uses: int = 0, successes: int = 0, created_day: str | None = None,
) -> dict[str, Any]:
    """Build and sign a bundle around already anonymized SKILL.md text, and check it."""
    unsigned = {
        "schema": SCHEMA_VERSION,
        "skill": skill_text,
        "metadata": {
            "domain_tags": sorted({normalize_tag(t) for t in domain_tags if normalize_tag(t)}),
            "base_model_family": normalize_tag(base_model_family) or "unknown",
            "uses": int(uses),
            "successes": int(min(successes, uses)),
            "created_day": created_day or day_of(),
        },
        "public_key": _b64(identity.public_key),
        "contributor": identity.contributor,
    }
    signature = identity.key.sign(canonical_json(unsigned))
    bundle = {**unsigned, "signature": _b64(signature)}
    verify_bundle(bundle)
    return bundle


def normalize_tag(tag: str) -> str:
    """A tag as the hub indexes it: lowercase, ``[a-z0-9.+-]``, at most 40 characters."""
    return re.sub(r"[^a-z0-9.+-]+", "-", tag.lower()).strip("-")[:MAX_TAG_CHARS]


def _check_metadata(meta: Any) -> None:
    if not isinstance(meta, dict) or set(meta) != _METADATA_FIELDS:
        raise BundleError(f"metadata must have exactly the fields {sorted(_METADATA_FIELDS)}")
    tags = meta["domain_tags"]
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise BundleError(f"domain_tags must be a list of at most {MAX_TAGS} tags")
    for tag in [*tags, meta["base_model_family"]]:
        if not isinstance(tag, str) or not _TAG.match(tag):
            raise BundleError(f"tag {tag!r} must match {_TAG.pattern}")
    for count in ("uses", "successes"):
        if type(meta[count]) is not int or not 0 <= meta[count] < 10**9:
            raise BundleError(f"{count} must be a whole number from 0")
    if meta["successes"] > meta["uses"]:
        raise BundleError("successes cannot exceed uses")
    day = meta["created_day"]
    if not isinstance(day, str) or not _DAY.match(day):
        raise BundleError("created_day must be a date YYYY-MM-DD (no time of day)")


def verify_bundle(bundle: Any) -> Skill:
    """Check schema, sizes, contributor id and signature; return the skill it carries.

    Raises :class:`BundleError` naming the first problem found.
    """
    if not isinstance(bundle, dict):
        raise BundleError("a bundle must be a JSON object")
    if set(bundle) != _FIELDS:
        raise BundleError(f"a bundle must have exactly the fields {sorted(_FIELDS)}")
    if len(canonical_json(bundle)) > MAX_BUNDLE_BYTES:
        raise BundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES} bytes")
    if bundle["schema"] != SCHEMA_VERSION:
        raise BundleError(f"unsupported bundle schema {bundle['schema']!r}")
    text = bundle["skill"]
    if not isinstance(text, str) or not text.strip():
        raise BundleError("skill must be the SKILL.md text")
    if len(text) > MAX_SKILL_CHARS or len(text.encode()) > MAX_FILE_BYTES:
        raise BundleError(f"the skill text is longer than {MAX_SKILL_CHARS} characters")
    _check_metadata(bundle["metadata"])
    public = _unb64(bundle["public_key"], "public_key", 32)
    signature = _unb64(bundle["signature"], "signature", 64)
    if not isinstance(bundle["contributor"], str) or not _CONTRIBUTOR.match(bundle["contributor"]):
        raise BundleError("contributor must be an id like c-<24 hex digits>")
    if bundle["contributor"] != contributor_id(public):
        raise BundleError("contributor does not match the public key")
    unsigned = {k: v for k, v in bundle.items() if k != "signature"}
    verify_signature(public, signature, unsigned)
    try:
        return parse_skill(text, "<bundle>")
    except SkillFormatError as exc:
        raise BundleError(f"the skill text is not a valid SKILL.md: {exc.problem}") from exc


def verify_signature(public_key: bytes, signature: bytes, payload: Any) -> None:
    """Raise :class:`BundleError` unless ``signature`` signs ``payload`` with this key."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, canonical_json(payload))
    except (InvalidSignature, ValueError) as exc:
        raise BundleError("the signature does not match the content") from exc


def withdraw_payload(skill_id: str) -> dict[str, str]:
    """What a contributor signs to withdraw a skill: it names the skill, so it cannot be
    replayed against another one."""
    return {"action": "withdraw", "skill_id": skill_id}


def check_withdrawal(contributor: str, skill_id: str, proof: Any) -> None:
    """Raise :class:`BundleError` unless ``proof`` shows the contributor's key signed the
    withdrawal of ``skill_id``."""
    if not isinstance(proof, dict):
        raise BundleError("the withdrawal proof must be an object")
    public = _unb64(proof.get("public_key"), "public_key", 32)
    signature = _unb64(proof.get("signature"), "signature", 64)
    if contributor_id(public) != contributor:
        raise BundleError("only the contributor of a skill can withdraw it")
    verify_signature(public, signature, withdraw_payload(skill_id))
