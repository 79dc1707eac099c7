"""Generate ``anonymize_cases.jsonl``: skill-like texts with planted personal data and secrets.

Run ``.venv/bin/python tests/data/make_anonymize_cases.py`` from the repository root; the output
is seeded and deterministic for a given faker version, and it is committed so the benchmark does
not depend on faker's data changing. Each line is ``{"text", "sensitive", "keep"}`` plus the
optional ``"secret": true`` (every sensitive string of the case is a key/token/password) and
``"identity": {...}`` (the fixed fake local identity the benchmark passes to ``anonymize``).

Names, e-mails, phones, IBANs, cards and IPs come from faker in several locales; tokens are
random strings in the published formats of each provider (never real secrets). A value is only
planted if it does not also occur in the rest of the text, so "still present" means "leaked".
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from faker import Faker

T = TypeVar("T")
SEED = 20241123
OUT = Path(__file__).with_name("anonymize_cases.jsonl")
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ja_JP", "pt_BR")
IBAN_LOCALES = ("de_DE", "fr_FR", "es_ES", "en_GB", "pt_BR", "nl_NL", "it_IT")
IDENTITY = {
    "full_name": "Marguerite Okafor-Lindqvist",
    "username": "mokafor",
    "hostname": "mokafor-thinkpad",
    "home": "/home/mokafor",
}
# Names absent from faker's lists: only context (Author:, user.name, "Name <mail>") finds them.
RARE_NAMES = (
    "Thandiwe Okonkwo", "Siobhán Ní Bhriain", "Oluwaseun Adeyemi", "Aigerim Nurlanovna",
    "Tāne Whakarongo", "Ngozi Eze", "Kwabena Asante", "Yerlan Sadykov", "Ikaika Kahananui",
    "Bolat Tokayev", "Mihaela Rădulescu", "Zainab Oyelaran", "Teodora Vukašinović",
    "Kaveh Shirazian", "Nomvula Dlamini", "Ayşegül Karabulut",
)
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"

rng = random.Random(SEED)
Faker.seed(SEED)
FAKERS = {locale: Faker(locale) for locale in dict.fromkeys(LOCALES + IBAN_LOCALES)}
for offset, fake in enumerate(FAKERS.values()):
    fake.seed_instance(SEED + offset)


class Case:
    """A text built from a template whose slots are either sensitive values or kept ones."""

    def __init__(self, template: str, keep: list[str], **slots: str) -> None:
        self.template, self.keep, self.slots = template, keep, slots

    def render(self, secret: bool = False, identity: bool = False) -> dict | None:
        """The JSON line, or None when a planted value also appears elsewhere in the text."""
        text = self.template.format(**self.slots)
        skeleton = self.template.format(**{k: "\0" for k in self.slots})
        sensitive = list(dict.fromkeys(self.slots.values()))
        for value in sensitive:
            if value in skeleton or any(value in kept for kept in self.keep):
                return None
        for kept in self.keep:
            if kept not in text:
                raise ValueError(f"keep string {kept!r} missing from {text!r}")
        line: dict = {"text": text, "sensitive": sensitive, "keep": self.keep}
        if secret:
            line["secret"] = True
        if identity:
            line["identity"] = IDENTITY
        return line


def pick(options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]


def rand(alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def fake(locale: str | None = None) -> Faker:
    return FAKERS[locale or pick(LOCALES)]


# ----------------------------------------------------------------------------- secrets

def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt() -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": str(rng.randrange(10**6, 10**7)),
              "exp": rng.randrange(1_700_000_000, 1_800_000_000)}
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64url(rng.randbytes(32))}"


def pem() -> str:
    kind = pick(("RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "))
    body = base64.b64encode(rng.randbytes(rng.choice((120, 240, 480)))).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{lines}\n-----END {kind}PRIVATE KEY-----"


TOKENS: dict[str, Callable[[], str]] = {
    "aws_id": lambda: "AKIA" + rand(string.ascii_uppercase + "234567", 16),
    "aws_secret": lambda: rand(B64, 40),
    "gcp": lambda: "AIza" + rand(URLSAFE, 35),
    "ghp": lambda: "ghp_" + rand(ALNUM, 36),
    "gho": lambda: "gho_" + rand(ALNUM, 36),
    "github_pat": lambda: "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59),
    "gitlab": lambda: "glpat-" + rand(URLSAFE, 20),
    "slack": lambda: f"xoxb-{rand(string.digits, 11)}-{rand(string.digits, 13)}-{rand(ALNUM, 24)}",
    "openai": lambda: "sk-proj-" + rand(URLSAFE, 48),
    "openai_old": lambda: "sk-" + rand(ALNUM, 48),
    "anthropic": lambda: "sk-ant-api03-" + rand(URLSAFE, 93) + "AA",
    "stripe": lambda: pick(("sk_live_", "rk_live_", "sk_test_")) + rand(ALNUM, 24),
    "hf": lambda: "hf_" + rand(ALNUM, 34),
    "npm": lambda: "npm_" + rand(ALNUM, 36),
    "azure_secret": lambda: rand(ALNUM, 3) + rand(string.digits, 1) + "Q~" + rand(URLSAFE, 34),
    "azure_key": lambda: base64.b64encode(rng.randbytes(64)).decode(),
    "sendgrid": lambda: f"SG.{rand(URLSAFE, 22)}.{rand(URLSAFE, 43)}",
    "jwt": jwt,
    "hex32": lambda: rand("0123456789abcdef", 32),
    "password": lambda: fake().password(length=rng.randint(10, 20)),
}

SECRET_TEMPLATES: list[tuple[str, str, list[str]]] = [
    ("aws_id", "## Configure the AWS CLI\n\n```sh\nexport AWS_ACCESS_KEY_ID={v}\n"
     "aws s3 ls s3://backups\n```\nAlways run `aws sts get-caller-identity` first.",
     ["aws s3 ls s3://backups", "aws sts get-caller-identity", "AWS_ACCESS_KEY_ID="]),
    ("aws_secret", "```ini\n[default]\naws_secret_access_key = {v}\nregion = eu-west-1\n```\n"
     "Keep `~/.aws/credentials` mode 600.", ["region = eu-west-1", "~/.aws/credentials"]),
    ("aws_secret", "$ aws configure\nAWS Secret Access Key [None]: {v}\nDefault region name "
     "[None]: us-east-1", ["aws configure", "Default region name"]),
    ("gcp", "Call the Maps API with `curl \"https://maps.googleapis.com/maps/api/geocode/json"
     "?address=Berlin&key={v}\"` and cache the result.", ["maps.googleapis.com/maps/api/geocode",
                                                         "address=Berlin"]),
    ("gcp", "GOOGLE_API_KEY={v}\npython -m app.geocode --city Lyon", ["python -m app.geocode"]),
    ("ghp", "When `git push` asks for a password, paste a token such as {v} — never your "
     "account password.", ["git push"]),
    ("ghp", "```yaml\nenv:\n  GITHUB_TOKEN: {v}\nsteps:\n  - uses: actions/checkout@v4\n```",
     ["actions/checkout@v4", "GITHUB_TOKEN:"]),
    ("gho", "gh auth status shows `Token: {v}`; run `gh auth refresh -s repo` if scopes are "
     "missing.", ["gh auth refresh -s repo"]),
    ("github_pat", "git clone https://{v}@github.com/acme/infra.git\ncd infra && make plan",
     ["github.com/acme/infra.git", "make plan"]),
    ("github_pat", "Fine-grained tokens look like {v}; store them with `gh auth login "
     "--with-token`.", ["gh auth login --with-token"]),
    ("gitlab", "curl --header \"PRIVATE-TOKEN: {v}\" https://gitlab.com/api/v4/projects",
     ["https://gitlab.com/api/v4/projects"]),
    ("slack", "Post the build status:\n```python\nclient = WebClient(token=\"{v}\")\n"
     "client.chat_postMessage(channel=\"#builds\", text=\"done\")\n```",
     ["client.chat_postMessage", "#builds"]),
    ("openai", "export OPENAI_API_KEY={v}\nopenai api models.list | head",
     ["openai api models.list"]),
    ("openai_old", "```python\nimport openai\nopenai.api_key = \"{v}\"\n```\nPrefer reading it "
     "from the environment.", ["import openai"]),
    ("anthropic", "ANTHROPIC_API_KEY=\"{v}\" python agent.py --max-tokens 1024",
     ["python agent.py --max-tokens 1024"]),
    ("stripe", "Stripe webhooks fail locally unless `stripe listen --api-key {v}` is running.",
     ["stripe listen"]),
    ("stripe", "```toml\n[payments]\nsecret_key = \"{v}\"\ncurrency = \"eur\"\n```",
     ["currency = \"eur\"", "[payments]"]),
    ("hf", "huggingface-cli login --token {v}\nthen `hf download` works offline-first.",
     ["huggingface-cli login"]),
    ("npm", "//registry.npmjs.org/:_authToken={v}\nalways-auth=true", ["//registry.npmjs.org/",
                                                                      "always-auth=true"]),
    ("azure_secret", "az login --service-principal -u 0f3c9a7e-app --password {v} --tenant acme",
     ["az login --service-principal"]),
    ("azure_key", "AZURE_STORAGE_CONNECTION_STRING=\"DefaultEndpointsProtocol=https;AccountName="
     "acmelogs;AccountKey={v};EndpointSuffix=core.windows.net\"",
     ["EndpointSuffix=core.windows.net", "DefaultEndpointsProtocol=https"]),
    ("sendgrid", "SENDGRID_API_KEY={v} node scripts/send-digest.js",
     ["node scripts/send-digest.js"]),
    ("jwt", "curl -H \"Authorization: Bearer {v}\" http://localhost:8000/api/me",
     ["http://localhost:8000/api/me"]),
    ("jwt", "Decode a session cookie with `jq -R 'split(\".\")'`: `session={v}`", ["jq -R"]),
    ("hex32", "```json\n{{\"api_key\": \"{v}\", \"timeout\": 30}}\n```", ["\"timeout\": 30"]),
    ("hex32", "Mailgun: `MAILGUN_API_KEY={v}` and domain `mg.example.org`.", ["mg.example.org"]),
    ("password", "```env\nDB_HOST=db\nDB_USER=app\nDB_PASSWORD={v}\n```\nRestart with "
     "`docker compose up -d`.", ["docker compose up -d", "DB_HOST=db", "DB_PASSWORD="]),
    ("password", "```yaml\ndatabase:\n  user: app\n  password: \"{v}\"\n  pool: 5\n```",
     ["pool: 5", "database:"]),
    ("password", "mysqldump --user=backup --password='{v}' shop > shop.sql", ["mysqldump",
                                                                            "shop > shop.sql"]),
    ("password", "Das Passwort steht in der .env: `REDIS_PASSWORD={v}` — nie committen!",
     ["REDIS_PASSWORD=", "nie committen"]),
    ("password", "Le mot de passe SMTP : `smtp_password = \"{v}\"` dans settings.toml.",
     ["settings.toml"]),
    ("password", "docker login registry.acme.io -u ci --password {v}", ["docker login"]),
    ("password", "mysql -u app -p'{v}' shop < dump.sql", ["mysql -u app", "shop < dump.sql"]),
    ("password", "sshpass -p '{v}' rsync -a dist/ web:/srv/app", ["rsync -a dist/"]),
    ("password", "`docker login ghcr.io -u ci -p '{v}'`", ["docker login ghcr.io -u ci"]),
    ("password", "PGPASSWORD='{v}' pg_dump -U app shop > shop.sql", ["pg_dump -U app"]),
    ("password", "curl -u 'deploy:{v}' https://ci.example.org/job/build",
     ["https://ci.example.org/job/build"]),
    ("password", "Check the cache with `redis-cli -a '{v}' ping`.", ["ping`."]),
    ("password", "smbclient //nas/share -U 'scan%{v}' -c ls", ["-c ls"]),
]

URL_TEMPLATES: list[tuple[str, list[str]]] = [
    ("psql postgres://app:{v}@db.internal:5432/shop -c 'select 1'",
     ["select 1", ":5432/shop"]),
    ("DATABASE_URL=mysql://root:{v}@127.0.0.1:3306/wp", ["127.0.0.1:3306"]),
    ("redis-cli -u redis://default:{v}@cache.local:6379 ping", ["ping"]),
    ("Mongo: `mongodb+srv://svc:{v}@cluster0.mongodb.net/app?retryWrites=true`",
     ["retryWrites=true"]),
    ("Download once: https://files.acme.io/export.csv?token={v}&format=csv", ["format=csv"]),
    ("Webhook: https://api.acme.io/hooks?api_key={v}", ["https://api.acme.io/hooks"]),
    ("OAuth redirect landed on http://localhost:3000/callback#access_token={v}&expires_in=3600",
     ["http://localhost:3000/callback", "expires_in=3600"]),
]


def secret_cases() -> list[dict | None]:
    cases = []
    for _ in range(3):
        for kind, template, keep in SECRET_TEMPLATES:
            cases.append(Case(template, keep, v=TOKENS[kind]()).render(True))
        for template, keep in URL_TEMPLATES:
            cases.append(Case(template, keep, v=pick((TOKENS["password"], TOKENS["hex32"],
                                                      TOKENS["ghp"]))()).render(True))
    for _ in range(12):
        cases.append(Case("Deploy key for the staging box:\n\n```\n{v}\n```\n\nLoad it with "
                          "`ssh-add ~/.ssh/staging`.", ["ssh-add ~/.ssh/staging"],
                          v=pem()).render(True))
    for _ in range(10):
        cases.append(signed_url_case())
    for _ in range(6):
        cases.append(Case("Notify the channel: `curl -X POST -d @msg.json https://hooks.slack.com"
                          "/services/{v}`", ["curl -X POST -d @msg.json"],
                          v=f"T{rand(ALNUM.upper(), 8)}/B{rand(ALNUM.upper(), 10)}/"
                            f"{rand(ALNUM, 24)}").render(True))
    return cases


def signed_url_case() -> dict | None:
    signature = rand("0123456789abcdef", 64)
    credential = f"AKIA{rand(string.ascii_uppercase + '234567', 16)}%2F20240501%2Feu-west-1%2Fs3"
    if rng.random() < 0.5:
        url = ("https://acme-reports.s3.amazonaws.com/q1.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
               "&X-Amz-Credential={c}&X-Amz-Date=20240501T101010Z&X-Amz-Expires=3600"
               "&X-Amz-Signature={s}")
        return Case(f"Share the report with a presigned URL (expires in 1h):\n{url}",
                    ["acme-reports.s3.amazonaws.com/q1.pdf"], c=credential,
                    s=signature).render(True)
    sig = rand(ALNUM, 43) + "%3D"
    url = "https://acmedata.blob.core.windows.net/raw/day.parquet?sv=2022-11-02&sp=r&sig={s}"
    return Case(f"Azure SAS link for the loader: {url}", ["acmedata.blob.core.windows.net/raw"],
                s=sig).render(True)


# ----------------------------------------------------------------------------- personal data

LESSONS = {
    "en_US": ("If the deploy fails, contact {v} before retrying.", "If the deploy fails"),
    "en_GB": ("Ring {v} if the nightly backup has not finished by 06:00.", "nightly backup"),
    "de_DE": ("Bei Fragen zum Build bitte {v} kontaktieren.", "Build"),
    "fr_FR": ("En cas de panne du serveur, joindre {v} immédiatement.", "panne du serveur"),
    "es_ES": ("Si falla la migración, avisa a {v} antes de reintentar.", "migración"),
    "ja_JP": ("デプロイに失敗したら {v} に連絡してください。", "デプロイ"),
    "pt_BR": ("Se o deploy falhar, fale com {v} antes de tentar de novo.", "deploy"),
}


def email_cases() -> list[dict | None]:
    cases = []
    templates = [
        ("git config --global user.email {v}\ngit log --author=\"$(git config user.email)\"",
         ["git log --author="]),
        ("Send the crash log to {v} (attach `journalctl -u app --since today`).",
         ["journalctl -u app --since today"]),
        ("```toml\n[tool.poetry]\nauthors = [\"Release Bot <{v}>\"]\n```", ["[tool.poetry]"]),
        ("certbot certonly --nginx -m {v} -d shop.example.org", ["certbot certonly --nginx"]),
        ("mailto:{v}?subject=Backup%20failed", ["subject=Backup%20failed"]),
    ]
    for index in range(45):
        locale = LOCALES[index % len(LOCALES)]
        email = pick((fake(locale).email, fake(locale).company_email, fake(locale).free_email))()
        if index % 3 == 2:
            lesson, keep = LESSONS[locale]
            cases.append(Case(lesson, [keep], v=email).render())
        else:
            template, keep = pick(templates)
            cases.append(Case(template, keep, v=email).render())
    return cases


def phone_cases() -> list[dict | None]:
    cases = []
    extra = [
        ("## On-call\n\n- phone: {v}\n- runbook: `docs/oncall.md`", ["docs/oncall.md"]),
        ("Reach the vendor hotline at {v}; have the order id ready.", ["order id"]),
        ("Tel. {v} — nur bei P1-Störungen.", ["P1-Störungen"]),
        ("WhatsApp {v} pour les alertes critiques.", ["alertes critiques"]),
    ]
    for index in range(70):
        locale = LOCALES[index % len(LOCALES)]
        number = fake(locale).phone_number()
        if index % 2:
            lesson, keep = LESSONS[locale]
            cases.append(Case(lesson, [keep], v=number).render())
        else:
            template, keep = pick(extra)
            cases.append(Case(template, keep, v=number).render())
    return cases


def network_cases() -> list[dict | None]:
    cases = []
    ipv4_templates = [
        ("ssh {u}@{v} 'sudo systemctl restart nginx'", ["sudo systemctl restart nginx"]),
        ("Add `{v} db.internal` to /etc/hosts, then `ping -c1 db.internal`.",
         ["/etc/hosts", "then `ping -c1 "]),
        ("The printer lives at {v}:631; use http://localhost:631 for CUPS.",
         ["http://localhost:631"]),
        ("```nginx\nset_real_ip_from {v};\nlisten 127.0.0.1:8080;\n```", ["listen 127.0.0.1:8080"]),
        ("iptables -A INPUT -s {v} -j DROP  # blocked scanner", ["iptables -A INPUT -s",
                                                                "-j DROP"]),
    ]
    for _ in range(35):
        address = pick((fake().ipv4_private, fake().ipv4_public))()
        if address.startswith("127.") or address.endswith((".0", ".255")):
            continue
        template, keep = pick(ipv4_templates)
        slots = {"v": address}
        if "{u}" in template:
            slots["u"] = fake("en_US").user_name()
        cases.append(Case(template, keep, **slots).render())
    for _ in range(18):
        template, keep = pick([
            ("ip -6 addr add {v}/64 dev eth0", ["ip -6 addr add", "dev eth0"]),
            ("curl -g 'http://[{v}]:8080/health'", ["/health"]),
            ("AAAA record points to {v}; check with `dig AAAA app.example.org`.",
             ["dig AAAA app.example.org"]),
        ])
        cases.append(Case(template, keep, v=fake().ipv6()).render())
    for _ in range(18):
        mac = fake().mac_address()
        if rng.random() < 0.3:
            mac = mac.upper().replace(":", "-")
        template, keep = pick([
            ("Wake the NAS: `wakeonlan {v}`", ["wakeonlan"]),
            ("```\nhost nas {{\n  hardware ethernet {v};\n  fixed-address 10.0.0.0;\n}}\n```",
             ["hardware ethernet", "fixed-address"]),
            ("`ip link set dev wlan0 address {v}` spoofs the address until reboot.",
             ["ip link set dev wlan0 address"]),
        ])
        cases.append(Case(template, keep, v=mac).render())
    return cases


def luhn_digit(partial: str) -> str:
    total = 0
    for index, char in enumerate(reversed(partial)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def format_digits(digits: str, sep: str) -> str:
    sizes = (4, 6, 5) if len(digits) == 15 else (4,) * (len(digits) // 4)
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at:at + size])
        at += size
    return sep.join(parts)


def money_cases() -> list[dict | None]:
    cases = []
    card_templates = [
        ("Test the checkout with card {v}, any future expiry.", ["checkout"]),
        ("Refund failed for card {v}; see `stripe logs tail`.", ["stripe logs tail"]),
        ("Karte {v} wurde abgelehnt (Fehler 402).", ["Fehler 402"]),
        ("Carte bancaire : {v}", ["Carte bancaire"]),
    ]
    for index in range(36):
        brand = pick(("visa16", "mastercard", "amex", "discover"))
        digits = fake("en_US").credit_card_number(brand)
        template, keep = pick(card_templates)
        sep = ("", " ", "-")[index % 3]
        cases.append(Case(template, keep, v=format_digits(digits, sep) if sep else digits).render())
    for index in range(20):
        body = str(rng.randrange(4 * 10**15, 5 * 10**15))[:-1]
        bad = body + str((int(luhn_digit(body)) + rng.randint(1, 9)) % 10)
        shown = format_digits(bad, " ") if index % 2 else bad
        cases.append(Case(f"Order {shown} shipped; track it with `acme orders show {bad[-6:]}`.",
                          [shown, f"acme orders show {bad[-6:]}"]).render())
    templates = [
        ("Payouts go to IBAN {v}.", ["Payouts go to"]),
        ("Überweisung an {v}, Verwendungszweck: Rechnung.", ["Verwendungszweck"]),
        ("```yaml\nsepa:\n  iban: {v}\n  schedule: monthly\n```", ["schedule: monthly"]),
        ("Virement sur le compte {v} avant le 5.", ["Virement sur le compte"]),
    ]
    for index in range(36):
        iban = FAKERS[IBAN_LOCALES[index % len(IBAN_LOCALES)]].iban()
        if index % 2:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        template, keep = pick(templates)
        cases.append(Case(template, keep, v=iban).render())
    return cases


NAME_TEMPLATES = [
    ("Author: {v}\n\n## When to use\nRun `make lint` before pushing.", ["make lint"]),
    ("git config --global user.name \"{v}\"", ["git config --global user.name"]),
    ("Thanks to {v} for the tip about `git rebase --autosquash`.", ["git rebase --autosquash"]),
    ("Co-authored-by: {v} <{e}>", ["Co-authored-by:"]),
    ("{v} suggested pinning `numpy<2` until the wheels catch up.", ["numpy<2"]),
    ("Ask {v} before touching the Terraform state.", ["Terraform state"]),
    ("Danke an {v} für den Hinweis zu `rsync --delete`.", ["rsync --delete"]),
    ("Merci à {v} pour l'astuce `docker system prune`.", ["docker system prune"]),
    ("Gracias a {v} por el truco de `git bisect`.", ["git bisect"]),
    ("Obrigado a {v} pela dica do `pytest -x`.", ["pytest -x"]),
    ("maintainer: {v}\nlicense: MIT", ["license: MIT"]),
]


def name_cases() -> list[dict | None]:
    cases = []
    latin = tuple(locale for locale in LOCALES if locale != "ja_JP")
    for index in range(66):
        locale = latin[index % len(latin)]
        person = f"{fake(locale).first_name()} {fake(locale).last_name()}"
        template, keep = pick(NAME_TEMPLATES)
        slots = {"v": person}
        if "{e}" in template:
            slots["e"] = fake(locale).email()
        cases.append(Case(template, keep, **slots).render())
    for _ in range(14):
        person = fake("ja_JP").name()
        template = pick(("デプロイ前に{v}さんに確認すること。",
                         "作成者: {v}\n`make test` を先に実行。",
                         "{v}さんのおすすめ: `git switch -c fix/typo`"))
        keep = ["git switch -c fix/typo"] if "switch" in template else ["デプロイ前"] \
            if "デプロイ" in template else ["make test"]
        cases.append(Case(template, keep, v=person).render())
    for _ in range(16):
        handle = fake("en_US").user_name().replace(".", "-").replace("_", "-")
        template, keep = pick([
            ("Ping @{v} on Slack before merging to `main`.", ["before merging to `main`"]),
            ("cc @{v} — the `@pytest.mark.slow` tests need the GPU runner.",
             ["`@pytest.mark.slow`", "GPU runner"]),
            ("Reviewed in PR #412 by @{v}; see `git log -p -- setup.py`.",
             ["PR #412", "git log -p -- setup.py"]),
        ])
        cases.append(Case(template, keep, v=handle).render())
    for person in RARE_NAMES:
        template, keep = pick([
            ("Author: {v}\nRun `tox -e py311`.", ["tox -e py311"]),
            ("git config user.name \"{v}\"", ["git config user.name"]),
            ("Reviewed-by: {v} <{e}>", ["Reviewed-by:"]),
            ("{v} <{e}> maintains the `infra/` folder.", ["infra/"]),
        ])
        slots = {"v": person}
        if "{e}" in template:
            slots["e"] = fake("en_US").email()
        cases.append(Case(template, keep, **slots).render())
    return cases


def identity_cases() -> list[dict | None]:
    home, user, host = IDENTITY["home"], IDENTITY["username"], IDENTITY["hostname"]
    full = IDENTITY["full_name"]
    rows = [
        ("{u}@{h}:~/src$ make test", ["make test"], {"u": user, "h": host}),
        ("[{u}@{h} ~]$ sudo dnf upgrade", ["sudo dnf upgrade"], {"u": user, "h": host}),
        ("Edit {home}/.config/nvim/init.lua and reload.", [".config/nvim/init.lua"],
         {"home": home}),
        ("export PATH=\"{home}/.local/bin:$PATH\"", [".local/bin:$PATH"], {"home": home}),
        ("git config --global user.name \"{n}\"", ["git config --global user.name"], {"n": full}),
        ("Signed-off-by: {n}", ["Signed-off-by:"], {"n": full}),
        ("ssh {h}.local 'df -h'", ["df -h"], {"h": host}),
        ("Traceback (most recent call last):\n  File \"{home}/projects/tool/cli.py\", line 3",
         ["Traceback (most recent call last):", "line 3"], {"home": home}),
        ("The {u} account owns /srv/www; run `sudo -u {u} crontab -l`.",
         ["/srv/www", "crontab -l"], {"u": user}),
        ("Hostname is {h}; see `hostnamectl`.", ["hostnamectl"], {"h": host}),
        ("ls -la {home}/Downloads | grep iso", ["/Downloads | grep iso"], {"home": home}),
        ("{n} wrote this lesson after the outage.", ["after the outage"], {"n": full}),
        ("Paths: {home}/venvs/ml/bin/python -m pip list", ["/venvs/ml/bin/python -m pip list"],
         {"home": home}),
        ("Docker socket: `{u}` must be in the docker group (`sudo usermod -aG docker {u}`).",
         ["sudo usermod -aG docker"], {"u": user}),
        ("PS1 shows {u}@{h} — fine for local shells.", ["fine for local shells"],
         {"u": user, "h": host}),
        ("Auf {h} läuft der Build-Agent unter {home}/agent.", ["Build-Agent"],
         {"h": host, "home": home}),
        ("Okafor-Lindqvist noted that `pip install -e .` needs setuptools>=64.",
         ["pip install -e .", "setuptools>=64"], {}),
    ]
    cases = []
    for _ in range(3):
        for template, keep, slots in rows:
            if not slots:
                case = Case(template.replace("Okafor-Lindqvist", "{s}"), keep, s="Okafor-Lindqvist")
            else:
                case = Case(template, keep, **slots)
            cases.append(case.render(identity=True))
    for _ in range(20):
        other = fake("en_US").user_name()
        template, keep = pick([
            ("cp /home/{u}/notes/setup.md docs/", ["notes/setup.md docs/"]),
            ("C:\\Users\\{u}\\AppData\\Roaming\\Code\\User\\settings.json",
             ["AppData\\Roaming\\Code\\User\\settings.json"]),
            ("open /Users/{u}/Library/Logs/DiagnosticReports", ["Library/Logs/DiagnosticReports"]),
        ])
        prefix = template.split("{u}")[0].split()[-1]
        cases.append(Case(template.replace(prefix + "{u}", "{p}"), keep, p=prefix + other).render())
    return cases


# ----------------------------------------------------------------------------- hosts

ROLES = ("build", "ci", "db", "wiki", "jira", "vault", "grafana", "nas", "git", "mail", "vpn",
         "bastion", "jump", "api", "web", "cache", "kafka", "ldap", "printer", "files", "backup")
PRIVATE_SUFFIXES = ("internal", "local", "lan", "home.arpa", "corp", "intranet", "private",
                    "localdomain")
PUBLIC_TLDS = ("com", "net", "org", "io", "de", "fr", "co.uk", "dev", "cloud")


def company() -> str:
    """A company-like DNS label from faker (a surname or two, or a business word)."""
    word = fake(pick(("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ja_JP"))).domain_word()
    return word if len(word) > 3 else word + pick(("corp", "labs", "group"))


def machine() -> str:
    suffix = pick(("", "", str(rng.randint(1, 40)).zfill(2), "-" + fake("en_US").word()))
    return pick(ROLES) + suffix


def private_host() -> str:
    """A host private by its name: a private-use suffix, an internal/corp label, or a
    Kubernetes service name."""
    org, tld = company(), pick(PUBLIC_TLDS)
    return pick((
        f"{machine()}.{org}.{pick(PRIVATE_SUFFIXES)}",
        f"{machine()}.{pick(PRIVATE_SUFFIXES)}",
        f"{machine()}.{org}-{pick(('internal', 'intra', 'corp'))}.{tld}",
        f"{machine()}.{pick(('corp', 'internal', 'intra', 'intranet'))}.{org}.{tld}",
        f"{machine()}.{org}.svc.cluster.local",
        f"{machine()}.{org}.svc",
    ))


def login_host() -> str:
    """A host that only its place (a login, an ssh config, /etc/hosts) says is private."""
    return f"{machine()}.{company()}.{pick(PUBLIC_TLDS)}"


# (template, keep, host kind): {h} is the host; a template may repeat it.
HOST_TEMPLATES: list[tuple[str, list[str], Callable[[], str]]] = [
    ("curl -fsS http://{h}/api/v1/health | jq .status", ["curl -fsS http://", "| jq .status"],
     private_host),
    ("Open https://{h}:8443/ and log in with your SSO account.", [":8443/", "SSO account"],
     private_host),
    ("The runbook is on {h}; `pip install -i https://pypi.org/simple httpie` first.",
     ["https://pypi.org/simple", "The runbook is on"], private_host),
    ("```bash\nkubectl -n shop exec deploy/web -- curl -s http://{h}:8080/metrics\n```",
     ["kubectl -n shop exec deploy/web -- curl -s http://", ":8080/metrics"], private_host),
    ("psql -h {h} -U report -d sales -c '\\dt'", ["psql -h", "-U report -d sales"],
     private_host),
    ("`docker pull {h}/tools/lint:2.1` fails behind the proxy; use registry.npmjs.org for npm.",
     ["/tools/lint:2.1", "registry.npmjs.org"], private_host),
    ("If the nightly job hangs, `ping -c3 {h}` before restarting it.",
     ["If the nightly job hangs", "ping -c3 "], private_host),
    ("ssh deploy@{h} 'sudo systemctl restart app'", ["ssh deploy@", "sudo systemctl restart app"],
     login_host),
    ("scp dist/app.tar.gz deploy@{h}:/srv/releases/ && ssh deploy@{h} ls /srv/releases",
     ["scp dist/app.tar.gz deploy@", "ls /srv/releases"], login_host),
    ("rsync -avz --delete site/ www-data@{h}:/var/www/site/",
     ["rsync -avz --delete site/", ":/var/www/site/"], login_host),
    ("Add to ~/.ssh/config:\n```\nHost {h}\n    User deploy\n    IdentityFile ~/.ssh/ci\n```",
     ["IdentityFile ~/.ssh/ci", "User deploy"], login_host),
    ("```\nHost prod\n    HostName {h}\n    Port 2222\n```\nthen `ssh prod`.",
     ["Port 2222", "ssh prod"], login_host),
    ("Edit the Host {h} block of ~/.ssh/config and set `ForwardAgent no`.",
     ["ForwardAgent no", "~/.ssh/config"], login_host),
    ("Add `10.40.2.17 {h}` to /etc/hosts; `ping {h}` should answer.",
     ["/etc/hosts", "should answer"], login_host),
    ("ssh -i ~/.ssh/ops {h} 'df -h' && ssh git@github.com", ["ssh -i ~/.ssh/ops",
                                                              "ssh git@github.com"], login_host),
]
# The doors to a login's host other than ssh: a URL with a user, a database or cache client's
# -h/--host, kubectl's --server (reviewer's A3).
LOGIN_TEMPLATES: list[tuple[str, list[str]]] = [
    ("psql -h {h} -U app -d shop -c 'select 1'", ["psql -h ", " -U app -d shop"]),
    ("mysql -h {h} -u root -p shop < dump.sql", ["mysql -h ", " -u root -p shop < dump.sql"]),
    ("pg_dump --host={h} -Fc shop > shop.dump", ["pg_dump --host=", " -Fc shop > shop.dump"]),
    ("redis-cli -h {h} -p 6379 ping", ["redis-cli -h ", " -p 6379 ping"]),
    ("mongosh --host {h} --port 27017", ["mongosh --host ", " --port 27017"]),
    ("kubectl --server=https://{h}:6443 get pods -A", ["kubectl --server=https://",
                                                        ":6443 get pods -A"]),
    ("export DATABASE_URL=postgres://app@{h}:5432/shop", ["export DATABASE_URL=postgres://",
                                                          ":5432/shop"]),
]
HOST_NEGATIVES = [
    ("curl -sSL https://docs.python.org/3/ and https://pypi.org/simple/requests/",
     ["https://docs.python.org/3/", "https://pypi.org/simple/requests/"]),
    ("ssh -T git@github.com; ssh -T git@gitlab.com", ["git@github.com", "git@gitlab.com"]),
    ("ssh user@example.com 'uptime' works against the docs' sandbox.", ["user@example.com"]),
    ("npm ping --registry https://registry.npmjs.org/", ["https://registry.npmjs.org/"]),
    ("curl http://localhost:8080/health || curl http://127.0.0.1:8080/health",
     ["http://localhost:8080/health", "http://127.0.0.1:8080/health"]),
    ("```\nHost github.com\n    IdentityFile ~/.ssh/id_ed25519\n```",
     ["Host github.com", "IdentityFile ~/.ssh/id_ed25519"]),
    ("Use `threading.local()` and `from app.internal import cli`; see config/internal.yaml.",
     ["threading.local()", "from app.internal import cli", "config/internal.yaml"]),
]


def host_cases() -> list[dict | None]:
    cases = []
    for index in range(90):
        template, keep, make = HOST_TEMPLATES[index % len(HOST_TEMPLATES)]
        cases.append(Case(template, keep, h=make()).render())
    for index in range(21):
        template, keep = LOGIN_TEMPLATES[index % len(LOGIN_TEMPLATES)]
        cases.append(Case(template, keep, h=login_host()).render())
    for text, keep in HOST_NEGATIVES:
        cases.append(Case(text.replace("{", "{{").replace("}", "}}"), keep).render())
    return cases


# ----------------------------------------------------------------------------- kept-only

NEGATIVES = [
    ("See https://docs.python.org/3/library/re.html for the syntax.",
     ["https://docs.python.org/3/library/re.html"]),
    ("git checkout 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a -- setup.cfg",
     ["3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a", "setup.cfg"]),
    ("pip install 'requests==2.31.0' 'urllib3<2'", ["requests==2.31.0", "urllib3<2"]),
    ("Set max_tokens=256 and temperature=0.2; token_limit stays 4096.",
     ["max_tokens=256", "temperature=0.2", "token_limit stays 4096"]),
    ("docker run -p 127.0.0.1:5432:5432 postgres:16", ["127.0.0.1:5432:5432", "postgres:16"]),
    ("Bind to 0.0.0.0 only inside the container; use ::1 for IPv6 loopback.",
     ["0.0.0.0", "::1"]),
    ("Allow 10.0.0.0/8 and 192.168.0.0/16 in the firewall.", ["10.0.0.0/8", "192.168.0.0/16"]),
    ("Release v1.4.2 was tagged on 2024-05-01 at 14:03:22.", ["v1.4.2", "2024-05-01", "14:03:22"]),
    ("Read the token from the environment: `token = os.environ[\"GITHUB_TOKEN\"]`.",
     ["os.environ[\"GITHUB_TOKEN\"]"]),
    ("password: ${DB_PASSWORD}  # injected by the CI", ["${DB_PASSWORD}"]),
    ("Use `git@github.com:acme/app.git` as the remote.", ["git@github.com:acme/app.git"]),
    ("```python\ndef login(user: str, password: str) -> bool: ...\n```",
     ["def login(user: str, password: str) -> bool"]),
    ("sha256sum dist/app.tar.gz  # "
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]),
    ("Use Docker Compose, not Kubernetes, for the demo; Ruby and Julia both work.",
     ["Docker Compose", "Ruby", "Julia"]),
    ("UUID 123e4567-e89b-12d3-a456-426614174000 identifies the job.",
     ["123e4567-e89b-12d3-a456-426614174000"]),
    ("The cache lives in ~/.cache/pip and /var/cache/apt.", ["~/.cache/pip", "/var/cache/apt"]),
    ("chmod 600 ~/.ssh/id_ed25519 && ssh-add", ["chmod 600 ~/.ssh/id_ed25519"]),
    ("Ports 80 and 443 must be open; 8080 is for the admin UI.", ["Ports 80 and 443", "8080"]),
    ("Training: batch 32, lr 3e-4, warmup 100 steps, 3 epochs.", ["batch 32, lr 3e-4"]),
    ("Prices: 1,299.00 EUR, or 12 x 108.25 EUR.", ["1,299.00 EUR"]),
    ("Run `kubectl get pods -n kube-system` and `kubectl logs -f deploy/api`.",
     ["kubectl get pods -n kube-system", "kubectl logs -f deploy/api"]),
    ("Mark the test with `@pytest.mark.slow` so CI skips it.", ["@pytest.mark.slow"]),
    ("Grafana and Prometheus dashboards: http://localhost:3000/d/node", [
        "http://localhost:3000/d/node", "Grafana and Prometheus"]),
    ("Epoch 1700000000 is 2023-11-14T22:13:20Z.", ["1700000000", "2023-11-14T22:13:20Z"]),
    ("Die Datei /etc/ssh/sshd_config braucht `PasswordAuthentication no`.",
     ["/etc/ssh/sshd_config", "PasswordAuthentication no"]),
    ("Le fichier ~/.bashrc est lu par les shells interactifs.", ["~/.bashrc"]),
    ("El puerto 5432 es el de PostgreSQL; usa `pg_isready -h localhost`.",
     ["pg_isready -h localhost", "5432"]),
    ("設定ファイルは /etc/nginx/nginx.conf です。`nginx -t` で確認。",
     ["/etc/nginx/nginx.conf", "nginx -t"]),
    ("O arquivo requirements.txt fixa `django==4.2.11`.", ["django==4.2.11"]),
    ("Set `api_key: ${OPENAI_API_KEY}` in config.yaml, never the literal key.",
     ["${OPENAI_API_KEY}", "config.yaml"]),
    ("GitHub Actions: `runs-on: ubuntu-22.04` with `actions/setup-python@v5`.",
     ["ubuntu-22.04", "actions/setup-python@v5"]),
    ("JIRA-4821 tracks the flaky test; see PR #912.", ["JIRA-4821", "PR #912"]),
    ("Build 20240501.3 passed in 12m 41s.", ["20240501.3", "12m 41s"]),
    ("```bash\nfor i in $(seq 1 10); do curl -s localhost:8080/health; done\n```",
     ["seq 1 10", "localhost:8080/health"]),
    ("Install Python 3.11.9 via pyenv: `pyenv install 3.11.9`.", ["pyenv install 3.11.9"]),
]


def negative_cases() -> list[dict | None]:
    return [Case(text.replace("{", "{{").replace("}", "}}"), keep).render()
            for text, keep in NEGATIVES]


def mixed_cases() -> list[dict | None]:
    cases = []
    for index in range(40):
        locale = LOCALES[index % len(LOCALES)]
        person = fake(locale).name() if locale == "ja_JP" else \
            f"{fake(locale).first_name()} {fake(locale).last_name()}"
        template = (
            "---\nname: fix-vpn-dns\ndescription: restore DNS after the VPN drops\n---\n\n"
            "## When it applies\n`resolvectl status` shows no DNS server on tun0.\n\n"
            "## What to do\n1. `sudo systemctl restart systemd-resolved`\n"
            "2. If it persists, mail {e} or call {p}.\n"
            "3. The gateway was {ip} last time; do not hard-code it.\n\n"
            "_Lesson from {n}._"
        )
        keep = ["resolvectl status", "sudo systemctl restart systemd-resolved", "name: fix-vpn-dns"]
        address = fake().ipv4_private()
        if address.endswith((".0", ".255")):
            address = address.rsplit(".", 1)[0] + ".7"
        cases.append(Case(template, keep, e=fake(locale).email(), p=fake(locale).phone_number(),
                          ip=address, n=person).render())
    return cases


def log_and_config_cases() -> list[dict | None]:
    """Personal data as it shows up in pasted logs, JSON and .env files."""
    cases = []
    for index in range(30):
        locale = LOCALES[index % len(LOCALES)]
        address = fake().ipv4_public()
        if address.endswith((".0", ".255")) or address in ("8.8.8.8", "1.1.1.1"):
            continue
        cases.append(Case(
            "```\nsshd[4121]: Failed password for invalid user admin from {ip} port 52311 ssh2\n```"
            "\nBan repeat offenders with `fail2ban-client set sshd banip`.",
            ["Failed password for invalid user admin", "port 52311 ssh2",
             "fail2ban-client set sshd banip"], ip=address).render())
        person = f"{fake(locale).first_name()} {fake(locale).last_name()}"
        cases.append(Case(
            '```json\n{{"name": "{n}", "email": "{e}", "phone": "{p}", "role": "admin"}}\n```\n'
            "Seed the dev database with `python manage.py loaddata users.json`.",
            ['"role": "admin"', "python manage.py loaddata users.json"],
            n=person, e=fake(locale).email(), p=fake(locale).phone_number()).render())
    for _ in range(10):
        cases.append(Case(
            "```env\nAPP_ENV=production\nSTRIPE_SECRET_KEY={s}\nSENTRY_DSN=https://{d}@o4504.ingest"
            ".sentry.io/45\nGITHUB_TOKEN={g}\nLOG_LEVEL=info\n```",
            ["APP_ENV=production", "LOG_LEVEL=info", "o4504.ingest.sentry.io/45"],
            s=TOKENS["stripe"](), d=TOKENS["hex32"](), g=TOKENS["ghp"]()).render(True))
    return cases


def main() -> None:
    builders = (secret_cases, email_cases, phone_cases, network_cases, money_cases, name_cases,
                identity_cases, negative_cases, mixed_cases, log_and_config_cases, host_cases)
    lines = [case for builder in builders for case in builder() if case is not None]
    with OUT.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} cases to {OUT}")


if __name__ == "__main__":
    main()
