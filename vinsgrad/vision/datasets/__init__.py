"""Vision datasets (MNIST, Fashion-MNIST) and the safe download / import behind them."""

from vinsgrad.vision.datasets.errors import DatasetError, DownloadError
from vinsgrad.vision.datasets.mnist import MNIST, FashionMNIST, download

__all__ = ["MNIST", "DatasetError", "DownloadError", "FashionMNIST", "download"]
