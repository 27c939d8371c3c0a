"""Endpoints at run time: model data, live containers, routing of invocations."""
