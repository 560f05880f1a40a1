"""Quickstart style: FashionMNIST, an MLP, SGD, a train and a test loop, then save, load and predict."""

import sys

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
train_set = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
test_set = datasets.FashionMNIST(root="data", train=False, download=True, transform=ToTensor())
train_loader = DataLoader(train_set, batch_size=32)
test_loader = DataLoader(test_set, batch_size=32)

for images, labels in test_loader:
    print("Shape of X [N, C, H, W]:", images.shape)
    print("Shape of y:", labels.shape, labels.dtype)
    break

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.layers(self.flatten(x))


torch.manual_seed(0)
model = Classifier().to(device)
print(model)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train(loader, model, loss_fn, optimizer):
    size = len(loader.dataset)
    model.train()
    for batch, (X, y) in enumerate(loader):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 5 == 0:
            print(f"loss: {loss.item():>7f}  [{batch * len(X):>5d}/{size:>5d}]")


def test(loader, model, loss_fn):
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            total += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    print(f"Test Error: \n Accuracy: {100 * correct / len(loader.dataset):>0.1f}%, Avg loss: {total / len(loader):>8f}")
    return correct / len(loader.dataset)


for t in range(epochs):
    print(f"Epoch {t + 1}\n-------------------------------")
    train(train_loader, model, loss_fn, optimizer)
    accuracy = test(test_loader, model, loss_fn)
print("Done!")

torch.save(model.state_dict(), "model.pth")
print("Saved PyTorch Model State to model.pth")
restored = Classifier()
restored.load_state_dict(torch.load("model.pth", weights_only=True))
restored.eval()
classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
x, y = test_set[0][0], test_set[0][1]
with torch.no_grad():
    x = x.to(device)
    pred = restored(x)
    print(f'Predicted: "{classes[pred[0].argmax(0)]}", Actual: "{classes[y]}"')
    print("restored model gives the same logits:", pred.equal(model(x)))
