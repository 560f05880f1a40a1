"""Polynomial fit of sin(x): autograd computes the gradients, the update is written out under no_grad."""

import math
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
dtype = torch.float
device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
y = torch.sin(x)
torch.manual_seed(0)
a, b, c, d = (torch.randn((), dtype=dtype, device=device, requires_grad=True) for _ in range(4))
learning_rate = 1e-6
for t in range(steps):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
