"""``bench.startup`` launches the real app and reads its start-up probe."""

from __future__ import annotations

from bench import startup


def test_one_launch_reports_the_window_then_the_model_then_the_embedder_then_quits() -> None:
    launch = startup.launch_once(timeout_s=120)

    assert launch["exit_code"] == 0, "the probe quits the app once the embedder is ready"
    assert 0 < launch["window_shown_s"] < launch["model_ready_s"] <= launch["embedder_ready_s"]
    assert launch["window_shown_cpu_s"] > 0
    assert launch["embedder_loaded"], "the sentence embedder loads in the GUI process"
    assert 100 < launch["rss_model_mb"] < launch["rss_mb"] < 4000
