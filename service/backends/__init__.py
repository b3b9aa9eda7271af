"""Retrieval backends: where the dense and lexical candidates of a question come from.

``base`` holds the interface, ``local`` the in-process FAISS + BM25 default; a sharded backend
on Ray (``ray_shards``) is chosen by ``PLANSEARCH_SHARDS``.
"""
