"""What serves predictions: models, endpoint configurations and endpoints (the resources and
the endpoint's life; the containers themselves are emulator.hosting's)."""
