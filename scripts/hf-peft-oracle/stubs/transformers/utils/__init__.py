from _unavailable import unavailable

from . import hub  # noqa: F401


class PushToHubMixin:
    pass


cached_file = unavailable("transformers.utils.cached_file")


def http_user_agent(*args, **kwargs):
    return ""
