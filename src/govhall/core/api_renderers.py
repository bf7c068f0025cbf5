from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes: readable in curl and logs, and smaller."""

    json_dumps_params = {"ensure_ascii": False}
