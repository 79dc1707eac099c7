"""Judges added by class, several per program, on top of `program_checks`' own.

Why: `program_checks` keeps one judge per program for its main danger, but a program can
belong to several classes (`usermod` changes passwords and groups; `systemctl` powers off
and stops services), and each class lives in its own module with its own judges. Each
judge sees the program's arguments as `program_checks` does: past wrappers, with the
line's variables filled in and the folder an earlier `cd` moved to.
"""

from __future__ import annotations

from app.terminal import (
    account_changes,
    cloud_grants,
    cloud_guards,
    cloud_wiped,
    data_wiped,
    database_grants,
    defence_settings,
    defences_off,
    disk_devices,
    fetch_checks,
    fetched_manifests,
    firewall_rules,
    firmware,
    guards_off,
    home_reach,
    hook_options,
    login_hooks,
    package_sources,
    process_sweeps,
    remote_access,
    remote_desktops,
    restore_points,
    secret_access,
    service_stops,
    stores_wiped,
    wide_delete,
)

_CLASSES = (account_changes.JUDGES, cloud_grants.JUDGES, cloud_guards.JUDGES,
            cloud_wiped.JUDGES, data_wiped.JUDGES, database_grants.JUDGES,
            defence_settings.JUDGES, defences_off.JUDGES, disk_devices.JUDGES,
            fetched_manifests.JUDGES, firewall_rules.JUDGES, firmware.JUDGES,
            home_reach.JUDGES, hook_options.JUDGES, login_hooks.JUDGES,
            package_sources.JUDGES, process_sweeps.JUDGES, remote_access.JUDGES,
            remote_desktops.JUDGES, restore_points.JUDGES, service_stops.JUDGES,
            stores_wiped.JUDGES, secret_access.JUDGES, wide_delete.CLASS_JUDGES,
            guards_off.JUDGES, fetch_checks.JUDGES)


def class_reasons(name: str, args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """Reasons from every class module that has a judge for `name`."""
    return [reason for judges in _CLASSES if (judge := judges.get(name))
            for reason in judge(args, cwd, piped)]


def judged(name: str) -> bool:
    """Whether any class module has a judge for `name`."""
    return any(name in judges for judges in _CLASSES)
