"""``bench.startup`` launches the real app and reads its start-up probe."""

from __future__ import annotations

from bench import startup


def test_one_launch_reports_the_window_then_the_model_then_quits() -> None:
    launch = startup.launch_once(timeout_s=120)

    assert launch["exit_code"] == 0, "the probe quits the app once the model is ready"
    assert 0 < launch["window_shown_s"] < launch["model_ready_s"]
    assert launch["window_shown_cpu_s"] > 0
    assert 100 < launch["rss_mb"] < 4000, "the model is loaded in the GUI process"
