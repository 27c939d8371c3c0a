def scale(value: float, factor: float) -> float:
    return value * factor
