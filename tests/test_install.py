"""The package installs as Colab installs it: ``pip install "regopt @ git+URL"``.

pip clones the repository (a ``git+file://`` URL of this checkout, so only what is
committed), builds the package and installs it into a fresh virtual environment. Every
module is then imported, and the bundled data loaded, by a Python that sees neither
``lib/`` nor the editable install: a module or data file that only the working tree has
fails here. The fresh environment reuses this environment's dependencies (``--no-deps``,
``--no-build-isolation``), so the test runs offline in seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = r"""
import importlib, pkgutil, sys
import regopt
lib = sys.argv[1]
assert regopt.__file__.startswith(sys.argv[2]), ("imported from", regopt.__file__)
assert not any(p.rstrip("/") == lib for p in sys.path), ("lib/ is on sys.path", sys.path)
modules = [m.name for m in pkgutil.walk_packages(regopt.__path__, "regopt.")]
for name in modules:
    importlib.import_module(name)
for name in regopt.__all__:
    getattr(regopt, name)
from regopt import data
split = data.digits()
assert sum(len(part[0]) for part in (split.train, split.val, split.test)) == 1797 and split.n_features == 64
print("\n".join(modules))
"""


def working_tree_modules() -> set[str]:
    """The modules ``lib/regopt`` has in the working tree, committed or not."""
    package = ROOT / "lib"
    return {
        ".".join(path.relative_to(package).with_suffix("").parts).removesuffix(".__init__")
        for path in (package / "regopt").rglob("*.py")
        if "__pycache__" not in path.parts
    }


def working_tree_data() -> set[str]:
    """The package's files that are not Python modules (data the package loads), if any."""
    package = ROOT / "lib" / "regopt"
    return {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file()
            and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_package_installs_from_git_and_imports_without_the_working_tree(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The project's dependencies as a plain path entry: its .pth files (the editable install
    # of regopt among them) are not run from there.
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    target = site / "regopt"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-input", "--disable-pip-version-check", "--target", str(site), f"regopt @ git+file://{ROOT}"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    run = subprocess.run([python, "-c", CHECK, str(ROOT / "lib"), str(target)], capture_output=True, text=True,
                         cwd=tmp_path, env=environment)
    assert run.returncode == 0, run.stderr[-3000:]
    installed = set(run.stdout.split()) | {"regopt"}
    missing = working_tree_modules() - installed
    assert not missing, f"modules the working tree has but a git install lacks (commit them): {sorted(missing)}"
    data = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert working_tree_data() <= data, sorted(working_tree_data() - data)
