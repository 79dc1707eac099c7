"""The deny list's walls after the thirteenth blind set, part h1 (issue 16): wide deletes
spelt for Windows, PowerShell and configuration tools, a disk's header restored, vital
daemons and every process stopped on any system, and the machine hibernated or sent down.
Each class is tried with neighbours written for these tests — other programs, systems and
spellings doing the same harm — beside look-alikes that must stay single-click."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "a user's or the system's folder deleted by Windows' own commands, or from WSL": [
        "pwsh -c 'Remove-Item -Path $env:USERPROFILE\\Documents -Recurse -Force'",
        "cmd.exe /c \"rmdir /s /q %USERPROFILE%\"",
        "cmd /c del /f /s /q 'C:\\Users\\bob'",
        "pwsh -NoProfile -c 'ri -r -fo ${env:SystemRoot}'",
        "pwsh -c 'rm -r -fo C:/Users'",
        "rm -rf /mnt/c/Users/alice", "sudo rm -rf /mnt/c/Windows/System32",
    ],
    "a home folder deleted by a configuration tool, named by a template or another tool": [
        "ansible all -m ansible.builtin.file -a 'path={{ ansible_env.HOME }}/Documents "
        "state=absent'",
        "ansible localhost -m file -a \"state=absent path={{ ansible_user_dir }}\"",
        "ansible win -m win_file -a 'path=C:\\Users\\alice state=absent'",
        "sudo salt-call --local file.remove /home/tester/Pictures",
        "sudo puppet resource file /home/tester ensure=absent force=true",
    ],
    "a disk's encryption header or volume layout replaced by a saved copy": [
        "cryptsetup -q luksHeaderRestore /dev/nvme0n1p2 --header-backup-file=/root/nvme.hdr",
        "sudo vgcfgrestore -f /etc/lvm/archive/vg0_00012.vg vg0",
        "sudo lvm vgcfgrestore --force vg0",
    ],
    "a daemon the machine is reached, logged or run by, stopped by any service manager": [
        "sudo launchctl unload -w /System/Library/LaunchDaemons/ssh.plist",
        "sudo sv down sshd", "sudo rc-service NetworkManager stop", "doas rcctl stop sshd",
        "sudo /etc/rc.d/netif stop", "sudo /etc/init.d/ssh stop", "sc.exe stop TermService",
        "pwsh -c 'Stop-Service -Name sshd -Force'", "sudo systemctl mask --now systemd-udevd",
        "sudo systemctl kill systemd-journald.service",
    ],
    "every session or service stopped through the slice or domain that holds them": [
        "sudo systemctl kill --signal=KILL user-1000.slice",
        "sudo systemctl stop user@1000.service", "sudo systemctl stop session-3.scope",
        "sudo systemctl stop system.slice", "sudo launchctl bootout gui/501",
    ],
    "a vital process killed by name on any system, or by its pid file": [
        "sudo pkill -9 loginwindow", "sudo killall -KILL launchd",
        "kill -9 $(< /run/NetworkManager/NetworkManager.pid)",
        "sudo pkill -F /var/run/sshd.pid",
        "sudo start-stop-daemon --stop --pidfile /run/sshd.pid",
        "sudo kill -TERM \"$(systemctl show -p MainPID --value systemd-logind)\"",
        "taskkill /F /IM winlogon.exe", "pwsh -c 'Stop-Process -Name csrss -Force'",
    ],
    "every process of a user, a session or the machine killed on Windows": [
        "taskkill.exe /f /fi \"SESSION eq 2\"", "taskkill /F /FI \"STATUS eq RUNNING\"",
        "taskkill /F /FI \"IMAGENAME ne explorer.exe\"", "taskkill /F /IM *",
        "pwsh -c 'Get-Process | Stop-Process -Force'",
        "pwsh -c 'Stop-Process -Name * -Force'",
    ],
    "the machine or the WSL system shut down or hibernated by a target, a call or a tool": [
        "wsl --terminate Ubuntu-22.04", "wsl.exe -t Debian",
        "sudo systemctl isolate ctrl-alt-del.target", "sudo systemctl start exit.target",
        "sudo systemctl start hibernate.target", "loginctl hybrid-sleep", "doas apm -Z",
        "sudo acpiconf -s 4", "sudo pm-hibernate", "sudo pm-suspend-hybrid", "sudo s2disk",
        "busctl call org.freedesktop.login1 /org/freedesktop/login1 "
        "org.freedesktop.login1.Manager HybridSleep b false",
        "dbus-send --system --print-reply --dest=org.freedesktop.UPower /org/freedesktop/UPower "
        "org.freedesktop.UPower.Hibernate",
        "qdbus org.kde.Solid.PowerManagement /org/kde/Solid/PowerManagement/Actions/"
        "SuspendSession suspendToDisk",
    ],
}

HARMLESS = [
    "pwsh -c 'Remove-Item -Recurse -Force .\\bin'", "cmd /c rd /s /q build",
    "pwsh -c 'Remove-Item -Recurse -Force $env:TEMP\\build'",
    "cmd.exe /c \"del /q %TEMP%\\*.log\"",
    "pwsh -c 'Remove-Item $env:USERPROFILE\\Downloads\\setup.exe'",
    "pwsh -c 'Remove-Item -Recurse -Force $env:USERPROFILE -WhatIf'",
    "pwsh -c 'Remove-Item -Recurse $env:USERPROFILE\\AppData -Include *.tmp'",
    "rm -rf /mnt/c/Users/alice/source/repo/node_modules", "cmd /c dir /s /b 'C:\\Users\\alice'",
    "ansible localhost -m file -a \"path={{ ansible_env.HOME }}/tmp/build state=absent\"",
    "ansible all -m file -a 'path={{ ansible_env.HOME }} state=directory'",
    "salt-call --local file.remove /tmp/build", "salt-call --local file.file_exists /home/tester",
    "puppet resource file /home/tester", "puppet resource file /tmp/x ensure=absent force=true",
    "sudo cryptsetup luksHeaderBackup /dev/sda3 --header-backup-file /root/sda3.hdr",
    "sudo cryptsetup luksDump /dev/sda3",
    "cryptsetup luksHeaderRestore ./vault.img --header-backup-file vault.hdr",
    "sudo vgcfgrestore --list vg0", "sudo vgcfgbackup vg0",
    "sudo /etc/init.d/networking status", "sudo /etc/init.d/ssh reload",
    "rc-service sshd status", "sv status sshd", "launchctl print system/com.openssh.sshd",
    "sudo launchctl bootout system/com.example.agent", "systemctl status systemd-journald",
    "sudo systemctl restart systemd-journald", "sudo systemctl stop nginx", "sc.exe query sshd",
    "pwsh -c 'Get-Service sshd'", "pwsh -c 'Restart-Service sshd'", "rcctl check sshd",
    "sudo systemctl stop systemd-resolved",
    "systemctl status user.slice", "systemctl --user stop myjob.slice",
    "systemctl show user-1000.slice -p MemoryCurrent",
    "sudo systemctl set-property user-1000.slice MemoryMax=8G", "launchctl print gui/501",
    "launchctl bootout gui/501/com.example.agent",
    "kill -HUP \"$(cat /run/sshd.pid)\"", "kill $(cat /run/myapp.pid)",
    "sudo pkill -F /run/nginx.pid", "cat /run/sshd.pid",
    "sudo start-stop-daemon --stop --pidfile /run/myapp.pid", "killall Dock",
    "systemctl show -p MainPID --value sshd", "taskkill /IM notepad.exe /F",
    "pwsh -c 'Stop-Process -Name notepad'",
    "taskkill /F /FI \"USERNAME eq alice\" /IM chrome.exe",
    "taskkill /FI \"IMAGENAME eq node.exe\" /F", "tasklist /FI \"USERNAME eq alice\"",
    "taskkill /?", "pwsh -c 'Get-Process chrome | Stop-Process'",
    "pwsh -c 'Get-Process | Sort-Object CPU'",
    "taskkill /F /FI \"WINDOWTITLE eq Untitled - Notepad\"",
    "systemctl suspend", "zzz", "apm -z", "apm -l", "acpiconf -s 3",
    "busctl call org.freedesktop.login1 /org/freedesktop/login1 "
    "org.freedesktop.login1.Manager CanHibernate",
    "gdbus introspect --system --dest org.freedesktop.login1 --object-path "
    "/org/freedesktop/login1",
    "systemctl list-dependencies hibernate.target", "systemctl status ctrl-alt-del.target",
    "sudo systemctl mask ctrl-alt-del.target",
    "wsl --list --verbose", "wsl -l -v", "wsl --status", "wsl -d Ubuntu -- uname -a",
]


test_each_class_needs_typing_however_spelled = needs_typing_test(DANGEROUS)
test_look_alikes_stay_quiet = stays_quiet_test(HARMLESS)
