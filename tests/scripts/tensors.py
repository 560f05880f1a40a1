"""Tensors style: creation, attributes, indexing, joining, arithmetic, in-place ops and the NumPy bridge."""

import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
x_np = torch.from_numpy(np.array(data))
print(f"Ones Tensor: \n {torch.ones_like(x_data)} \n")
x_rand = torch.rand_like(x_data, dtype=torch.float)
print("rand_like dtype:", x_rand.dtype, "in [0, 1):", ((x_rand >= 0) & (x_rand < 1)).sum().item() == x_rand.numel())

shape = (2, 3)
print(f"Zeros Tensor: \n {torch.zeros(shape)}")
tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
if torch.cuda.is_available() & (torch.device("cuda").index is not None):
    tensor = tensor.to("cuda")

tensor = torch.ones(4, 4)
print("First row:", tensor[0])
print("First column:", tensor[:, 0])
print("Last column:", tensor[..., -1])
tensor[:, 1] = 0
print(tensor)
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print("cat shape:", t1.shape)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
print("matmul agree:", y1.equal(y2), y1[0].tolist())
z1 = tensor * tensor
z2 = tensor.mul(tensor)
print("mul agree:", z1.equal(z2))

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
tensor.add_(5)
print(tensor)

t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
