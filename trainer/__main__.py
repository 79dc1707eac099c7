"""``python -m trainer run|eval``: the trainer process the app starts while the user is away.

Protocol for a supervisor (the app's QProcess wrapper, or a person in a terminal):

- stdout carries only progress, one JSON object per line with ``--json`` (human text
  otherwise): ``start``, ``base_loaded``, ``resumed``, ``progress`` (step, total, loss,
  tokens_per_s), ``checkpoint``, ``phase`` (export, eval), then exactly one of ``done``
  (status ``promoted``, ``rejected`` or ``skipped``), ``preempted`` or ``error``.
- exit codes: 0 finished (whatever the gate decided), 1 failed, 2 bad command line or
  config, 3 stopped by SIGTERM/SIGINT after saving a checkpoint (the next run with the
  same examples resumes from it).
- the process lowers its own priority (``nice``) so the desktop stays responsive.

The run: examples from the store → held-out split → LoRA training on the served model's
weights → GGUF adapter → gate against the current adapter → registry (candidate, then
active or rejected) → training_runs row updated at every stage (``trainer/runs.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import torch
from filelock import FileLock, Timeout
from peft import LoraConfig, PeftModel, get_peft_model

from app import paths
from app.cpu import free_threads
from app.learning.community import CommunityLesson, community_lessons
from app.learning.registry import AdapterError, AdapterRegistry
from app.model.catalog import ModelFileError, file_sha256, read_gguf_header
from app.model.runtime import default_threads
from app.store.db import open_db
from trainer import leaks
from trainer.anchors import (
    ANCHORS_FILE,
    NEAR_ANCHORS_FILE,
    anchor_sequences,
    base_replies,
    read_requests,
    unrelated,
)
from trainer.base import load_base
from trainer.community import community_examples
from trainer.community import sources as community_sources
from trainer.config import ConfigError, TrainConfig
from trainer.data import (
    Encoded,
    Encoder,
    Example,
    load_examples,
    split_holdout,
    with_plain_prompts,
    without_skills,
)
from trainer.evaluate import gate
from trainer.export_gguf import export_adapter
from trainer.loop import Preempted, StopGuard, load_checkpoint, train
from trainer.objectives import objective_weight
from trainer.replay import replay_windows
from trainer.runs import finish_run, finite, register, start_run
from trainer.teacher import CACHE_FILE, teach_all, write_back

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PREEMPTED, EXIT_BUSY = 0, 1, 2, 3, 4
LOCK_FILE = "trainer.lock"
ANOTHER_TRAINER = "another trainer is already running on this data folder; not starting a second"
NICENESS = 10
TRAINER_SAMPLE_S = 0.5  # CPU use is sampled this long before a run picks its threads

Emit = Callable[[dict[str, Any]], None]


def make_emitter(as_json: bool) -> Emit:
    def emit(event: dict[str, Any]) -> None:
        event = finite(event)
        if as_json:
            line = json.dumps(event, allow_nan=False)
        else:
            details = " ".join(f"{k}={v}" for k, v in event.items() if k != "event")
            line = f"{event['event']}: {details}"
        print(line, flush=True)

    return emit


def teacher_cache() -> Path:
    """Where the teacher's checked replies are kept between runs (``trainer/teacher.py``)."""
    return checkpoint_path("").parent / CACHE_FILE


def checkpoint_path(base_sha256: str) -> Path:
    return paths.user_dir() / "cache" / "trainer" / f"{base_sha256}.ckpt"


def fingerprint(base_sha256: str, config: TrainConfig, examples: list[Example]) -> str:
    """What a checkpoint must match to be resumed: same base, same config, same examples
    (each also taught without skills or not: that changes the schedule), same teacher
    replies."""
    digest = hashlib.sha256(base_sha256.encode())
    digest.update(config.to_json().encode())
    for example in examples:
        plain = example.prompt_plain is not None
        digest.update(f"{example.id}:{example.dedup_key}:{plain}\n".encode())
        if example.kind == "hinted":  # its teacher reply changes with the serving adapter
            digest.update(f"{example.target}\n".encode())
    return digest.hexdigest()


def served_model(arg: str | None) -> Path:
    if arg:
        return Path(arg).expanduser()
    from app import settings
    from app.assistant import configured_model_path

    return configured_model_path(settings.load())


def load_config(args: argparse.Namespace) -> TrainConfig:
    config = TrainConfig()
    if args.config:
        try:
            text = Path(args.config).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read {args.config}: {exc.strerror or exc}") from exc
        config = TrainConfig.from_json(text)
    if args.max_steps is not None:
        cap = args.max_steps
        config = dataclasses.replace(config, steps=min(config.steps, cap), max_steps=cap)
    return config


def lora(model: torch.nn.Module, config: TrainConfig) -> PeftModel:
    torch.manual_seed(config.seed)
    n_layers = int(model.config.num_hidden_layers)
    first = max(0, n_layers - config.top_layers) if config.top_layers else 0
    peft_config = LoraConfig(
        layers_to_transform=list(range(first, n_layers)),
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=list(config.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, peft_config)


def current_adapter(registry: AdapterRegistry, base_sha256: str, emit: Emit) -> Path | None:
    """The adapter serving now, to compare against; a broken one counts as none (the base)."""
    try:
        return registry.active_path(base_sha256)
    except AdapterError as exc:
        emit({"event": "warning", "message": f"{exc}; comparing against the base model"})
        return None


def training_threads(requested: int | None) -> int:
    """Threads for torch and llama.cpp: the cores nobody else is using, at least one.

    Threads of one matrix product wait for each other; when another program holds a core,
    a second thread mostly waits (measured: 10x slower with 2 threads than 1 on a 2-core
    machine under load). The trainer starts when the machine is idle, so this is usually
    every core, but it adapts when it is not. Use is sampled now rather than read from the
    1-minute load average, which still counts work that ended just before the run (measured:
    a run started right after the user's last reply trained on one thread, at half speed).
    The chat's model picks its threads the same way at each turn (``app.cpu``).
    """
    if requested:
        return requested
    return free_threads(default_threads(), TRAINER_SAMPLE_S)


def enabled_community_lessons(db: Any, config: TrainConfig) -> list[CommunityLesson]:
    """The community lessons this run may learn from: none when the user turned that off
    (``learning.learn_from_community``) or the config gives them no weight."""
    from app import settings

    if config.community_weight <= 0 or not settings.load().learning.learn_from_community:
        return []
    return community_lessons(db)


def split_for_run(
    examples: list[Example], lessons: list[CommunityLesson], encoder: Encoder, config: TrainConfig
) -> tuple[list[Example], list[Example], list[Example], list[str]]:
    """(train, held-out, the community examples among train, lessons left out): the user's
    own examples split as always, and the community lessons added to the training side only.
    """
    train_ex, held_ex = split_holdout(examples, config.holdout_fraction)
    community, skipped = community_examples(
        lessons, encoder, system_prompt(), config.community_weight, held_ex
    )
    return train_ex + community, held_ex, community, skipped


def system_prompt() -> str:
    """The system prompt the user's runtime renders requests with (community lessons are
    rendered as the runtime would render them, having no recorded prompt)."""
    from app import settings
    from app.assistant import configured_system_prompt

    return configured_system_prompt(settings.load())


def gate_items(held: list[Encoded], trained: list[Encoded]) -> tuple[list[Encoded], str]:
    """What the gate scores, and those items in words (recorded with the run).

    The user's own held-out examples, always when there are any. A user who never taught
    anything has none: then the community examples the run trained on are scored, so an
    adapter that learned nothing from them is still refused and the canary still guards
    general ability, and the record says so.
    """
    if held:
        return held, "your held-out examples"
    community = [item for item in trained if item.example.origin is not None]
    if community:
        return community, "the community examples it trained on (no held-out examples of yours)"
    return held, "your held-out examples"


def skill_groups(community: list[Example], requests: list[str]) -> list[list[str]]:
    """The requests of the community examples, one list per imported skill (its origin)."""
    groups: dict[str | None, list[str]] = {}
    for example, request in zip(community, requests, strict=True):
        groups.setdefault(example.origin, []).append(request)
    return list(groups.values())


def leak_probes(taught: leaks.Lessons, groups: list[list[str]]) -> list[str]:
    """The requests the leak check asks the candidate: those outside what was taught, and
    none when the run teaches nothing topical (a standing lesson belongs in every reply,
    and choosing probes loads the sentence embedder: on say_summary the check took 27 s
    of a run to ask nothing)."""
    return unrelated(leaks.probe_requests(), *groups) if taught.topical else []


def cmd_run(args: argparse.Namespace, emit: Emit) -> int:
    guard = StopGuard()
    guard.install()
    threads = training_threads(args.threads)
    torch.set_num_threads(threads)
    config = load_config(args)
    model_path = served_model(args.model)
    arch = read_gguf_header(model_path).architecture
    base_sha = file_sha256(model_path)
    db = open_db()
    examples, bad_rows = load_examples(db)
    lessons = enabled_community_lessons(db, config)
    if len(examples) + len(lessons) < config.min_examples or not (
        lessons or split_holdout(examples, config.holdout_fraction)[0]
    ):
        emit(
            {
                "event": "done",
                "status": "skipped",
                "reason": f"{len(examples) + len(lessons)} usable examples, "
                f"{config.min_examples} needed",
                "skipped_rows": bad_rows,
            }
        )
        return EXIT_OK
    encoder = Encoder(model_path, config.max_len)
    registry = AdapterRegistry(db)
    current = current_adapter(registry, base_sha, emit)
    seconds: dict[str, float] = {}  # per phase, to see where a run's time goes (no user text)
    mark_time = time.perf_counter()
    examples, report = teach_all(
        examples, model_path, current, encoder, config, teacher_cache(), threads
    )
    report.skills_given_examples = write_back(db, examples)
    seconds["teacher"] = time.perf_counter() - mark_time
    train_ex, held_ex, community, bad_community = split_for_run(examples, lessons, encoder, config)
    bad_rows += bad_community
    train_items, bad_train = encoder.encode_all(with_plain_prompts(train_ex))
    train_items = [i for i in train_items if objective_weight(i.example, config) > 0]
    held_items, bad_held = encoder.encode_all(without_skills(held_ex))
    judged, judged_on = gate_items(held_items, train_items)
    unusable = None
    if not train_items:
        unusable = "no example could be encoded for an objective with a weight"
    elif not judged:  # the gate would refuse any candidate: training it is wasted time
        unusable = (
            "no held-out examples to measure a candidate on "
            f"({report.checked} of {report.asked} teacher replies followed the hint)"
        )
    if unusable:
        emit(
            {
                "event": "done",
                "status": "skipped",
                "reason": unusable,
                "skipped_rows": bad_rows + bad_train,
                "teacher": report.as_event(),
            }
        )
        return EXIT_OK
    ckpt = checkpoint_path(base_sha)
    mark = fingerprint(base_sha, config, train_ex)
    resume = load_checkpoint(ckpt, mark)
    run_id = start_run(db, resume, base_sha, config, len(examples) + len(community))
    from_community = community_sources(lessons, community)
    emit(
        {
            "event": "start",
            "run_id": run_id,
            "base_sha256": base_sha,
            "threads": threads,
            "n_train": len(train_items),
            "n_held_out": len(held_items),
            "n_community": len(community),
            "community": from_community,
            "skipped": bad_rows + bad_train + bad_held,
            "resuming": resume is not None,
            "teacher": report.as_event(),
        }
    )
    candidate_file = ckpt.with_name(f"candidate-run{run_id}.gguf")
    try:
        began = time.perf_counter()
        taught = leaks.lessons(examples, encoder)
        system = system_prompt()

        def replies_of(requests: list[str]) -> dict[str, str]:
            return base_replies(
                model_path,
                base_sha,
                requests,
                system,
                encoder,
                config.anchor_tokens,
                threads,
                ckpt.parent,
            )

        # What this run teaches includes the community lessons: anchors and probes about the
        # same thing are dropped, and their markers are checked for leaks like the user's own.
        theirs = [leaks.request_of(e.prompt, encoder) for e in community]
        requests = [leaks.request_of(e.prompt_plain or e.prompt, encoder) for e in examples]
        groups = [requests, *skill_groups(community, theirs)]
        if community:
            taught = leaks.with_community(taught, community, replies_of(theirs), encoder)
        anchors = near = None
        if config.anchor_weight > 0 and not taught.standing:
            kept = unrelated(read_requests(ANCHORS_FILE), *groups)
            anchors = anchor_sequences(replies_of(kept), system, encoder)
        if community and config.near_anchor_weight > 0 and not taught.standing:
            kept = unrelated(read_requests(NEAR_ANCHORS_FILE), *groups)
            near = anchor_sequences(replies_of(kept), system, encoder)
        anchors_s = time.perf_counter() - began
        guard.check()
        model, info = load_base(model_path, base_sha)
        emit({"event": "base_loaded", **info})
        peft_model = lora(model, config)
        began = time.perf_counter()
        summary = train(
            peft_model,
            train_items,
            config,
            guard=guard,
            checkpoint=ckpt,
            fingerprint=mark,
            meta={"run_id": run_id},
            on_event=emit,
            resume=resume,
            replay=replay_windows(encoder, config.replay_tokens) if config.replay_weight else None,
            anchors=anchors,
            near=near,
        )
        seconds["train"] = time.perf_counter() - began
        guard.check()
        emit({"event": "phase", "phase": "export"})
        began = time.perf_counter()
        export_adapter(peft_model, candidate_file, base_sha256=base_sha, arch=arch)
        seconds["export"] = time.perf_counter() - began
        guard.check()
        emit({"event": "phase", "phase": "eval"})
        began = time.perf_counter()
        verdict = gate(
            model_path,
            candidate_file,
            current,
            judged,
            encoder,
            config.canary_tolerance,
            threads,
            cache_dir=ckpt.parent,
        )
        seconds["gate"] = time.perf_counter() - began
        began = time.perf_counter()
        guard.check()
        if verdict["promote"]:
            found = leaks.probe(
                model_path,
                candidate_file,
                set(taught.topical),
                replies_of(leak_probes(taught, groups)),
                system,
                encoder,
                config.anchor_tokens,
                threads,
            )
            verdict = leaks.judge(verdict, found)
        seconds |= {
            "anchors": anchors_s,
            "base_load": info["seconds"],
            "leak_check": time.perf_counter() - began,
        }
        metrics = {
            **verdict,
            "lessons": taught.as_dict(),
            "anchors": len(anchors or []),
            "near_anchors": len(near or []),
            "anchors_s": round(anchors_s, 1),
            "leak_check_s": round(time.perf_counter() - began, 1),
            "judged_on": judged_on,
            "community": from_community,
            "train": summary,
            "base_load": info,
            "teacher": report.as_dict(),
            "seconds": {name: round(value, 1) for name, value in seconds.items()},
        }
        status = "promoted" if verdict["promote"] else "rejected"
        try:
            with guard.critical():
                version = register(registry, base_sha, candidate_file, config, metrics, run_id)
                finish_run(db, run_id, status, metrics)
                ckpt.unlink(missing_ok=True)
        except Preempted:
            pass  # the run is complete; the stop request is honoured by exiting right away
        if not guard.requested:
            registry.cleanup(base_sha)
    except Preempted:
        finish_run(db, run_id, "interrupted")
        emit({"event": "preempted", "run_id": run_id})
        return EXIT_PREEMPTED
    except Exception as exc:
        finish_run(db, run_id, "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        candidate_file.unlink(missing_ok=True)
    emit(
        {
            "event": "done",
            "status": status,
            "run_id": run_id,
            "version": version,
            "reason": verdict["reason"],
            "metrics": metrics,
            "teacher": report.as_event(),  # with the user's texts, which metrics leave out
        }
    )
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, emit: Emit) -> int:
    """Score a registered adapter (default: the active one) against the base model."""
    config = load_config(args)
    model_path = served_model(args.model)
    base_sha = file_sha256(model_path)
    db = open_db()
    registry = AdapterRegistry(db)
    record = registry.get(base_sha, args.version) if args.version else registry.active(base_sha)
    if record is None:
        raise AdapterError("no active adapter for the served model; pass --version")
    registry.verify(record, base_sha)
    examples, _ = load_examples(db)
    encoder = Encoder(model_path, config.max_len)
    threads = training_threads(args.threads)
    examples, _ = teach_all(
        examples, model_path, record.path, encoder, config, teacher_cache(), threads
    )
    _, held_ex = split_holdout(examples, config.holdout_fraction)
    held_items, _ = encoder.encode_all(without_skills(held_ex))
    verdict = gate(
        model_path, record.path, None, held_items, encoder, config.canary_tolerance, threads
    )
    emit({"event": "done", "status": "evaluated", "version": record.version, "metrics": verdict})
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m trainer", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("run", "train, evaluate and register an adapter"),
        ("eval", "score a registered adapter against the base model"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="one JSON object per stdout line")
        p.add_argument("--model", help="GGUF file to train for (default: the served model)")
        p.add_argument("--config", help="JSON file with TrainConfig fields")
        p.add_argument("--max-steps", type=int, help="cap on optimizer steps for this run")
        p.add_argument("--threads", type=int, help="CPU threads (default: the idle cores)")
        p.add_argument(
            "--nice", type=int, default=NICENESS, help=f"priority decrease (default {NICENESS})"
        )
        if name == "eval":
            p.add_argument("--version", type=int, help="adapter version (default: active)")
    return parser


def remove_stale_candidates() -> list[Path]:
    """Delete candidate adapters (and their half-written temp files) left in the cache by a
    trainer killed during export or evaluation (``kill -9`` skips its own clean-up).

    Called only while holding the trainer lock, so no running trainer still needs them.
    """
    folder = checkpoint_path("").parent
    if not folder.is_dir():
        return []
    stale = [*folder.glob("candidate-*.gguf"), *folder.glob(".candidate-*.tmp")]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    emit = make_emitter(args.json)
    with contextlib.suppress(OSError):  # a priority that cannot be lowered is no reason to fail
        os.nice(args.nice)
    command = {"run": cmd_run, "eval": cmd_eval}[args.command]
    # One trainer per data folder: two would train on the same examples, race for the next
    # adapter version and halve each other's speed. flock() is held by the open file (not
    # lost when something else in the process closes the file) and released at exit.
    lock = FileLock(paths.user_dir() / LOCK_FILE)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        emit({"event": "error", "message": ANOTHER_TRAINER, "busy": True})
        return EXIT_BUSY
    except OSError as exc:  # a read-only or full data folder: say so, no traceback
        emit({"event": "error", "message": f"cannot take the trainer lock: {exc}"})
        return EXIT_FAILED
    try:
        remove_stale_candidates()
        return command(args, emit)
    except Preempted:
        emit({"event": "preempted"})
        return EXIT_PREEMPTED
    except ConfigError as exc:
        emit({"event": "error", "message": str(exc)})
        return EXIT_USAGE
    except (ModelFileError, AdapterError) as exc:
        emit({"event": "error", "message": str(exc)})
        return EXIT_FAILED
    except Exception as exc:  # the supervisor needs an error event, the user a traceback
        traceback.print_exc()
        emit({"event": "error", "message": f"{type(exc).__name__}: {exc}"})
        return EXIT_FAILED
    finally:
        lock.release()


def run_and_exit(argv: list[str] | None = None) -> NoReturn:
    """Run the trainer as a whole process: ``python -m trainer`` and a frozen app's
    ``flywheel trainer`` both end here.

    Everything that matters is saved and committed when :func:`main` returns. A normal
    interpreter shutdown tears down torch and llama.cpp, which takes seconds on a busy
    machine; a supervisor that sent SIGTERM is waiting for the process to be gone, so leave
    at once.
    """
    exit_code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)


if __name__ == "__main__":
    run_and_exit()
