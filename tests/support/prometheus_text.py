"""Reading `/metrics` answers in tests with prometheus_client's own parser."""

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample


def samples(text: str) -> list[Sample]:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def series(text: str, name: str, **labels: str) -> list[Sample]:
    """The samples named `name` whose labels include `labels`."""
    return [
        sample
        for sample in samples(text)
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    ]


def value(text: str, name: str, **labels: str) -> float | None:
    """The one sample's value, None when absent; several matching samples are a test error."""
    found = series(text, name, **labels)
    assert len(found) <= 1, f"{name}{labels} matches {len(found)} series"
    return found[0].value if found else None
