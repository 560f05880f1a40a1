"""Polynomial fit of sin(x) as a Linear layer on (x, x^2, x^3): by hand with nn, then with optim, then as a Module."""

import math
import random
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
for t in range(steps):
    loss = loss_fn(model(xx), y)
    if t % 500 == 499:
        print("nn", t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= 1e-6 * param.grad
layer = model[0]
print(f"nn result: y = {layer.bias.item()} + {layer.weight[:, 0].item()} x + {layer.weight[:, 2].item()} x^3")

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(steps):
    loss = loss_fn(model(xx), y)
    if t % 500 == 499:
        print("optim", t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


class Cubic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x, dynamic=False):
        y = self.a + self.b * x + self.c * x**2 + self.d * x**3
        for exp in range(4, random.randint(4, 6) if dynamic else 4):
            y = y + self.e * x**exp  # the same parameter reused: its gradients add up
        return y

    def string(self):
        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"


for dynamic in (False, True):
    torch.manual_seed(0)
    random.seed(0)
    model = Cubic()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8 if dynamic else 1e-6, momentum=0.9 if dynamic else 0)
    for t in range(steps):
        loss = criterion(model(x, dynamic), y)
        if t % 500 == 499:
            print("dynamic" if dynamic else "module", t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"Result: {model.string()}")
