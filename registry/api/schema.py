"""OpenAPI tweaks: document the paths as the contract writes them, without the trailing
slash (both forms answer), and GeoJSON answers as GeoJSON."""


def paths_without_trailing_slash(endpoints, **kwargs):
    return [
        (path.rstrip("/") if path.count("/") > 2 else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]


GEOJSON = "application/geo+json"
GEOJSON_SCHEMA = {
    "type": "object",
    "description": "GeoJSON (RFC 7946): a FeatureCollection for a list, with "
    "`excluded_without_coordinates`; a Feature for one record. Each feature's properties are the record.",
    "properties": {"type": {"type": "string", "enum": ["FeatureCollection", "Feature"]}},
    "required": ["type"],
}


def geojson_responses(result, **kwargs):
    """A GeoJSON answer is a FeatureCollection or a Feature, not the JSON record or page
    drf-spectacular gives every media type."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if GEOJSON in content:
                    content[GEOJSON] = {"schema": GEOJSON_SCHEMA}
    return result
