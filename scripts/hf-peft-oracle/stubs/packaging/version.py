from pkg_resources._vendor.packaging.version import InvalidVersion, Version, parse  # noqa: F401
