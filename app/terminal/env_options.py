"""Options a program reads from its environment, as if they were typed after its name.

Why: `terraform destroy` shows its plan and asks before it deletes; `TF_CLI_ARGS_destroy=
-auto-approve terraform destroy` does not, because Terraform (and OpenTofu, and Terragrunt,
which hands its environment on) adds the variable's words to its command line. Other tools
read their question switch from a variable of their own (`PULUMI_SKIP_CONFIRMATIONS=true`,
`CLOUDSDK_CORE_DISABLE_PROMPTS=1`, `TERRAGRUNT_NON_INTERACTIVE=true`). A judge that reads only
the arguments misses them all, so the variables a command is run with — set before it,
through `env`, or exported earlier on the line — become the options they stand for before
the program is judged. Variables for other commands (`TF_CLI_ARGS_destroy` for a `plan`) or
set to off add nothing.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

_ARGUMENT_READERS = frozenset({"terraform", "tofu", "terragrunt"})
# Variables that switch a tool's question off, and the option each stands for.
_SWITCHES = {
    "PULUMI_SKIP_CONFIRMATIONS": ("pulumi", "--yes"),
    "CLOUDSDK_CORE_DISABLE_PROMPTS": ("gcloud", "--quiet"),
    "TERRAGRUNT_NON_INTERACTIVE": ("terragrunt", "--terragrunt-non-interactive"),
    "TG_NON_INTERACTIVE": ("terragrunt", "--terragrunt-non-interactive"),
}
_ON = frozenset({"1", "true", "yes", "on"})


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:  # an unclosed quote: the words as the shell would split them
        return value.split()


def with_environment_options(name: str, args: list[str],
                             variables: Mapping[str, str]) -> list[str]:
    """`args` with the options `name` takes from `variables` added after them."""
    extra: list[str] = []
    if name in _ARGUMENT_READERS:
        command = next((arg for arg in args if not arg.startswith("-")), "")
        for key in ("TF_CLI_ARGS", f"TF_CLI_ARGS_{command}"):
            extra += _words(variables.get(key, ""))
    extra += [option for key, (program, option) in _SWITCHES.items()
              if program == name and variables.get(key, "").lower() in _ON]
    return [*args, *extra] if extra else args
