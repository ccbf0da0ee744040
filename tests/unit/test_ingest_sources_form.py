"""services.ingest_sources' helpers of the 通話の取り込み元 dialog: its checks before saving, the curl example."""

from __future__ import annotations

from pathlib import Path

from biztel_desk.services import ingest_sources
from biztel_desk.services.ingest_sources import FolderConfig, HttpIngestConfig, SettingProblem


def test_the_endpoints_zone_problem_points_at_its_own_row(tmp_path: Path) -> None:
    folder = FolderConfig(enabled=True, path=str(tmp_path), time_zone="Asia/Tokio")
    problems = ingest_sources.form_problems(folder, HttpIngestConfig(time_zone="Mars/Olympus"))
    assert [(p.field, "Tokio" in p.ja, "Mars" in p.ja) for p in problems] == [
        ("time_zone", True, False), ("http_time_zone", False, True)]
    port = ingest_sources.parse_port("70000")
    assert isinstance(port, SettingProblem)
    assert [p.field for p in ingest_sources.form_problems(FolderConfig(enabled=True, path=""), port)] == [
        "folder", "port"]
    assert ingest_sources.form_problems(FolderConfig(), HttpIngestConfig()) == []


def test_the_curl_example_follows_the_typed_address() -> None:
    url, curl = ingest_sources.curl_example("192.0.2.1", " 8080 ")
    assert url == "http://192.0.2.1:8080/v1/calls"
    assert curl.startswith(f"curl -sS {url} \\\n") and '"unique_id": "1711929600.1"' in curl
    url, curl = ingest_sources.curl_example("::1", "abc")
    assert url == "" and curl.startswith("curl -sS http://::1:PORT/v1/calls")
