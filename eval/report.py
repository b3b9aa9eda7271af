"""eval/README.md: the comparison table and a bar chart, regenerated from results JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADLINE = ("hit_rate@1", "hit_rate@10", "mrr@10", "recall@10", "ndcg@10")
STYLE_ORDER = ("citizen", "staff", "detail", "list")


def _row(name: str, metrics: dict[str, float]) -> str:
    return f"| {name} | " + " | ".join(f"{metrics[m]:.3f}" for m in HEADLINE) + " |"


def results_table(results: list[dict[str, Any]]) -> str:
    """Markdown: overall metrics per mode, then nDCG@10 per style and per document."""
    head = "| mode | " + " | ".join(HEADLINE) + " |\n|---|" + "---|" * len(HEADLINE)
    lines = [head] + [_row(r["mode"], r["overall"]) for r in results]
    docs = sorted(results[0]["by_doc"])
    style_head = "| mode | " + " | ".join(STYLE_ORDER) + " |\n|---|" + "---|" * len(STYLE_ORDER)
    styles = [style_head] + [
        f"| {r['mode']} | "
        + " | ".join(f"{r['by_style'][s]['ndcg@10']:.3f}" for s in STYLE_ORDER)
        + " |"
        for r in results
    ]
    doc_head = "| mode | " + " | ".join(docs) + " |\n|---|" + "---|" * len(docs)
    by_doc = [doc_head] + [
        f"| {r['mode']} | " + " | ".join(f"{r['by_doc'][d]['ndcg@10']:.3f}" for d in docs) + " |"
        for r in results
    ]
    return "\n".join(
        [
            *lines,
            "",
            "nDCG@10 by question style:",
            "",
            *styles,
            "",
            "nDCG@10 by document:",
            "",
            *by_doc,
        ]
    )


def bar_chart(results: list[dict[str, Any]], path: Path) -> None:
    """nDCG@10 per style and overall, one bar per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [*STYLE_ORDER, "overall"]
    width = 0.8 / len(results)
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, r in enumerate(results):
        values = [r["by_style"][g]["ndcg@10"] for g in STYLE_ORDER] + [r["overall"]["ndcg@10"]]
        ax.bar([x + i * width for x in range(len(groups))], values, width, label=r["mode"])
    ax.set_xticks([x + width * (len(results) - 1) / 2 for x in range(len(groups))], groups)
    ax.set_ylim(0, 1)
    ax.set_ylabel("nDCG@10 (project level)")
    ax.set_title(
        f"plansearch on {Path(results[0]['gold']).name} ({results[0]['questions']} questions)"
    )
    ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(path: Path, tables: dict[str, str], manifest: dict[str, Any]) -> None:
    """Rewrite the generated part of eval/README.md between its markers."""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    text = path.read_text(encoding="utf-8") if path.is_file() else f"{start}\n{end}\n"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    emb = manifest["embedder"]
    body = [
        start,
        f"Index: {emb['backend']} `{emb['model']}`, {manifest['counts']['chunks']} chunks, "
        f"chunk bound {manifest['chunking']['max_tokens']} tokens, built {manifest['built_at']}.",
        "",
        "### Test split (report on this; never tuned on)",
        "",
        tables["test"],
        "",
        "![nDCG@10 on the test split](results/test.png)",
        "",
        "### Dev split (defaults were chosen on this)",
        "",
        tables["dev"],
        "",
        end,
    ]
    path.write_text(before + "\n".join(body) + after, encoding="utf-8")
