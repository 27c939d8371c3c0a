"""ml.* instance types as container resource limits.

vCPU counts follow EC2's size names (large = 2, xlarge = 4, Nxlarge = 4N); memory per vCPU
and GPU counts come from each family's published figures. Limits are capped to the host,
since a laptop has fewer cores than an ml.p4d.24xlarge.
"""

import os
import re
from dataclasses import dataclass

# GiB of memory per vCPU, by family.
_MEMORY_PER_VCPU = {
    "t2": 2, "t3": 2, "m4": 4, "m5": 4, "m5d": 4, "m6i": 4, "m6g": 4, "m7i": 4,
    "c4": 1.875, "c5": 2, "c5d": 2, "c5n": 2.625, "c6i": 2, "c7i": 2,
    "r5": 8, "r5d": 8, "r6i": 8, "r7i": 8,
    "g4dn": 4, "g5": 4, "g6": 4, "g6e": 8, "p2": 15.25, "p3": 7.625, "p3dn": 8, "p4d": 12, "p4de": 12, "p5": 8,
    "trn1": 4, "inf2": 4,
}

# GPUs per instance where the family does not make it 1 (SDK instance_gpu_info.json, EC2).
_GPUS = {
    "ml.g5.12xlarge": 4, "ml.g5.24xlarge": 4, "ml.g5.48xlarge": 8,
    "ml.g4dn.12xlarge": 4, "ml.g4dn.metal": 8,
    "ml.g6.12xlarge": 4, "ml.g6.24xlarge": 4, "ml.g6.48xlarge": 8,
    "ml.p2.8xlarge": 8, "ml.p2.16xlarge": 16,
    "ml.p3.8xlarge": 4, "ml.p3.16xlarge": 8, "ml.p3dn.24xlarge": 8,
    "ml.p4d.24xlarge": 8, "ml.p4de.24xlarge": 8, "ml.p5.48xlarge": 8,
}

_SIZE = re.compile(r"^(?:(\d+)?xlarge|large|medium|small|metal)$")


@dataclass(frozen=True)
class Instance:
    type: str
    vcpus: int
    memory_gib: float
    gpus: int

    def limits(self) -> tuple[float, int]:
        """(CPUs, memory bytes) for the container, capped to this host."""
        host_cpus = os.cpu_count() or 1
        host_mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return min(self.vcpus, host_cpus), int(min(self.memory_gib * 2**30, host_mem))


def _vcpus(size: str) -> int:
    if size in ("small", "medium"):
        return 1 if size == "small" else 2
    if size == "large":
        return 2
    if size == "metal":
        return 96
    multiplier = _SIZE.match(size).group(1)
    return 4 * int(multiplier or 1)


def lookup(instance_type: str) -> Instance:
    """The figures for an ml.* type; callers have validated it against the API's enum."""
    _, family, size = instance_type.split(".", 2)
    vcpus = _vcpus(size) if _SIZE.match(size) else 2
    memory = vcpus * _MEMORY_PER_VCPU.get(family, 4)
    gpus = _GPUS.get(instance_type, 1 if family[0] in ("g", "p") else 0)
    return Instance(instance_type, vcpus, memory, gpus)
