"""The C core's own unit tests (csrc/tests/test_*.c), built and run by pytest.

csrc/ is configured as a standalone CMake project (it finds OpenBLAS through
Python, as the wheel build does) with warnings as errors, built with Ninja in a
temporary directory, and run with ctest.  cmake and ninja are test requirements
(``pip install cmake ninja``, both in the ``test`` extra): their absence is a
failure, not a skip.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CSRC = Path(__file__).resolve().parents[1] / "csrc"
OUR_C_TESTS = {"test_rng", "test_parallel", "test_views", "test_scaler"}


def tool(name):
    """Path of cmake / ninja: on PATH, or from their pip packages."""
    found = shutil.which(name)
    if found:
        return found
    try:
        module = __import__(name)
        bin_dir = getattr(module, "CMAKE_BIN_DIR", None) or getattr(module, "BIN_DIR", None)
    except ImportError:
        bin_dir = None
    candidate = Path(bin_dir or "", name)
    if bin_dir and candidate.exists():
        return str(candidate)
    pytest.fail(f"{name} is needed to build the C tests: pip install cmake ninja "
                f"(they are in pymlcore's 'test' extra)")


def run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kwargs)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                    f"{proc.stdout[-20000:]}\n{proc.stderr[-20000:]}", pytrace=False)
    return proc.stdout


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    build = tmp_path_factory.mktemp("csrc_build")
    ninja = tool("ninja")
    run([tool("cmake"), "-S", CSRC, "-B", build, "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}",
         "-DPMC_WERROR=ON", "-DPMC_BUILD_TESTS=ON", f"-DPython_EXECUTABLE={sys.executable}"])
    run([ninja, "-C", build, "-j", str(max(1, min(4, os.cpu_count() or 1)))])
    return build


def ctest(build, *args):
    ctest_path = Path(tool("cmake")).with_name("ctest")
    return run([str(ctest_path) if ctest_path.exists() else "ctest", "--test-dir", build, *args])


def test_c_tests_are_registered(build_dir):
    listed = ctest(build_dir, "-N")
    missing = [name for name in OUR_C_TESTS if name not in listed]
    assert not missing, f"ctest does not know {missing}:\n{listed}"


def test_c_unit_tests_pass(build_dir):
    out = ctest(build_dir, "--output-on-failure", "-j", "2")
    assert "tests passed" in out
