"""Private host names leave a skill as ``<HOST>``: names under private-use suffixes or with an
internal/corp label, the machine a login reaches, and those names wherever they recur; public
hosts, documentation names and the forges people clone from stay."""

from __future__ import annotations

import pytest

from app.community.anonymize import HOST, LocalIdentity, anonymize

NOBODY = LocalIdentity(None, None, None, None)


def clean(text: str) -> str:
    return anonymize(text, NOBODY).text


def test_the_hosts_of_the_issue_are_removed() -> None:
    """Scope 5 names them; a community scenario written blind found them passing unchanged."""
    text = (
        "curl http://billing.svc.cluster.local/api and ssh db1.corp.example.com and "
        "jira.acme.internal"
    )
    assert clean(text) == "curl http://<HOST>/api and ssh <HOST> and <HOST>"
    assert clean("ssh deploy@build01.acme-internal.net") == "ssh deploy@<HOST>"
    assert clean("edit the Host bastion.lumen-intra.net block of ~/.ssh/config") == (
        "edit the Host <HOST> block of ~/.ssh/config"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ping -c1 db.internal", "ping -c1 <HOST>"),
        ("The NAS answers at nas.home.arpa and printer.local.",
         "The NAS answers at <HOST> and <HOST>."),
        ("open http://grafana.lan:3000/d/node", "open http://<HOST>:3000/d/node"),
        ("wiki.intranet has the runbook", "<HOST> has the runbook"),
        ("dig +short vault.acme.corp", "dig +short <HOST>"),
        ("psql -h pg-main.private -U app", "psql -h <HOST> -U app"),
        ("kubectl exec -it api -- curl orders.shop.svc:8080/health",
         "kubectl exec -it api -- curl <HOST>:8080/health"),
        ("mount -t nfs files.localdomain:/srv /mnt", "mount -t nfs <HOST>:/srv /mnt"),
        ("psql postgres://postgres:s3cr3tpw@db.internal:5432/shop",
         "psql postgres://postgres:<SECRET>@<HOST>:5432/shop"),
    ],
)
def test_hosts_under_private_use_names_are_removed(text: str, expected: str) -> None:
    assert clean(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("git clone https://git.corp.acme.com/team/app.git",
         "git clone https://<HOST>/team/app.git"),
        ("Builds run on ci.acme-corp.io.", "Builds run on <HOST>."),
        ("VPN: vpn.intra.globex.de", "VPN: <HOST>"),
        ("curl -k https://api.internal.initech.com/v2/health",
         "curl -k https://<HOST>/v2/health"),
    ],
)
def test_hosts_with_an_internal_or_corp_label_are_removed(text: str, expected: str) -> None:
    assert clean(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ssh deploy@build01.acme.io 'uptime'", "ssh deploy@<HOST> 'uptime'"),
        ("ssh -p 2222 ops@bastion.globex.de", "ssh -p 2222 <USER>@<HOST>"),
        ("scp dump.sql deploy@db7.initech.net:/srv/dumps/",
         "scp dump.sql deploy@<HOST>:/srv/dumps/"),
        ("rsync -av ./site/ www-data@web3.umbrella.org:/var/www/",
         "rsync -av ./site/ www-data@<HOST>:/var/www/"),
        ("ssh -i ~/.ssh/ci build.hooli.com", "ssh -i ~/.ssh/ci <HOST>"),
        ("Host bastion\n    HostName jump.vandelay.io\n    User deploy",
         "Host <HOST>\n    HostName <HOST>\n    User deploy"),
        ("Host *\n    ServerAliveInterval 60", "Host *\n    ServerAliveInterval 60"),
        ("ssh -o ProxyJump=jump.globex.de root@10.0.3.7", "ssh -o ProxyJump=<HOST> root@<IP>"),
        ("git remote add origin git@git.initech.com:team/app.git",
         "git remote add origin git@<HOST>:team/app.git"),
        ("scp root@box.example.org:/tmp/x . && scp root@box.initech.com:/tmp/x .",
         "scp root@box.example.org:/tmp/x . && scp root@<HOST>:/tmp/x ."),
    ],
)
def test_the_machine_a_login_reaches_is_removed(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_a_found_host_is_removed_wherever_the_text_repeats_it() -> None:
    text = "ssh deploy@build01.acme.io, then `ping build01.acme.io` and BUILD01.ACME.IO again."
    out = anonymize(text, NOBODY)
    assert out.text == "ssh deploy@<HOST>, then `ping <HOST>` and <HOST> again."
    assert all(red.kind == HOST for red in out.redactions)


def test_a_hosts_file_line_names_private_machines() -> None:
    out = clean("Add this to /etc/hosts:\n10.20.0.4 ledger.acme.io ledger\n127.0.0.1 localhost")
    assert "ledger.acme.io" not in out
    assert "127.0.0.1 localhost" in out and "/etc/hosts" in out


@pytest.mark.parametrize(
    "text",
    [
        "pip install -i https://pypi.org/simple requests; see https://docs.python.org/3/",
        "npm config set registry https://registry.npmjs.org/",
        "curl http://localhost:8080/health and http://127.0.0.1:5000/",
        "ssh git@github.com",
        "ssh -T git@gitlab.com; git clone git@bitbucket.org:team/app.git",
        "ssh user@example.com 'ls'",
        "ssh admin@host.example.org and ssh root@box.test",
        "ssh git@codeberg.org and ssh git@git.sr.ht",
        "ssh git@ssh.dev.azure.com; git clone git@vs-ssh.visualstudio.com:v3/org/proj/repo",
        "git clone git@hf.co:spaces/x/y; ssh git@huggingface.co",
        "git clone git@salsa.debian.org:debian/foo.git; git clone git@gitlab.gnome.org:GNOME/gtk",
        "git clone git@git.kernel.org:pub/scm/git/git.git; git clone git@gitee.com:org/app.git",
        "Host github.com\n    IdentityFile ~/.ssh/id_ed25519",
        "Set the Host header to the public name; HostName is read from ~/.ssh/config.",
        "cp settings.local.py.example settings.local.py and edit config/internal.yaml",
        "from app.internal import helpers; import pip._internal",
        "Open Visual Studio and the localhost.localdomain entry stays.",
    ],
)
def test_public_and_documentation_hosts_stay(text: str) -> None:
    assert clean(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ssh -i deploy.pem ubuntu@1.2.3.4 and then chmod 600 deploy.pem",
         "ssh -i deploy.pem ubuntu@<IP> and then chmod 600 deploy.pem"),
        ("ssh -F ssh.conf bastion", "ssh -F ssh.conf bastion"),
        ("ssh -o UserKnownHostsFile=/dev/null -i mykey.key admin@10.0.0.1",
         "ssh -o UserKnownHostsFile=/dev/null -i mykey.key admin@<IP>"),
        ("ssh -vvv -p2222 -i id.pub box.acme.io", "ssh -vvv -p2222 -i id.pub <HOST>"),
        ("ssh -J jump.acme.io admin@10.2.3.4", "ssh -J <HOST> admin@<IP>"),
        ("ssh-keyscan -t rsa git.acme.io", "ssh-keyscan -t rsa <HOST>"),
    ],
)
def test_an_ssh_option_argument_is_no_host(text: str, expected: str) -> None:
    """ssh's argument-taking options consume their argument, a key or config file name is no
    destination, and -J's argument is a jump host (reviewer's A1: the key file was removed
    everywhere as <HOST>)."""
    assert clean(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "x = config.internal\ny = request.home\nz = data.local",
        "if user.home: print(env.lan)",
        "In Django, settings.corp is read at start-up.",
        "In Rails, `Rails.env.local?`",
        "Set `logging.level.corp=DEBUG` in application.properties.",
    ],
)
def test_attribute_access_in_code_is_no_host(text: str) -> None:
    """An attribute named like a private suffix is code (reviewer's A2), while a host in a
    question or a setting's value still goes (next test)."""
    assert clean(text) == text


def test_hosts_ending_a_question_or_a_setting_still_go() -> None:
    assert clean("Can you reach jira.acme.internal? DB_HOST=db.internal") == (
        "Can you reach <HOST>? DB_HOST=<HOST>"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("psql -h pg-prod.initech.io -U app", "psql -h <HOST> -U app"),
        ("mysql -h db.staging.contoso.net -u root", "mysql -h <HOST> -u root"),
        ("pg_dump --host=db.acme.io shop; redis-cli -h cache.acme.io ping",
         "pg_dump --host=<HOST> shop; redis-cli -h <HOST> ping"),
        ("export DATABASE_URL=postgres://u:p@db.acme.io:5432/app",
         "export DATABASE_URL=postgres://<USER>:<SECRET>@<HOST>:5432/app"),
        ("kubectl --server=https://k8s-api.acme.io:6443 get pods",
         "kubectl --server=https://<HOST>:6443 get pods"),
        ("ping printer.fritz.box, the router is http://fritz.box",
         "ping <HOST>, the router is http://fritz.box"),
        ("psql -h localhost -U app; mysql -h db.example.com; "
         "pip install --index-url https://__token__@pypi.org/simple x",
         "psql -h localhost -U app; mysql -h db.example.com; "
         "pip install --index-url https://<USER>@pypi.org/simple x"),
    ],
)
def test_the_hosts_of_database_clients_urls_with_a_user_and_kubectl_go(
    text: str, expected: str
) -> None:
    """A login's host reached by a client's -h, a URL's user or kubectl's --server, and the
    devices of a FRITZ!Box home network (reviewer's A3); documentation names, localhost and
    public registries stay."""
    assert clean(text) == expected
