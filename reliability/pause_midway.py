"""Run a management command and stop in the middle of it, for the SIGKILL tests.

    python -m reliability.pause_midway WHAT N -- COMMAND [ARGS...]

After the N-th save of WHAT, a model label (registry.CameraCount), or the N-th INSERT
statement into WHAT = sql:TABLE (for bulk inserts, which send no signals), it prints
"MIDWAY" and sleeps, with its transaction open, until the test kills it with SIGKILL.
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

    from django.db import connection

    saved = 0

    def pause(*args, **kwargs):
        nonlocal saved
        saved += 1
        if saved == int(count):
            print("MIDWAY", flush=True)
            time.sleep(120)

    if label.startswith("sql:"):
        insert = f'INSERT INTO "{label[4:]}"'

        def watch(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if sql.startswith(insert):
                pause()
            return result

        with connection.execute_wrapper(watch):
            call_command(*command)
    else:
        post_save.connect(pause, sender=apps.get_model(label), weak=False)
        call_command(*command)
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
