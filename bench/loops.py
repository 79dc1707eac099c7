"""Benchmark: how often the embedded model's replies loop, by repetition penalty.

Run ``python -m bench.loops --json [--set test|tune] [--penalties 1.0,1.1] [--seeds 4]``;
prints one JSON object.

Every prompt of the set is asked in a fresh conversation with the app's sampling
(temperature and reply limit from the default settings), once per seed and per penalty.
A reply counts as a loop when the runtime stopped it for repeating itself
(``finish_reason == "loop"``) or when it ran to the reply limit: every prompt here wants a
short answer, and before the loop stop existed those replies repeated a line (or counted)
until the limit. The prompts were found by asking 36 everyday requests three times each
(seeds 101-103, not the seeds measured here) and keeping those that looped at least once.
The penalty was chosen on the ``tune`` set; the ``test`` set (other prompts) is the one to
judge it by. Goal: with the app's default penalty, at most
half the loops of no penalty on the test set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

from app.model.catalog import embedded_model_path
from app.model.runtime import ModelRuntime
from app.settings import Settings

GOAL_LOOP_RATIO = 0.5
PROMPTS = {
    "tune": [
        "Write a short poem about the mountains",
        "Write a rhyme for children about a cat",
        "Write a poem about my dog",
        "Write a lullaby",
        "Écris un poème sur l'amour",
        "Write a song about the rain",
        "Tell me about déjà vu",
        "Say goodbye in German",
    ],
    "test": [
        "Write lyrics for a birthday song",
        "Write a sonnet about time",
        "Write a short poem about trees",
        "Write a poem about winter",
        "Write a song chorus about summer",
        "Write a poem about coffee",
        "Écris une chanson sur la pluie",
        "Tell me about c'est la vie",
    ],
}


def measure(rt: ModelRuntime, prompts: list[str], penalty: float, seeds: int) -> dict[str, object]:
    settings = Settings().model
    stopped = at_limit = 0
    lengths: list[int] = []
    looping: list[str] = []
    for prompt in prompts:
        for seed in range(1, seeds + 1):
            rt.reset_cache()
            reply = "".join(
                rt.stream_chat(
                    [{"role": "user", "content": prompt}],
                    max_tokens=settings.max_reply_tokens,
                    temperature=settings.temperature,
                    seed=seed,
                    repeat_penalty=penalty,
                )
            )
            assert rt.last_stats is not None
            lengths.append(rt.last_stats.completion_tokens)
            finish = rt.last_stats.finish_reason
            stopped += finish == "loop"
            at_limit += finish == "length"
            if finish in ("loop", "length"):
                looping.append(f"{prompt} (seed {seed}): …{reply[-80:]!r}")
            print(f"{penalty} {prompt[:30]!r} seed {seed}: {finish}", file=sys.stderr)
    return {
        "repeat_penalty": penalty,
        "replies": len(lengths),
        "loops": stopped + at_limit,
        "stopped_as_loop": stopped,
        "ran_to_limit": at_limit,
        "median_reply_tokens": statistics.median(lengths),
        "looping_replies": looping,
    }


def run(which: str, penalties: list[float], seeds: int) -> dict[str, object]:
    rt = ModelRuntime(embedded_model_path(), n_threads=1, n_ctx=Settings().model.context_size)
    rt.load()
    try:
        results = [measure(rt, PROMPTS[which], penalty, seeds) for penalty in penalties]
    finally:
        rt.close()
    result: dict[str, object] = {
        "benchmark": "loops",
        "set": which,
        "seeds": seeds,
        "temperature": Settings().model.temperature,
        "app_default_penalty": Settings().model.repeat_penalty,
        "by_penalty": results,
    }
    loops = {r["repeat_penalty"]: r["loops"] for r in results}
    default, none = loops.get(Settings().model.repeat_penalty), loops.get(1.0)
    if default is not None and none:
        result["loop_ratio_default_to_none"] = round(default / none, 4)  # type: ignore[operator]
        result["goals"] = {"loop_ratio_max": GOAL_LOOP_RATIO}
        result["goals_met"] = {"loop_ratio": default <= GOAL_LOOP_RATIO * none}  # type: ignore[operator]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--set", choices=sorted(PROMPTS), default="test")
    parser.add_argument(
        "--penalties",
        default=f"1.0,{Settings().model.repeat_penalty}",
        help="comma-separated repeat penalties (default: none and the app's)",
    )
    parser.add_argument("--seeds", type=int, default=4, help="replies per prompt and penalty")
    args = parser.parse_args(argv)
    penalties = sorted({float(p) for p in args.penalties.split(",")})
    result = run(args.set, penalties, args.seeds)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
