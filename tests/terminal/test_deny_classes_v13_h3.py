"""The deny list's walls after the thirteenth blind set, part h3 (issue 16): accounts and
privileges — a cloud's, a cluster's or a database's administrator rights granted, an
administrator group joined on other systems, a login or signature check written off in its
settings — defences switched off (security monitors, a cluster's pod security) and
persistence (a unit's drop-in, a downloaded git hook, login hooks in a system's settings,
code every Python start runs). Each class is tried with neighbours of the misses written for
these tests (other programs, systems and spellings doing the same harm) beside look-alikes
that must stay single-click."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "an owner or administrator role granted in a cloud account, cluster or secrets store": [
        "aws iam attach-group-policy --group-name devs "
        "--policy-arn arn:aws:iam::aws:policy/IAMFullAccess",
        "aws iam put-user-policy --user-name bot --policy-name all --policy-document "
        "'{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}'",
        "aws iam add-user-to-group --user-name temp --group-name Administrators",
        "gcloud organizations add-iam-policy-binding 1234567 --member=user:x@example.com "
        "--role=roles/resourcemanager.organizationAdmin",
        "gcloud projects add-iam-policy-binding staging --member "
        "serviceAccount:ci@x.iam.gserviceaccount.com --role roles/editor",
        "gcloud iam service-accounts add-iam-policy-binding sa@p.iam.gserviceaccount.com "
        "--member=allUsers --role=roles/iam.serviceAccountTokenCreator",
        "az role assignment create --assignee 11111111-2222-3333-4444-555555555555 "
        "--role 'User Access Administrator' --scope /subscriptions/abc",
        "az role assignment create --role contributor --assignee-object-id 42 -g rg",
        "kubectl create rolebinding ops-admin --clusterrole=cluster-admin --user=ops -n prod",
        "oc adm policy add-cluster-role-to-user cluster-admin developer",
        "openstack role add --user guest --project prod admin",
        "vault token create -policy=root",
    ],
    "a database account made superuser or given every privilege on every database": [
        "psql -U postgres -c \"CREATE ROLE ops LOGIN SUPERUSER PASSWORD 'x'\"",
        "mariadb -e \"GRANT ALL PRIVILEGES ON *.* TO 'app'@'%'\"",
        "echo \"GRANT SUPER ON *.* TO 'bob'@'localhost';\" | mysql -u root",
        "mongosh admin --eval 'db.grantRolesToUser(\"app\", [{role: \"root\", db: \"admin\"}])'",
        "redis-cli ACL SETUSER ops on nopass '~*' '+@all'",
        "cockroach sql --insecure -e 'GRANT admin TO guest'",
        "sqlcmd -Q \"ALTER SERVER ROLE sysadmin ADD MEMBER [app]\"",
        "psql -c 'GRANT pg_execute_server_program TO webapp'",
        "docker exec db psql -U postgres -c 'ALTER USER app WITH SUPERUSER'",
    ],
    "an administrator group joined, or a second root made, on BSD or Windows": [
        "pw usermod bob -G wheel", "sudo pw group mod wheel -m eve", "pw useradd svc -o -u 0",
        "net group \"Domain Admins\" eve /add /domain",
        "Add-LocalGroupMember -Group Administrators -Member eve",
        "powershell -Command \"Add-LocalGroupMember -Group 'Administrators' -Member 'guest'\"",
    ],
    "a database's or the desktop's login check switched off in its settings": [
        "echo 'host all all 0.0.0.0/0 trust' | sudo tee -a /var/lib/pgsql/data/pg_hba.conf",
        "sudo perl -pi -e 's/\\bmd5\\b/trust/' /etc/postgresql/15/main/pg_hba.conf",
        "echo 'skip-grant-tables' | sudo tee -a /etc/mysql/mysql.conf.d/mysqld.cnf",
        "printf '[Seat:*]\\nautologin-user=root\\n' | sudo tee -a /etc/lightdm/lightdm.conf",
        "printf '[Autologin]\\nUser=root\\n' | sudo tee -a /etc/sddm.conf.d/autologin.conf",
        "sudo sed -i 's/^#\\?TimedLogin=.*/TimedLogin=root/' /etc/gdm/custom.conf",
        "sudo systemctl edit --stdin getty@tty2 "
        "<<< $'[Service]\\nExecStart=\\nExecStart=-/sbin/agetty -a root tty2 linux'",
    ],
    "package signature checks switched off in the package manager's settings": [
        "sudo sed -i 's/^gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/epel.repo",
        "echo 'repo_gpgcheck = off' | sudo tee -a /etc/zypp/zypp.conf",
        "sudo sed -i 's/^SigLevel.*/SigLevel = Never/' /etc/pacman.conf",
        "sudo crudini --set /etc/yum.repos.d/epel.repo epel gpgcheck 0",
        "echo 'Acquire::AllowInsecureRepositories \"true\";' | "
        "sudo tee -a /etc/apt/apt.conf.d/90insecure",
        "echo 'deb [trusted=yes] http://repo.example.org/ stable main' | "
        "sudo tee -a /etc/apt/sources.list",
    ],
    "a security monitor or antivirus stopped (EDR, intrusion detection, audit)": [
        "sudo systemctl stop elastic-agent",
        "sudo launchctl unload /Library/LaunchDaemons/com.crowdstrike.falcond.plist",
        "sudo /var/ossec/bin/wazuh-control stop",
        "sudo mdatp config behavior-monitoring --value disabled",
        "sc stop Sysmon64", "sudo rc-service auditbeat stop",
        "sudo /opt/sentinelone/bin/sentinelctl control stop",
    ],
    "a cluster's pod security switched off for a namespace": [
        "kubectl label namespace ci pod-security.kubernetes.io/enforce=privileged",
        "kubectl label ns prod pod-security.kubernetes.io/enforce-",
        "oc adm policy add-scc-to-user privileged -z default -n apps",
    ],
    "a service unit given a command from a throwaway folder or a hidden file": [
        "systemctl --user edit --stdin --drop-in=10-x.conf pipewire.service "
        "<<< $'[Service]\\nExecStartPost=/dev/shm/.p'",
        "printf '[Service]\\nExecStartPre=/var/tmp/.u\\n' | "
        "sudo tee -a /etc/systemd/system/nginx.service.d/override.conf",
        "echo -e '[Service]\\nExecStart=\\nExecStart=/tmp/.d' | sudo systemctl edit --stdin cron",
    ],
    "a downloaded, throwaway or hidden file installed as a git hook or a cron job": [
        "install -m 755 /tmp/h .git/hooks/post-checkout",
        "ln -sf ~/Downloads/tool .git/hooks/pre-push",
        "sudo cp $HOME/Downloads/backup.sh /etc/cron.daily/backup",
        "mv ~/.cache/.x repo/.git/hooks/post-merge",
    ],
    "a program registered to run at each login by the system's own settings": [
        "sudo defaults write com.apple.loginwindow LogoutHook ~/.l.sh",
        "defaults write /Library/Preferences/com.apple.loginwindow LoginHook /usr/local/bin/x",
        "reg add 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' /v Updater "
        "/t REG_SZ /d C:\\Users\\Public\\u.exe /f",
        "reg add \"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\" /v Userinit "
        "/d \"C:\\Windows\\system32\\userinit.exe,C:\\temp\\x.exe\" /f",
        "New-ItemProperty -Path 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' "
        "-Name u -Value 'C:\\temp\\u.exe'",
        "schtasks /create /sc ONLOGON /tn upd /tr C:\\Users\\Public\\u.exe",
    ],
    "code every Python start runs, planted in the folder Python names": [
        "cp hook.py \"$(python3 -c 'import site; print(site.getusersitepackages())')"
        "/sitecustomize.py\"",
        "echo 'import os; os.system(\"id\")' | tee \"$(python -m site --user-site)/zz.pth\"",
        "printf 'import evil\\n' > "
        "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()[\"purelib\"])')/a.pth",
    ],
}

HARMLESS = [
    "aws iam list-attached-user-policies --user-name intern",
    "aws iam attach-user-policy --user-name intern "
    "--policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess",
    "gcloud projects get-iam-policy acme-prod",
    "gcloud projects add-iam-policy-binding p --member=user:a@example.com --role=roles/viewer",
    "az role assignment list --assignee bob@contoso.com",
    "az role assignment create --assignee bob@contoso.com --role Reader --scope /subscriptions/x",
    "kubectl create clusterrolebinding viewers --clusterrole=view --group=devs",
    "kubectl create clusterrolebinding x --clusterrole=cluster-admin --user=x --dry-run=client",
    "oc adm policy who-can delete pods", "openstack role assignment list --user guest",
    "vault token create -policy=readonly", "aws iam add-user-to-group --help",
    "psql -c 'ALTER ROLE webapp NOSUPERUSER'",
    "mysql -e \"GRANT SELECT ON shop.* TO 'ro'@'localhost'\"",
    "mysql -e \"CREATE USER 'app'@'localhost' IDENTIFIED BY 'Str0ng!pass'\"",
    "mysql -e \"SHOW GRANTS FOR 'x'@'%'\"", "psql -c '\\du'",
    "mongosh shop --eval 'db.createUser({user: \"app\", pwd: \"pw\", "
    "roles: [{role: \"readWrite\", db: \"shop\"}]})'",
    "redis-cli ACL LIST", "redis-cli ACL SETUSER reader on '>s3cret' '~cache:*' '+get'",
    "pw groupshow wheel", "pw usermod bob -s /bin/sh", "pw groupmod staff -m bob",
    "net localgroup administrators", "net user", "Get-LocalGroupMember -Group Administrators",
    "sudo grep -v '^#' /etc/postgresql/16/main/pg_hba.conf",
    "echo 'host all all 10.0.0.0/8 scram-sha-256' | "
    "sudo tee -a /etc/postgresql/16/main/pg_hba.conf",
    "sudo sed -i 's/trust$/scram-sha-256/' /etc/postgresql/16/main/pg_hba.conf",
    "sudo sed -i 's/AutomaticLoginEnable=true/AutomaticLoginEnable=false/' /etc/gdm3/custom.conf",
    "cat /etc/gdm3/custom.conf",
    "grep gpgcheck /etc/yum.repos.d/fedora.repo",
    "echo 'gpgcheck=1' | sudo tee -a /etc/dnf/dnf.conf",
    "echo 'max_parallel_downloads=10' | sudo tee -a /etc/dnf/dnf.conf",
    "sudo sed -i 's/^SigLevel.*/SigLevel = Required DatabaseOptional/' /etc/pacman.conf",
    "systemctl status falcon-sensor", "sudo systemctl restart wazuh-agent", "mdatp health",
    "sudo mdatp config real-time-protection --value enabled",
    "sudo /var/ossec/bin/wazuh-control status", "sudo systemctl stop nginx",
    "sudo /opt/sentinelone/bin/sentinelctl control status",
    "kubectl label ns prod pod-security.kubernetes.io/enforce=restricted --overwrite",
    "kubectl label ns dev pod-security.kubernetes.io/warn=baseline",
    "kubectl get ns --show-labels",
    "kubectl label ns prod pod-security.kubernetes.io/enforce=privileged --dry-run=client",
    "cqlsh -e \"CREATE ROLE app WITH SUPERUSER = false AND LOGIN = true\"",
    "psql -c 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO admin'",
    "sudo systemctl edit --stdin nginx.service <<< $'[Service]\\nLimitNOFILE=65536'",
    "printf '[Service]\\nExecStartPre=/usr/bin/sleep 5\\n' | "
    "sudo systemctl edit --stdin --drop-in=delay.conf docker.service",
    "systemctl cat ssh.service",
    "cp .git/hooks/pre-commit.sample .git/hooks/pre-commit",
    "cp scripts/pre-commit .git/hooks/pre-commit",
    "cp .git/hooks/pre-commit ~/Downloads/hook-backup", "ls -l .git/hooks",
    "defaults read com.apple.loginwindow", "sudo defaults delete com.apple.loginwindow LoginHook",
    "reg query 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run'",
    "reg delete 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' /v Updater /f",
    "schtasks /create /sc daily /st 02:00 /tn backup /tr C:\\tools\\backup.exe",
    "sudo crudini --set /etc/yum.repos.d/epel.repo epel enabled 0",
    "defaults write com.apple.dock autohide -bool true",
    "python3 -m site --user-site", "ls \"$(python3 -m site --user-site)\"",
    "cat \"$(python3 -m site --user-site)/easy-install.pth\"",
]

test_needs_typing_v13_h3 = needs_typing_test(DANGEROUS)
test_stays_quiet_v13_h3 = stays_quiet_test(HARMLESS)
