"""Datasets, samplers and the ``DataLoader`` that batches them."""

from vinsgrad.utils.data.collate import default_collate
from vinsgrad.utils.data.dataloader import DataLoader
from vinsgrad.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from vinsgrad.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from vinsgrad.utils.data.worker import WorkerInfo, get_worker_info

# Generated toy datasets (toy.py) are exported below this line.
from vinsgrad.utils.data.toy import make_blobs, make_moons, make_spirals

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "WorkerInfo",
    "default_collate",
    "get_worker_info",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "random_split",
]
