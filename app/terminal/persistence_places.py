"""Places whose files run again later by themselves: at each login, session, boot or shell.

Why: a file written into any of them is a command planted for later, whoever wrote it and
however (a redirect, `tee`, `cp`, `ln -s`, `install`, a download's output). The desktops,
init systems and shells each have their own folder for this, so the class can only be held
as a list of places; it is kept in one pattern here, for every reader of paths to share.
"""

from __future__ import annotations

import re

# Under home (`~` already expanded to a path ending in the user's folder, or left as `~`).
_USER_PLACES = (
    r"\.config/(?:autostart[\w-]*|plasma-workspace/(?:env|shutdown)|environment\.d"
    r"|systemd/user|upstart|fish/conf\.d|labwc/autostart|openbox/autostart[\w.]*"
    r"|lxsession/[^/]+/autostart|hypr/hyprland\.conf|sway/config|i3/config|xfce4/autostart"
    r"|nvim/plugin|nvim/init\.(?:vim|lua)|ipython/profile_\w+/startup)"
    r"|\.local/share/systemd/user|\.local/share/bash-completion/completions"
    r"|\.kde\d?/(?:Autostart|env|shutdown)|\.config/kde\w*/(?:Autostart|env)"
    r"|\.(?:bashrc|zshrc|profile)\.d|\.vim/plugin|\.ipython/profile_\w+/startup"
    r"|\.oh-my-zsh/custom|\.zprezto/modules|\.config/fish/functions"
    r"|\.config/(?:bspwm/bspwmrc|awesome/rc\.lua|sxhkd/sxhkdrc|qtile/autostart\.sh"
    r"|herbstluftwm/autostart|river/init|niri/config\.kdl|icewm/startup)"
    r"|\.fluxbox/startup|\.i3/config"
    r"|\.xsession\w*|\.xinitrc|\.xprofile|\.Xclients|\.gnomerc"
    r"|Library/LaunchAgents")
# System-wide places run at every user's login or session. Units, cron files and udev rules
# copied into /etc are the admin's usual way; their text is judged where it is written.
_SYSTEM_PLACES = (
    r"/etc/(?:xdg/autostart|profile\.d|update-motd\.d|X11/Xsession\.d|X11/xinit/xinitrc\.d"
    r"|bash_completion\.d)|/usr/share/bash-completion/completions"
    r"|/Library/(?:LaunchAgents|LaunchDaemons|StartupItems)")
# Wherever an environment lives: the scripts its activation runs (conda's `activate.d`, a
# virtualenv's `bin/activate`), each time someone enters it.
_ACTIVATION_PLACES = r"etc/conda/(?:de)?activate\.d|bin/activate(?:\.\w+)?"
PERSISTENCE = re.compile(rf"(?:^|/)(?:{_USER_PLACES}|{_ACTIVATION_PLACES})(?:/|$)"
                         rf"|^(?:{_SYSTEM_PLACES})(?:/|$)")


def persistence_place(path: str) -> bool:
    """Whether a file at `path` (absolute and normalised) runs later by itself."""
    return bool(PERSISTENCE.search(path))
