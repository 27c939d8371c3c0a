"""Executing jobs: the /opt/ml contract (a leaf) and the runners that start containers."""
