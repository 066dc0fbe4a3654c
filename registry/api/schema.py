"""OpenAPI tweaks: document the paths as the contract writes them, without the trailing
slash (both forms answer)."""


def paths_without_trailing_slash(endpoints, **kwargs):
    return [
        (path.rstrip("/") if path.count("/") > 2 else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]
