# The `packaging` that setuptools vendors (Debian's python3-setuptools), so no extra install is needed.
from pkg_resources._vendor.packaging import version  # noqa: F401
