"""Whole cloud, cluster, database and backup resources deleted without a question (issue 16,
the eleventh blind set's thirteenth category): each class below is a sentence a reader can
state, tried with neighbours of the misses written for these tests (not copied from the
set), beside look-alikes that must stay single-click: listings, dry runs, `--help`, one
named small object, and deletes whose tool still asks."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "a cloud resource that holds data or runs a service, deleted by a CLI that never asks": [
        "aws kms schedule-key-deletion --key-id 0f0e-11 --pending-window-in-days 30",
        "aws route53 delete-hosted-zone --id ZABC123",
        "aws secretsmanager delete-secret --secret-id prod/api",
        "aws logs delete-log-group --log-group-name /prod/app",
        "aws backup delete-backup-vault --backup-vault-name main",
        "openstack volume delete data-1", "openstack server delete web-01",
        "az keyvault purge --name acme-kv", "gh api --method DELETE repos/me/site",
        "gh api -XDELETE /repos/me/site",
        "curl -X DELETE -H 'Authorization: token t' https://api.github.com/repos/me/site",
    ],
    "a platform's whole app, project or stack removed with its question answered": [
        "heroku apps:destroy -a shop-staging --confirm shop-staging",
        "fly apps destroy my-api --yes", "cdk destroy ProdStack -f",
        "pulumi destroy -y", "terragrunt run-all destroy --terragrunt-non-interactive",
        "firebase firestore:delete users --recursive --force",
        "firebase database:remove / -f",
    ],
    "every object of a cluster kind, or a kind that holds data, deleted": [
        "kubectl delete statefulset --all -n db", "kubectl delete pv --all",
        "kubectl -n prod delete pvc -l app=postgres",
        "kubectl delete crd certificates.cert-manager.io",
        "kubectl delete secrets,configmaps --all --namespace billing",
    ],
    "a virtual machine or job purged with its disks": [
        "virsh undefine db-vm --remove-all-storage", "sudo qm destroy 120",
        "pct destroy 200 --purge", "nomad job stop -purge -yes web",
        "virsh pool-delete images",
    ],
    "a bucket or a remote's top level emptied or removed": [
        "s3cmd del --recursive --force s3://acme-media", "mc rm -r --force minio/backups",
        "b2 rm --recursive b2://family-photos", "rclone purge b2:photos",
        "rclone delete gdrive:", "bq rm -r -f -d analytics_prod",
    ],
    "a database, keyspace, role's objects or every table emptied by a statement": [
        "cqlsh -e 'drop keyspace if exists events'",
        "psql -c 'TRUNCATE accounts CASCADE' shop",
        "psql -d app -c 'drop owned by reporting'",
        "mysqladmin --force drop analytics",
        "psql -Atc \"select 'drop table '||tablename||';' from pg_tables\" | psql app",
        "psql app -c \"SELECT format('TRUNCATE %I', tablename) FROM pg_tables \\gexec\"",
        "docker exec pg psql -U app -c 'drop database app'",
        "kubectl exec -it cache-0 -- redis-cli flushall",
    ],
    "a key-value or secret store emptied as a whole": [
        "etcdctl del --prefix ''", "etcdctl del / --prefix",
        "consul kv delete -recurse /", "vault secrets disable kv/",
        "influx bucket delete --name metrics", "eksctl delete cluster -n prod",
        "curl -XDELETE localhost:9200/_all",
        "curl -X DELETE 'http://es.internal:9200/logs-*'",
        "http DELETE http://localhost:5984/orders",
    ],
    "a framework's drop or reset task with its guard or question switched off": [
        "DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:reset",
        "rake db:drop RAILS_ENV=production DISABLE_DATABASE_ENVIRONMENT_CHECK=1",
        "python3 manage.py flush --no-input", "php artisan db:wipe --force",
        "flyway clean", "liquibase drop-all", "npx prisma migrate reset --force",
        "dotnet ef database drop --force",
    ],
    "every backup or snapshot deleted": [
        "restic forget --keep-last 1 --prune", "borg delete ssh://nas/./repo",
        "borg prune --keep-last=1 /srv/borg", "tarsnap --nuke --keyfile /root/t.key",
        "kopia snapshot delete --all-snapshots-for-source /srv --delete",
        "restic snapshots -q --json | jq -r '.[].id' | xargs restic forget",
        "openstack volume delete $(openstack volume list -f value -c ID)",
    ],
    "a force push that replaces the shared branch with a made-up commit": [
        "git push -f origin $(git commit-tree 4b825dc -m wipe):refs/heads/master",
    ],
}

HARMLESS = [
    # one named small object, or a delete whose tool asks first
    "kubectl delete pod --all -n dev", "kubectl delete deployment web -n staging",
    "kubectl delete pvc scratch-claim", "kubectl delete -f ./k8s/job.yaml",
    "helm uninstall my-release -n dev", "gcloud sql instances delete staging-db",
    "az group delete --name scratch-rg", "terraform destroy", "pulumi destroy",
    "cdk destroy DevStack", "gh repo delete me/old-site", "heroku apps:destroy -a old-app",
    "aws s3api delete-object --bucket b --key tmp/x.json", "aws ec2 delete-tags --resources i-1",
    "aws sqs delete-message --queue-url q --receipt-handle h",
    "aws ec2 delete-snapshot --snapshot-id snap-0abc", "openstack server show web-01",
    "openstack volume snapshot delete snap-1",
    "mc rm --recursive --force minio/media/tmp/", "mc rb minio/empty-bucket",
    "aws s3 rb s3://empty-bucket", "rclone delete s3:logs --min-age 90d", "eksctl get cluster",
    "docker exec pg psql -U app -c 'select count(*) from users'",
    "curl -X DELETE https://api.github.com/repos/me/site/issues/comments/1",
    "rclone purge gdrive:photos/old-thumbnails", "rclone delete ./build",
    "b2 rm b2://bucket/notes/today.txt", "bq rm -f -t analytics.tmp_import",
    "s3cmd ls s3://acme-media",
    "virsh destroy dev-vm", "virsh undefine dev-vm", "qm stop 120", "qm list",
    "nomad job stop web", "pct list",
    "psql -c 'TRUNCATE sessions'", "psql -c 'DROP TABLE IF EXISTS tmp_import'",
    "psql -c 'select tablename from pg_tables'", "mysqladmin drop analytics",
    "mysqladmin status", "cqlsh -e 'describe keyspaces'",
    "etcdctl del /app/config/feature-x", "etcdctl get '' --prefix --keys-only",
    "consul kv delete -recurse app/cache/", "vault secrets list", "vault kv delete secret/tmp",
    "influx bucket list", "curl -X DELETE https://api.example.org/v1/items/42",
    "curl localhost:9200/_cat/indices", "curl -X DELETE localhost:9200/logs-2024.01.01/_doc/1",
    "bin/rails db:drop", "rails db:reset", "python manage.py flush",
    "python manage.py migrate", "php artisan migrate:fresh", "php artisan migrate --force",
    "flyway clean --help", "flyway migrate", "liquibase update", "npx prisma migrate reset",
    "dotnet ef database update",
    "restic forget --keep-daily 7 --keep-weekly 4 --prune", "restic forget 4f2a1b9c",
    "borg delete /srv/borg::host-2024-01-01", "borg prune --keep-last 3 /srv/borg",
    "tarsnap --list-archives", "kopia snapshot delete k1a2b3 --delete",
    "restic snapshots", "kopia snapshot list --all",
    "kubectl delete ns staging --dry-run=server", "terraform destroy -help",
    "aws rds delete-db-instance --db-instance-identifier prod --dry-run --help",
    "gh repo delete --help", "aws ec2 terminate-instances --instance-ids i-1 --dry-run",
    "git push --force-with-lease origin HEAD:refs/heads/feature",
]


test_whole_resource_deletes_need_typing = needs_typing_test(DANGEROUS)
test_look_alikes_stay_quiet = stays_quiet_test(HARMLESS)
