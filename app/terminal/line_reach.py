"""Runs the whole-line readers that know no single program: what a line of commands reaches.

Why a module of its own: `deny_list` walks one command at a time; these readers look at the
commands of a line together (a script written and then run, a home folder fed to a loop)
or at code in any language, and each lives in its own module.
"""

from __future__ import annotations

from app.terminal.checks_off import checks_off_reasons
from app.terminal.defence_settings import proc_sys_reasons
from app.terminal.defences_off import filtered_restore_reasons
from app.terminal.disguised_tools import disguise_reasons
from app.terminal.endless_sources import endless_reasons
from app.terminal.exposure_checks import exposure_reasons
from app.terminal.fed_targets import fed_target_reasons
from app.terminal.guards_off import written_guard_reasons
from app.terminal.home_reach import home_reach_reasons
from app.terminal.inline_reach import code_reach_reasons
from app.terminal.package_runners import runner_reasons
from app.terminal.process_sweeps import loop_sweep_reasons, piped_sweep_reasons
from app.terminal.secret_moves import secret_move_reasons
from app.terminal.service_stops import service_reasons
from app.terminal.shell_syntax import Command
from app.terminal.untrusted_runs import untrusted_run_reasons


def line_reasons(commands: list[Command]) -> list[str]:
    """Reasons from every whole-line reader, in order, for one parsed command line."""
    return (code_reach_reasons(commands) + home_reach_reasons(commands)
            + service_reasons(commands) + exposure_reasons(commands)
            + disguise_reasons(commands) + endless_reasons(commands)
            + proc_sys_reasons(commands) + runner_reasons(commands)
            + secret_move_reasons(commands) + fed_target_reasons(commands)
            + untrusted_run_reasons(commands) + loop_sweep_reasons(commands)
            + piped_sweep_reasons(commands) + filtered_restore_reasons(commands)
            + checks_off_reasons(commands) + written_guard_reasons(commands))
