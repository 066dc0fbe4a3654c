"""Test settings with the fault views of tests/urls_faults.py, for servers started by tests."""

from dsr_project.test_settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_faults"
