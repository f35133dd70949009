"""What every benchmark records about the machine it ran on."""

import os
import platform
from pathlib import Path


def machine():
    """(architecture, usable CPUs, CPU model) of this machine."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return platform.machine(), cpus, cpu
