"""The notebook image's own code: the container's first process (supervisor.py), JupyterLab's
sign-in through the emulator's presigned URLs (identity.py, signin.py)."""
