"""Build-model style: an nn.Module subclass, its printed structure, layers one by one, and named_parameters."""

import torch
from torch import nn

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(28 * 28, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


torch.manual_seed(0)
model = NeuralNetwork().to(device)
print(model)
X = torch.rand(1, 28, 28, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
print(f"Predicted class: {pred_probab.argmax(1)}")

input_image = torch.rand(3, 28, 28)
print(input_image.size())
flat_image = nn.Flatten()(input_image)
print(flat_image.size())
layer1 = nn.Linear(in_features=28 * 28, out_features=20)
hidden1 = layer1(flat_image)
print(hidden1.size())
hidden1 = nn.ReLU()(hidden1)
print("after ReLU, min is", hidden1.min().item())
seq_modules = nn.Sequential(nn.Flatten(), layer1, nn.ReLU(), nn.Linear(20, 10))
pred_probab = nn.Softmax(dim=1)(seq_modules(torch.rand(3, 28, 28)))
print("rows sum to 1:", pred_probab.sum(1).allclose(torch.ones(3)))
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | first values shape: {tuple(param[:2].shape)}")
