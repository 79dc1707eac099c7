"""Classes of harm the second blind set found open (issue 16), each judged by what the
command does rather than by its spelling: sub-folders of system folders, `..` and `$USER`
in paths, storage built on disks, ownership of the home folder handed away, fork loops in
any language, code in any interpreter, literals hidden behind escapes or character codes,
script files written and run on the same line, tools that run other tools' jobs. And the
look-alikes that must stay quiet: text only printed, a service's settings edited."""

from __future__ import annotations

import pytest

from app.terminal.deny_list import danger_reasons
from app.terminal.policy import Approval, decide


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tester")


DANGEROUS = {
    "system sub-folders deleted": ["sudo rm -rf /usr/lib/python3", "rm -rf /boot/grub",
                                   "sudo rm -r /etc/systemd", "sudo rm -rf /var/lib/apt"],
    "`..` and $USER resolved": ['rm -rf "$HOME/../${USER}"', "rm -rf ~/src/../../$LOGNAME"],
    "storage built on disks": [
        "sudo mdadm --create /dev/md0 --level=1 --raid-devices=2 /dev/sda1 /dev/sdb1",
        "sudo pvcreate /dev/nvme0n1", "sudo vgcreate vg0 /dev/sdc", "sudo lvm pvcreate /dev/sdd",
        "sudo zpool add tank /dev/sde"],
    "home folder handed to another owner": ["sudo chgrp -R nogroup ~",
                                            "sudo chown -R 0:0 /home/tester"],
    "fork loops in any language": ["perl -e 'fork until 0'", "ruby -e 'loop { fork }'",
                                   "node -e 'for(;;) require(\"child_process\").fork(__filename)'",
                                   "php -r 'while(true) pcntl_fork();'"],
    "code in other interpreters": [
        "echo 'exec rm -rf ~' | tclsh", "Rscript -e 'unlink(\"~\", recursive=TRUE)'",
        "julia -e 'rm(homedir(), recursive=true)'",
        "deno eval 'Deno.removeSync(Deno.env.get(\"HOME\"), {recursive: true})'",
        "bun -e 'require(\"child_process\").execSync(\"rm -rf ~\")'",
        "guile -c '(system \"rm -rf ~\")'",
        "gdb -batch -ex 'python import os; os.system(\"rm -rf ~\")'",
        "emacs -Q --batch --eval '(delete-directory \"~\" t)'",
        "emacs --batch --eval '(call-process-shell-command \"rm -rf $HOME\")'"],
    "literals decoded before judging": [
        "python3 -c 'import os; os.system(\"\\162\\155 -rf ~\")'",
        "python3 -c 'import os; os.system(\"\\x72\\x6d -rf ~\")'",
        "node -e 'require(\"child_process\").execSync(String.fromCharCode(114,109)+\" -rf ~\")'",
        "python3 -c 'import os; os.system(bytes.fromhex(\"726d202d7266207e\").decode())'",
        "python3 -c 'import os;os.system(chr(114)+chr(109)+\" -rf ~\")'",
        "python3 -c 'import subprocess; subprocess.call([\"bash\", \"-c\", \"rm -rf ~\"])'"],
    "script written and run on the same line": [
        "f=/tmp/x.lua; echo 'os.execute(\"rm -rf ~\")' > $f; lua $f",
        "echo 'rm -rf ~' > /tmp/a.sh && bash /tmp/a.sh",
        "S=$(mktemp); echo 'system(\"rm -rf ~\")' > $S; expect -f $S"],
    "tools running other tools' jobs": ["cmake -E remove_directory ~", "toybox rm -rf ~"],
}
HARMLESS = [
    "sudo rm -rf /usr/local/go", "sudo rm -rf /var/lib/apt/lists/*", "rm -rf /tmp/build/../cache",
    "zpool status", "sudo zfs create tank/home", "sudo mdadm --detail /dev/md0",
    "chown -R $USER:$USER ~", "sudo chown -R $(id -u):$(id -g) ~/.cache",
    "sudo chown -R tester ~/projects", "sudo chown -R mysql:mysql /var/lib/mysql",
    "emacs --batch --eval '(message \"hello\")'", "julia -e 'println(1+1)'",
    "Rscript -e 'summary(cars)'", "python3 -c 'print(\"\\x41\")'",
    "echo 'print(1)' > /tmp/t.py; python3 /tmp/t.py", "echo 'rm -rf ~' > notes.txt; cat notes.txt",
    "cmake -E rm -rf build", "cmake -E make_directory build",
    "echo 'never run :(){ :|:& };: at home'",
    "sudo sed -i 's/^#\\?PasswordAuthentication.*/PasswordAuthentication no/' "
    "/etc/ssh/sshd_config",
]


@pytest.mark.parametrize("command", [c for cases in DANGEROUS.values() for c in cases])
def test_each_class_needs_the_typed_confirmation(command: str) -> None:
    assert danger_reasons(command), command
    assert decide(command, "assistant", [], sandboxed=True).approval \
        is Approval.TYPED_CONFIRMATION


@pytest.mark.parametrize("command", HARMLESS)
def test_look_alikes_stay_quiet(command: str) -> None:
    assert danger_reasons(command) == []


def test_printed_text_still_counts_once_it_reaches_a_shell() -> None:
    assert danger_reasons("printf '%s\\n' ':(){ :|:& };:' | bash")
    assert danger_reasons("echo ':(){ :|:& };:' | sh")


def test_service_settings_emptied_or_account_files_edited_still_flagged() -> None:
    assert danger_reasons("sudo sed -i '1,$d' /etc/ssh/sshd_config")
    assert danger_reasons("sudo sed -i 's/^root:x:/root::/' /etc/passwd")


def test_a_rule_for_the_host_tool_never_runs_the_delete_it_carries() -> None:
    decision = decide("cmake -E remove_directory $HOME", "assistant", ["cmake *"],
                      sandboxed=True)
    assert decision.approval is Approval.TYPED_CONFIRMATION


def test_user_name_in_a_path_is_the_home_folders_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/srv/me")
    assert danger_reasons("rm -rf ~/../$USER") == ["recursive delete of your home folder"]
    assert danger_reasons("rm -rf ~/../${LOGNAME}/") == ["recursive delete of your home folder"]
