class EntryNotFoundError(Exception):
    pass


class HFValidationError(Exception):
    pass


class LocalEntryNotFoundError(Exception):
    pass
