from _unavailable import unavailable


class SafetensorError(Exception):
    pass


safe_open = unavailable("safetensors.safe_open")
