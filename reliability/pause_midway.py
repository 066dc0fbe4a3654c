"""Run a management command and stop in the middle of it, for the SIGKILL tests.

    python -m reliability.pause_midway MODEL_LABEL N -- COMMAND [ARGS...]

After the N-th save of MODEL_LABEL (e.g. registry.CameraCount) it prints "MIDWAY" and
sleeps, with its transaction open, until the test kills it with SIGKILL.
"""

import os
import sys
import time

import django


def main(argv):
    label, count, separator, *command = argv
    assert separator == "--" and command, __doc__
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.test_settings")
    django.setup()

    from django.apps import apps
    from django.core.management import call_command
    from django.db.models.signals import post_save

    model = apps.get_model(label)
    saved = 0

    def pause(sender, **kwargs):
        nonlocal saved
        saved += 1
        if saved == int(count):
            print("MIDWAY", flush=True)
            time.sleep(120)

    post_save.connect(pause, sender=model, weak=False)
    call_command(*command)
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
