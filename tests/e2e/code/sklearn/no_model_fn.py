"""An inference script without model_fn: the scikit-learn image has no default loader."""


def predict_fn(data, model):
    return model.predict(data)
