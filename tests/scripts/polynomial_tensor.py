"""Polynomial fit of sin(x) with tensors and hand-written gradients (no autograd)."""

import math
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
dtype = torch.float
device = torch.device("cpu")
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
torch.manual_seed(0)
a, b, c, d = (torch.randn((), device=device, dtype=dtype) for _ in range(4))
learning_rate = 1e-6
for t in range(steps):
    y_pred = a + b * x + c * x.pow(2) + d * x.pow(3)
    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(t, loss)
    grad_y_pred = 2.0 * (y_pred - y)
    a -= learning_rate * grad_y_pred.sum()
    b -= learning_rate * (grad_y_pred * x).sum()
    c -= learning_rate * torch.matmul(grad_y_pred, x.pow(2))
    d -= learning_rate * torch.matmul(grad_y_pred, x.pow(3))
print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
