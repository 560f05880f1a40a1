"""Autograd style: a one-layer net with BCE-with-logits, grad_fn, backward, no_grad/detach and a Jacobian product."""

import torch

torch.manual_seed(0)
x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
loss.backward()
print(w.grad.shape, b.grad.shape)
# d loss / d b = (sigmoid(z) - y) / 3, and every row of d loss / d w equals it (x is all ones)
print("grad check:", b.grad.allclose((torch.sigmoid(z) - y).detach() / 3))
print("rows equal:", bool((w.grad - b.grad).abs().max() < 1e-6))

z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z_det = (torch.matmul(x, w) + b).detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

(g,) = torch.autograd.grad((inp * inp).sum(), inp)
print("autograd.grad of sum(x^2) is 2x:", g.allclose(2 * inp.detach()))
