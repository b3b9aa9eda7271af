"""plansearch indexer: corpus → parse → chunk → embed → index."""

FORMAT_VERSION = 4
