from _unavailable import placeholder_class

EetqLinear = placeholder_class("transformers.integrations.eetq.EetqLinear")
