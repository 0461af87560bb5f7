"""Helpers for stand-ins of names the oracle never uses."""


def unavailable(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(f"{name} is a stand-in in scripts/hf-peft-oracle/stubs")

    fn.__name__ = name.rsplit(".", 1)[-1]
    return fn


def placeholder_class(name):
    """A class nothing is an instance of: isinstance checks against it are False."""
    return type(name.rsplit(".", 1)[-1], (), {"__module__": name.rsplit(".", 1)[0]})
