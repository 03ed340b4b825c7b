"""Package discovery for the one mapping pyproject.toml cannot express with ``find``.

``kernels/`` (the Numba layer) sits beside ``twin/`` in the repository but is installed as
``twin.kernels``. Everything else is declared in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

# namespace discovery: twin/data (tables, no __init__.py) is a package of its own, as setuptools
# wants for the data files it holds
twin_packages = find_namespace_packages(include=["twin", "twin.*"], exclude=["*.__pycache__"])
kernel_packages = ["twin.kernels"] + [f"twin.kernels.{p}" for p in find_packages("kernels")]
package_dir = {"twin": "twin", "twin.kernels": "kernels"}
package_dir.update({p: "kernels/" + p[len("twin.kernels."):].replace(".", "/") for p in kernel_packages[1:]})

setup(packages=twin_packages + kernel_packages, package_dir=package_dir)
