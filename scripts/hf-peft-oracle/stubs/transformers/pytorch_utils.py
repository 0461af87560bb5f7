import torch
from torch import nn

ALL_LAYERNORM_LAYERS = [nn.LayerNorm]


class Conv1D(nn.Module):
    """transformers.pytorch_utils.Conv1D (GPT-2's linear layers): weight [nx, nf] = [in, out], bias [nf]."""

    def __init__(self, nf, nx, device=None, dtype=None):
        super().__init__()
        self.nf = nf
        self.nx = nx
        self.weight = nn.Parameter(torch.empty(nx, nf, device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.zeros(nf, device=device, dtype=dtype))
        if self.weight.device.type != "meta":
            nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)
