"""The AWS wire protocol edge: nothing here knows what a training job is."""
