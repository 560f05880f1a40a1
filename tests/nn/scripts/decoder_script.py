"""A PyTorch script in torch spelling (run by tests, never imported): a small decoder built from the issue-14
layers, trained for a few SGD steps on fixed data. Its weights come from NumPy, so torch and vinsgrad start equal."""

import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(0)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Sequential(
            nn.ConvTranspose2d(4, 8, 4, stride=2, padding=1, bias=False),
            nn.GroupNorm(2, 8),
            nn.SiLU(),
            nn.Upsample(scale_factor=2, mode="bilinear"),
            nn.ReflectionPad2d(1),
            nn.Conv2d(8, 4, 3),
            nn.InstanceNorm2d(4, affine=True),
            nn.Mish(),
        )
        self.conv1d = nn.Conv1d(4, 4, 3, padding=1, padding_mode="circular")
        self.pool1d = nn.AdaptiveMaxPool1d(2)
        self.pool2d = nn.AdaptiveAvgPool2d((2, 2))
        self.head = nn.Sequential(nn.Linear(24, 6), nn.Hardswish(), nn.Dropout(0.0), nn.Linear(6, 3))
        self.act = nn.PReLU(3)

    def forward(self, z):
        h = self.up(z)
        seq = self.pool1d(self.conv1d(h.flatten(2))).flatten(1)
        features = torch.cat([self.pool2d(h).flatten(1), seq], 1)
        return self.act(self.head(features)), h


model = Decoder()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)) * 0.3, dtype=torch.float32))
z = torch.tensor(rng.standard_normal((4, 4, 3, 3)), dtype=torch.float32)
target = torch.tensor(rng.standard_normal((4, 3)), dtype=torch.float32)
optimizer = torch.optim.SGD(model.parameters(), lr=float(sys.argv[1]), momentum=0.9)
for step in range(5):
    optimizer.zero_grad()
    out, h = model(z)
    loss = F.smooth_l1_loss(out, target, beta=0.5)
    loss = loss + 0.1 * F.kl_div(F.log_softmax(out, 1), F.softmax(target, 1), reduction="batchmean")
    loss = loss + 0.01 * (h**2).mean() + 0.1 * nn.TripletMarginLoss(margin=1.0)(out, target, -target)
    loss.backward()
    nn.utils.clip_grad_value_(model.parameters(), 1.0)
    optimizer.step()
    print(f"step {step} loss {loss.item():.6f}")
