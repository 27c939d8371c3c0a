"""Executing jobs: the /opt/ml contract (a leaf) and the runners that start containers."""

# The runners' names, as --runner takes them, for the command line to offer without importing
# them (and the Docker SDK): runners.RUNNERS maps each to its class.
RUNNER_NAMES = ("docker", "process")
