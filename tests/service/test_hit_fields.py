"""A hit is made from its chunk's own fields kept after its first hit
(``SearchEngine._hit_fields``): it is the hit ``Hit.from_record`` makes of the chunk, for every
chunk of the corpus, the first time and the next."""

from __future__ import annotations

from service.schemas import Hit


def _from_record(engine, chunk, rank: int, score: float, spans) -> Hit:
    return Hit.from_record(
        chunk,
        engine.index.documents[chunk.doc_id],
        rank=rank,
        score=round(score, 6),
        field=chunk.field,
        text=chunk.text,
        chunk_id=chunk.chunk_id,
        related=engine.links.get((chunk.doc_id, chunk.project_key), []),
        highlights=spans,
    )


def test_every_chunk_hit_is_the_one_from_its_record(hashing_engine):
    differ = []
    for rank, chunk in enumerate(hashing_engine.index.chunks, 1):
        expected = _from_record(hashing_engine, chunk, rank, 0.1234567, [(0, 2)])
        for _ in range(2):  # made, then kept
            got = hashing_engine._hit(rank, chunk.chunk_id, 0.1234567, [(0, 2)])
            if got.model_dump_json() != expected.model_dump_json():
                differ.append(chunk.chunk_id)
    assert differ == []
    assert any(
        h.related
        for h in (hashing_engine._hit(1, c.chunk_id, 0.0) for c in hashing_engine.index.chunks)
    )
