"""The pure parts of tools/topology.py: deploy/ files it reads, how it judges faults."""

import pytest
from topology import fault_report
from topology_services import read_procfile, render_nginx

VALUES = {
    "run_dir": "/run/shop",
    "mime_types": "/etc/nginx/mime.types",
    "app_servers": "server 127.0.0.1:8001;\n        server 127.0.0.1:8002;",
    "listen": "127.0.0.1:8443",
    "server_name": "shop.example.com",
    "tls_certificate": "/etc/ssl/shop.crt",
    "tls_certificate_key": "/etc/ssl/shop.key",
    "static_root": "/srv/static",
    "media_root": "/srv/media",
}


def test_procfile_names_the_three_processes():
    processes = read_procfile()
    assert set(processes) == {"web", "worker", "periodic"}
    assert "deploy/gunicorn.conf.py" in processes["web"] and "$" in processes["web"]
    assert processes["worker"].startswith("python manage.py db_worker")
    assert "run_periodic" in processes["periodic"]


def test_nginx_conf_renders_every_placeholder_and_keeps_nginx_variables():
    conf = render_nginx(VALUES)
    assert "@{" not in conf.replace("@{name}", "")  # only the comment's example is left
    assert "server 127.0.0.1:8002;" in conf
    assert "alias /srv/static/;" in conf and "alias /srv/media/;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "listen 127.0.0.1:8443 ssl;" in conf


def test_nginx_conf_refuses_a_missing_value():
    with pytest.raises(KeyError):
        render_nginx({k: v for k, v in VALUES.items() if k != "media_root"})


def sample(at, status=502, outcome="error"):
    return ["checkout", "checkout", status, 10.0, outcome, at]


def test_errors_are_counted_per_fault_window_and_outside():
    faults = [
        {"fault": "app server killed", "at": 100.0, "recovered": 104.0, "note": ""},
        {"fault": "Redis restarted", "at": 200.0, "recovered": None, "note": ""},
    ]
    record = {
        "started": 90.0,
        "samples": [
            sample(101.0),
            sample(112.5),  # within the grace after recovery
            sample(150.0, status=500),  # no fault then
            sample(101.0, status=201, outcome="ok"),
            sample(250.0, status=0),
        ],
    }
    rows, outside, failures = fault_report(faults, record)
    assert rows[0]["errors"] == 2 and rows[0]["recovered_s"] == 4.0 and rows[0]["at_s"] == 10.0
    assert rows[1]["errors"] == 1 and rows[1]["error_kinds"] == {"checkout: checkout 0": 1}
    assert outside == {"checkout: checkout 500": 1}
    assert failures == ["Redis restarted: no recovery within 120 s"]


def test_an_error_in_overlapping_windows_counts_for_the_latest_fault():
    faults = [
        {"fault": "app server killed", "at": 100.0, "recovered": 110.0, "note": ""},
        {"fault": "Redis restarted", "at": 115.0, "recovered": 117.0, "note": ""},
    ]
    rows, _outside, _failures = fault_report(faults, {"started": 90.0, "samples": [sample(116.0)]})
    assert [row["errors"] for row in rows] == [0, 1]
