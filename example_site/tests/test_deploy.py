"""What the deployment (deploy/, README "Deploying") needs from the site's settings
and its periodic runner."""

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from example_site.management.commands import run_periodic

from .helpers import SITE_DIR


def settings_of(env, expression):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, example_site.settings as s; print(json.dumps({expression}))",
        ],
        cwd=SITE_DIR,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
    )
    return result.returncode, (
        json.loads(result.stdout) if result.returncode == 0 else result.stderr
    )


def test_throttle_rates_can_be_overridden_one_by_one():
    code, rates = settings_of(
        {"SHOP_THROTTLE_RATES": "anon=5000/min, burst=600/min"},
        's.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]',
    )
    assert code == 0, rates
    assert rates["anon"] == "5000/min" and rates["burst"] == "600/min"
    assert rates["shop_accounts.login"] == "10/min"  # the others stay


@pytest.mark.parametrize("value", ["anon=lots", "nosuchscope=5/min", "anon"])
def test_a_malformed_throttle_rate_refuses_to_start(value):
    code, error = settings_of({"SHOP_THROTTLE_RATES": value}, "1")
    assert code != 0
    assert "SHOP_THROTTLE_RATES" in error


def test_unknown_tasks_backend_refuses_to_start():
    code, error = settings_of({"SHOP_TASKS_BACKEND": "celery"}, "1")
    assert code != 0 and "SHOP_TASKS_BACKEND" in error


def test_rq_backend_needs_redis():
    code, error = settings_of({"SHOP_TASKS_BACKEND": "rq", "REDIS_URL": ""}, "1")
    assert code != 0 and "REDIS_URL" in error


def test_static_root_and_connection_checks_from_the_environment(tmp_path):
    code, values = settings_of(
        {"DJANGO_STATIC_ROOT": str(tmp_path)},
        '[str(s.STATIC_ROOT), s.DATABASES["default"]["CONN_HEALTH_CHECKS"]]',
    )
    assert code == 0, values
    assert values == [str(tmp_path), True]


def test_run_periodic_runs_every_job_and_goes_on_past_a_failure(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ran = []

    def fake(name, *args, **kwargs):
        ran.append(name)
        if name == "send_order_notifications":
            raise RuntimeError("database restarting")

    with mock.patch.object(run_periodic, "call_command", fake):
        with pytest.raises(CommandError, match="send_order_notifications"):
            call_command("run_periodic", "--once")
    assert ran == [job[0] for job in run_periodic.JOBS + run_periodic.DB_WORKER_JOBS]


def test_run_periodic_leaves_out_the_database_worker_jobs_on_another_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert "prune_db_task_results" not in [job[0] for job in run_periodic.jobs()]


def test_run_periodic_one_real_round(transactional_db):
    # Outside a test transaction: run_periodic drops connections a database
    # restart broke, and one inside an atomic block looks broken to Django.
    call_command("run_periodic", "--once")  # every package's command exists and runs
