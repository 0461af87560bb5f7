from _unavailable import unavailable

get_checkpoint_shard_files = unavailable("transformers.utils.hub.get_checkpoint_shard_files")
