"""The deny list's walls after the fifteenth blind set, part h1: cloud, cluster, container,
backup, database, log and git-remote history wiped or left unwatched. Each class is tried
with neighbours written for these tests — other programs, clouds and spellings doing the
same harm — beside look-alikes that must stay single-click."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "a cloud's audit trail or threat detection stopped or deleted": [
        "aws cloudtrail stop-logging --name audit", "aws cloudtrail delete-trail --name org",
        "aws --region eu-west-1 guardduty delete-detector --detector-id abc123",
        "aws configservice stop-configuration-recorder --configuration-recorder-name default",
        "aws securityhub disable-security-hub", "aws config delete-configuration-recorder "
        "--configuration-recorder-name default",
        "az monitor diagnostic-settings delete --name audit --resource /subscriptions/x",
        "gcloud logging sinks delete audit-sink --quiet",
    ],
    "a bucket's block on public access taken away": [
        "aws s3api delete-public-access-block --bucket payroll-exports",
        "aws s3control delete-public-access-block --account-id 123456789012",
        "aws s3api put-public-access-block --bucket b --public-access-block-configuration "
        "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,"
        "RestrictPublicBuckets=false",
    ],
    "a whole secrets store, stack or release with its data gone": [
        "az keyvault delete -n team-vault", "az keyvault delete --name kv --resource-group rg",
        "sls remove --stage prod", "serverless remove", "npx serverless remove -s staging",
        "sam delete --stack-name api --no-prompts", "amplify delete --force",
        "helm uninstall mysql -n prod", "helm delete redis-cache",
        "helm uninstall api --namespace production", "helm uninstall mongodb-replica",
    ],
    "several nodes drained at once, or pods deleted for good": [
        "kubectl drain worker-a worker-b --ignore-daemonsets",
        "kubectl drain -l pool=default --ignore-daemonsets --delete-emptydir-data",
        "kubectl drain worker-a --ignore-daemonsets --delete-emptydir-data --force",
        "oc adm drain node1 node2 --force",
        "kubectl drain $(kubectl get nodes -o name) --ignore-daemonsets",
    ],
    "a pod given the node it runs on": [
        "kubectl run pwn --image=busybox --overrides='{\"spec\":{\"hostPID\":true,"
        "\"containers\":[{\"name\":\"p\",\"image\":\"busybox\",\"securityContext\":"
        "{\"privileged\":true}}]}}' -- sh",
        "kubectl run n --image=ubuntu --overrides '{\"spec\":{\"hostNetwork\":true,"
        "\"hostPID\":true}}'",
        "kubectl run root --image=alpine --overrides='{\"spec\":{\"volumes\":[{\"name\":\"h\","
        "\"hostPath\":{\"path\":\"/\"}}]}}'",
    ],
    "every volume of a container store, or a project's volumes, deleted": [
        "docker volume prune -fa", "docker volume prune --all --force",
        "podman volume prune --force", "podman volume prune",
        "docker compose -f prod.yml down -v --rmi all", "docker-compose -p shop down -v --rmi=all",
        "nerdctl volume prune -a -f",
    ],
    "backups pruned to none, or a backup folder deleted": [
        "duplicity remove-all-but-n-full 1 --force sftp://u@host/backups",
        "duplicity remove-older-than now --force file:///srv/bk",
        "duplicity remove-all-inc-of-but-n-full 0 --force s3://b/x",
        "rm -rf /backups", "sudo rm -rf /srv/backup/", "rm -rf ~/Backups",
        "sudo rm -rf /data/backups/*", "rm -f prod.db backup.sql.gz",
        "rm customers-production.sqlite", "rm -f app.db.bak",
    ],
    "a framework's or a desktop application's database emptied unasked": [
        "wp db reset --yes", "wp db clean --yes", "wp site empty --yes",
        "wp db drop --yes --path=/var/www/html",
        "sqlite3 ~/.local/share/Anki2/User/collection.anki2 'DELETE FROM cards'",
        "sqlite3 ~/.config/Signal/sql/db.sqlite 'DROP TABLE messages'",
        "sqlite3 $HOME/.local/share/zotero/zotero.sqlite \"DELETE FROM items;\"",
    ],
    "system logs deleted": [
        "sudo rm -rf /var/log/journal", "sudo rm -rf /var/log/nginx/*",
        "rm -rf /var/log/audit/", "sudo rm -rf /var/log/apt",
    ],
    "a database server killed mid-write": [
        "sudo pkill -9 mysqld", "sudo killall -9 mongod", "pkill -KILL -f redis-server",
        "sudo pkill -SIGKILL postgres", "sudo killall -s KILL mariadbd",
        "sudo kill -9 $(pidof mysqld)", "kill -KILL `pgrep -x postgres`",
    ],
    "the remote's shared branches or every tag deleted": [
        "git push origin :main", "git push upstream :refs/heads/master",
        "git push origin :production :release",
        "git tag | xargs git push origin --delete",
        "git tag -l | xargs -n 1 git push --delete origin",
        "git push origin --delete $(git tag -l)",
        "git push origin --delete $(git branch -r | grep -v HEAD | sed 's#origin/##')",
        "git branch -r | sed 's#origin/##' | xargs git push origin --delete",
        "git for-each-ref --format='%(refname:short)' refs/tags | xargs git push -d origin",
    ],
}

HARMLESS = [
    "aws cloudtrail describe-trails", "aws cloudtrail start-logging --name audit",
    "aws cloudtrail lookup-events --max-results 5", "aws guardduty list-detectors",
    "aws s3api get-public-access-block --bucket b",
    "aws s3api put-public-access-block --bucket b --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
    "RestrictPublicBuckets=true",
    "az keyvault list", "az keyvault secret show --vault-name kv --name db",
    "serverless deploy --stage dev", "sls remove --help", "serverless info --stage production",
    "helm list -A", "helm uninstall my-test-release -n dev", "helm uninstall demo",
    "helm uninstall mysql -n dev --dry-run",
    "kubectl drain worker-a --ignore-daemonsets",
    "kubectl drain worker-a --ignore-daemonsets --delete-emptydir-data",
    "kubectl drain worker-a worker-b --dry-run=client", "kubectl cordon worker-a",
    "kubectl run tmp --image=busybox --rm -it -- sh",
    "kubectl run web --image=nginx --overrides='{\"spec\":{\"nodeSelector\":{\"pool\":\"a\"}}}'",
    "docker volume prune", "docker volume prune -f", "docker volume ls",
    "docker compose down", "docker compose down --remove-orphans", "docker compose down -v",
    "docker compose down --rmi local",
    "duplicity remove-all-but-n-full 3 --force file:///mnt/backup",
    "duplicity remove-all-but-n-full 0 file:///mnt/backup",
    "duplicity remove-older-than 6M --force file:///mnt/backup",
    "rm -rf /tmp/backup", "rm -rf ./build/backup", "rm -f /tmp/test.db",
    "rm -f db.sqlite3", "rm test.sqlite3", "rm -rf /backups/daily/2021-01-01",
    "wp db export backup.sql", "wp db reset", "wp plugin list",
    "sqlite3 ~/.local/share/app/data.db 'SELECT count(*) FROM notes'",
    "sqlite3 ./app.db 'DELETE FROM sessions'",
    "sudo rm /var/log/syslog.2.gz", "sudo rm -rf /var/log/nginx/old",
    "sudo pkill postgres", "pkill -9 node", "sudo systemctl restart postgresql",
    "sudo pkill -HUP postgres", "kill -9 $(pidof node)", "kill $(pidof mysqld)",
    "kubectl drain $(hostname) --ignore-daemonsets",
    "git push origin --delete $(git branch -r --merged | sed 's#origin/##')",
    "git push origin --delete $(git tag -l | grep nightly-)",
    "git push origin --delete feature/old", "git push origin :feature/spike",
    "git push origin main", "git tag -l", "git push origin --tags",
    "git tag -l 'rc-*' | xargs git push --delete origin",
    "git branch -r --merged | grep feature/ | sed 's#origin/##' | xargs git push origin --delete",
]


test_each_class_needs_typing_however_spelled = needs_typing_test(DANGEROUS)
test_look_alikes_stay_quiet = stays_quiet_test(HARMLESS)
