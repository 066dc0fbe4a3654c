"""Django's JSON serializer, keeping times to the microsecond.

The stock encoder cuts datetimes to milliseconds, so a dump and a load would change
every timestamp a little. The output is ordinary fixture JSON that loaddata reads.
"""

import datetime

from django.core.serializers.json import Deserializer  # noqa: F401 - a serializer module has both
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options["cls"] = ExactEncoder
        super()._init_options()
