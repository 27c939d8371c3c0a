"""The directory `sagemaker-emulator run` puts first on PYTHONPATH: `sitecustomize` turns the
SDK fast path on in each Python process started there (`sagemaker_emulator_fast_path`, which
needs the standard library only). Nothing else lives here: every module in it is importable by
its bare name in those processes."""
