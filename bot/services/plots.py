"""Charts of the statistics (matplotlib, no display needed), for reports to the city."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def draw(stats: dict[str, Any], path: Path) -> Path:
    """Volume by category, by channel, and the headline shares, in one PNG."""
    import matplotlib  # lazy: ~0.5 s, only for --plot

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: after the Agg backend is chosen

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 5))
    categories = stats["by_category"]
    left.barh(list(categories)[::-1], list(categories.values())[::-1], color="#2a6f97")
    left.set_title("Phản ánh theo loại (by category)")
    channels = stats["by_channel"]
    middle.bar(list(channels), list(channels.values()), color="#61a5c2")
    middle.set_title("Theo kênh (by channel)")
    shares = {
        "Tỷ lệ xử lý": stats["processed_share"] or 0,
        "Hài lòng": stats["satisfaction_share"] or 0,
    }
    right.bar(list(shares), [v * 100 for v in shares.values()], color=["#468faf", "#89c2d9"])
    right.set_ylim(0, 100)
    right.set_title("Tỷ lệ (%)")
    raw = (stats["processed_share"], stats["satisfaction_share"])
    for index, value in enumerate(raw):
        label = "—" if value is None else f"{value * 100:.1f}%"
        right.text(index, (value or 0) * 100 + 1, label, ha="center")
    period = f"{stats.get('since') or '…'} → {stats.get('until') or 'nay'}"
    fig.suptitle(f"hue-assist: {stats['reports']} phản ánh ({period})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
