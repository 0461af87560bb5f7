from _unavailable import unavailable

create_masks_for_generate = unavailable("transformers.masking_utils.create_masks_for_generate")
