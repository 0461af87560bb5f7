def is_bf16_available(*args, **kwargs):
    return False


def is_xpu_available(*args, **kwargs):
    return False
