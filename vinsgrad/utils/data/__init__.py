"""Datasets, samplers and the ``DataLoader`` that batches them."""

from vinsgrad.utils.data.collate import default_collate
from vinsgrad.utils.data.dataloader import DataLoader
from vinsgrad.utils.data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from vinsgrad.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

# Generated toy datasets (toy.py) are exported below this line.
from vinsgrad.utils.data.toy import make_blobs, make_moons, make_spirals

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "random_split",
]
