"""The deny list's walls after the twelfth blind set (issue 16): each class is tried with
neighbours of the misses written for these tests — other programs, systems and spellings
doing the same harm — beside look-alikes that must stay single-click."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "a hosted machine or volume deleted by a CLI that never asks": [
        "hcloud volume delete data-1", "linode-cli linodes delete 1234",
        "hcloud load-balancer delete lb-main",
    ],
    "a whole storage container emptied, or a bucket mirrored from an empty folder": [
        "az storage blob delete-batch --source uploads --account-name acct",
        "az storage container delete -n backups --account-name acct",
        "aws s3 sync ./empty-dir s3://media-bucket/ --delete", "rclone sync /var/empty b2:archive",
        "gsutil rsync -r -d /tmp/empty.d gs://assets",
    ],
    "every collection of a database dropped or emptied in a loop": [
        "mongo shop --eval 'for (const n of db.getCollectionNames()) db.getCollection(n).drop()'",
        "mongosh --eval 'db.getCollectionNames().forEach(function(n){db[n].deleteMany({})})'",
    ],
    "backups pruned to the last hours, or every system snapshot deleted": [
        "restic forget --keep-within=2h --prune", "borg prune --keep-within 3H /srv/borg",
        "timeshift --delete-all --scripted",
    ],
    "every service, session or container killed, or every pid but the shell's own": [
        "sudo systemctl kill -s KILL '*'", "systemctl --user stop '*.service'",
        "ps -u \"$USER\" -o pid= | grep -v \"^ *$$\\$\" | xargs kill",
        "tmux -L work kill-server", "zellij kill-all-sessions --yes",
        "podman kill $(podman ps -q)", "docker container kill $(docker container ls -q)",
    ],
    "code a debugger runs inside a process, or a program's own code, kills all or reboots": [
        "gdb -p 1 -batch -ex 'call (int)reboot(0x4321fedc)'",
        "gdb -p 300 --batch --eval-command='call kill(-1, 15)'",
        "sudo python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x4321fedc)'",
        "python3 -c 'import ctypes; ctypes.CDLL(None).kill(-1, 9)'",
    ],
    "a disk written by Perl code opened without parentheses": [
        "sudo perl -e 'open D,\"+</dev/sda\"; print D \"x\"'",
        "perl -e 'open OUT, \">\", \"/dev/sdb\"; print OUT \"\\0\" x 512'",
    ],
    "the machine hibernated, or booted into a rescue shell next time": [
        "loginctl hibernate", "sudo systemctl hibernate -i",
        "sudo grubby --update-kernel=ALL --args systemd.unit=rescue.target",
        "echo 'GRUB_CMDLINE_LINUX=\"init=/bin/bash\"' | sudo tee -a /etc/default/grub",
        "sudo kernelstub -a systemd.unit=emergency.target",
    ],
    "an administrator group joined through shadow-utils' member tool": [
        "sudo groupmems --group wheel --add bob", "sudo groupmems -g docker -a bob",
    ],
    "a job planted in a user's spool table, or a dropped file copied in as a cron job": [
        "echo '@reboot /tmp/.u' | sudo tee -a /var/spool/cron/tester",
        "sudo ln -s ~/.cache/.h /etc/cron.weekly/h", "sudo mv /var/tmp/job /etc/cron.monthly/job",
    ],
    "a shell opened from Lisp, or a system program folder run blind": [
        "emacs -nw --eval '(ansi-term \"/bin/zsh\")'", "run-parts --regex '^(ba)?sh$' /usr/bin",
        "sudo run-parts /usr/sbin",
    ],
    "a tool installed from an address, a program fetched over http into the PATH": [
        "uv tool install https://example.org/pkg.whl",
        "dotnet tool install --global --add-source https://feed.example.net/v3/index.json My.T",
        "sudo curl -o /usr/local/bin/helper http://mirror.example.net/helper",
        "wget -O /usr/bin/jq 198.51.100.7/jq",
    ],
    "a reverse SOCKS proxy into this machine's network": [
        "chisel client https://tunnel.example.org R:1080:socks",
    ],
}

HARMLESS = [
    "hcloud server list", "hcloud ssh-key delete old-key", "hcloud server delete --help",
    "az storage blob delete-batch -s uploads --pattern 'tmp/*' --account-name acct",
    "az storage blob delete -c uploads -n old.txt --account-name acct",
    "aws s3 sync ./site s3://my-site --delete", "gsutil rsync -d -r ./public gs://site",
    "aws s3 sync /tmp/empty s3://bucket", "rclone sync ./photos gdrive:photos",
    "mongosh app --eval 'db.getCollectionNames()'", "mongosh app --eval 'db.sessions.drop()'",
    "restic forget --keep-within 30d --prune", "borg prune --keep-within 7d --keep-daily 7 /srv/b",
    "restic forget --keep-within 2h --keep-daily 7 --prune", "sudo timeshift --list",
    "sudo timeshift --delete --snapshot '2024-01-01_00-00-01' --yes",
    "sudo systemctl kill -s HUP '*.service'", "systemctl list-units '*.service'",
    "systemctl stop 'myapp-*.service'", "pgrep -u \"$USER\" firefox | xargs kill",
    "ps aux | grep -v grep | grep firefox | awk '{print $2}' | xargs kill",
    "tmux kill-session -t old", "tmux ls", "docker kill web-1", "docker stop $(docker ps -q)",
    "docker kill $(docker ps -q --filter name=test-)",
    "gdb -p 4242 -batch -ex 'call (int)kill(4242, 15)'", "gdb -p 1234 -batch -ex bt -ex 'p n'",
    "python3 -c 'print(\"reboot later\")'", "perl -e 'open F, \"<\", \"/dev/sda\"; read F, $b, 9'",
    "perl -e 'open F, \"</etc/hostname\"; print <F>'", "perl -e 'open F, \">\", \"out.txt\"'",
    "systemctl suspend", "sudo grubby --update-kernel=ALL --args quiet",
    "uv tool install ruff", "dotnet tool install -g dotnet-ef", "pipx install black",
    "curl -L https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl -o /usr/local/bin/kubectl",
    "curl -sL http://example.org/notes.txt | tee ./notes.txt",
    "curl http://203.0.113.4/data.json -o /tmp/data.json", "chisel client 203.0.113.5:8000 3000",
    "chisel server --reverse --port 8000", "chisel client 203.0.113.5:8000 socks",
    "sudo groupmems -g sudo -l", "sudo groupmems -g video -a tester",
    "echo '0 3 * * * /usr/local/bin/backup.sh' | sudo tee -a /var/spool/cron/crontabs/root",
    "sudo cp ./logrotate-extra /etc/cron.daily/logrotate-extra", "sudo mv /etc/cron.daily/x /root/",
    "emacs -Q --eval '(shell-command \"ls\")'", "emacs -nw notes.txt",
    "python3 -c 'print(term(\"x\"))'", "run-parts /etc/cron.daily",
    "run-parts --test /etc/cron.daily",
    "run-parts --list --regex '^sh$' /bin",
    "sudo sed -i 's/quiet splash/quiet/' /etc/default/grub", "grep systemd.unit /etc/default/grub",
]


test_each_class_needs_typing_however_spelled = needs_typing_test(DANGEROUS)
test_look_alikes_stay_quiet = stays_quiet_test(HARMLESS)
